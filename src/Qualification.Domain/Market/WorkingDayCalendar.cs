using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace Qualification.Domain.Market;

/// <summary>
/// England &amp; Wales working days: Monday to Friday except bank holidays. Holidays come from a
/// file in the GOV.UK bank-holidays.json layout so that a user can refresh it without a rebuild.
/// </summary>
public sealed class WorkingDayCalendar
{
    private readonly HashSet<LocalDate> _holidays;

    /// <summary>Creates a calendar with the given bank holidays.</summary>
    public WorkingDayCalendar(IEnumerable<LocalDate> bankHolidays) => _holidays = [.. bankHolidays];

    /// <summary>The bank holidays this calendar knows.</summary>
    public IReadOnlyCollection<LocalDate> BankHolidays => _holidays;

    /// <summary>The first and last year the holiday data covers.</summary>
    public (int First, int Last) Coverage => _holidays.Count == 0 ? (0, 0) : (_holidays.Min().Year, _holidays.Max().Year);

    /// <summary>Reads the england-and-wales division of a GOV.UK bank-holidays.json document.</summary>
    /// <param name="json">The document text.</param>
    /// <param name="source">Where it came from, for error messages.</param>
    public static WorkingDayCalendar FromGovUkJson(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new FormatException($"{source}: not JSON ({e.Message}). Use the GOV.UK bank-holidays.json layout.", e); }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("england-and-wales", out var division) ||
                !division.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{source}: no \"england-and-wales\".\"events\" array. Use the GOV.UK bank-holidays.json layout.");
            var dates = new List<LocalDate>();
            var i = 0;
            foreach (var e in events.EnumerateArray())
            {
                var text = e.TryGetProperty("date", out var d) ? d.GetString() : null;
                var parsed = LocalDatePattern.Iso.Parse(text ?? "");
                if (!parsed.Success) throw new FormatException($"{source}: england-and-wales.events[{i}].date is '{text}'; expected yyyy-MM-dd.");
                dates.Add(parsed.Value);
                i++;
            }
            return new WorkingDayCalendar(dates);
        }
    }

    /// <summary>The calendar shipped with the harness (data/calendar/bank-holidays.json).</summary>
    public static WorkingDayCalendar Default { get; } = LoadEmbedded();

    private static WorkingDayCalendar LoadEmbedded()
    {
        using var stream = typeof(WorkingDayCalendar).Assembly.GetManifestResourceStream("bank-holidays.json")
            ?? throw new InvalidOperationException("The bank-holidays.json resource is missing from the build.");
        using var reader = new StreamReader(stream);
        return FromGovUkJson(reader.ReadToEnd(), "data/calendar/bank-holidays.json");
    }

    /// <summary>True on Monday to Friday when the day is not a bank holiday.</summary>
    public bool IsWorkingDay(LocalDate date) =>
        date.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday) && !_holidays.Contains(date);

    /// <summary>The date <paramref name="days"/> working days after <paramref name="date"/> (the start day itself not counted).</summary>
    public LocalDate AddWorkingDays(LocalDate date, int days)
    {
        if (days < 0) throw new ArgumentOutOfRangeException(nameof(days), "Count working days forward only.");
        var d = date;
        while (days > 0)
        {
            d = d.PlusDays(1);
            if (IsWorkingDay(d)) days--;
        }
        return d;
    }

    /// <summary>
    /// The deadline for "within N working days of <paramref name="from"/>": the end of the Nth working
    /// day after the day of <paramref name="from"/>, i.e. London midnight starting the following day.
    /// </summary>
    public Instant WorkingDayDeadline(Instant from, int days) =>
        MarketTime.StartOfDay(AddWorkingDays(MarketTime.LocalDateOf(from), days).PlusDays(1));
}
