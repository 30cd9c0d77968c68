using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Qualification.Domain.Market;

/// <summary>
/// Market time conventions: the GB market runs on Europe/London local time, and DIP datetimes are
/// written with their offset, exactly 25 characters (<c>yyyy-MM-ddTHH:mm:ss+hh:mm</c>).
/// </summary>
public static class MarketTime
{
    /// <summary>Europe/London from the tz database shipped inside NodaTime.</summary>
    public static readonly DateTimeZone London = DateTimeZoneProviders.Tzdb["Europe/London"];

    private static readonly OffsetDateTimePattern DipPattern =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>");

    /// <summary>Formats an instant as a DIP datetime at its London offset, e.g. 2026-07-01T00:00:00+01:00.</summary>
    public static string ToDip(Instant instant) => DipPattern.Format(instant.InZone(London).ToOffsetDateTime());

    /// <summary>Parses a DIP datetime; null when it is not exactly in the DIP layout.</summary>
    public static OffsetDateTime? ParseDip(string? text)
    {
        if (text is null || text.Length != 25) return null;
        var result = DipPattern.Parse(text);
        return result.Success ? result.Value : null;
    }

    /// <summary>The instant a London calendar day starts (local midnight), allowing for clock changes.</summary>
    public static Instant StartOfDay(LocalDate date) => London.AtStartOfDay(date).ToInstant();

    /// <summary>True when <paramref name="value"/> is exactly a local midnight in London (with the right offset).</summary>
    public static bool IsLocalMidnight(OffsetDateTime value)
    {
        var local = value.ToInstant().InZone(London);
        return local.TimeOfDay == LocalTime.Midnight;
    }

    /// <summary>The London calendar date of an instant.</summary>
    public static LocalDate LocalDateOf(Instant instant) => instant.InZone(London).Date;

    /// <summary>Reads "2026-01-05" or "2026-01-05 09:00" as London local time.</summary>
    public static Instant ParseLocal(string text)
    {
        var formats = new[] { "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd" };
        foreach (var f in formats)
        {
            var r = LocalDateTimePattern.Create(f, CultureInfo.InvariantCulture).Parse(text.Trim());
            if (r.Success) return r.Value.InZoneLeniently(London).ToInstant();
        }
        throw new FormatException($"'{text}' is not a London local date or time; write it as 2026-01-05 or 2026-01-05 09:00.");
    }
}
