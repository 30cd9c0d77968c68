using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;

namespace Qualification.Rules.Catalogue;

/// <summary>
/// A service-level deadline as the catalogue writes it: an ISO-8601 duration (<c>PT60M</c>,
/// <c>P7D</c>) or a count of England &amp; Wales working days (<c>P3WD</c>).
/// </summary>
public sealed partial record Sla(Duration? Elapsed, int? WorkingDays, string Text)
{
    [GeneratedRegex(@"^P(\d+)WD$")] private static partial Regex WorkingDayPattern();

    /// <summary>Parses PT60M, PT2H, P7D or P3WD.</summary>
    public static Sla Parse(string text)
    {
        var t = text.Trim().ToUpperInvariant();
        var wd = WorkingDayPattern().Match(t);
        if (wd.Success) return new Sla(null, int.Parse(wd.Groups[1].Value, CultureInfo.InvariantCulture), t);
        var parsed = NodaTime.Text.PeriodPattern.NormalizingIso.Parse(t);
        if (!parsed.Success) throw new FormatException($"SLA '{text}' is neither an ISO-8601 duration (PT60M, P7D) nor working days (P3WD).");
        return new Sla(parsed.Value.ToDuration(), null, t);
    }

    /// <summary>The deadline for something triggered at <paramref name="from"/>.</summary>
    public Instant DeadlineFrom(Instant from, Domain.Market.WorkingDayCalendar calendar) =>
        Elapsed is { } d ? from + d : calendar.WorkingDayDeadline(from, WorkingDays!.Value);

    /// <summary>Human form: "60 minutes", "3 working days".</summary>
    public string Describe() => Elapsed is { } d
        ? d.TotalMinutes < 120 ? $"{d.TotalMinutes:0} minutes" : d.TotalHours < 48 ? $"{d.TotalHours:0.#} hours" : $"{d.TotalDays:0.#} days"
        : $"{WorkingDays} working days";

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>One requirement of the catalogue that qualification judges.</summary>
public sealed record Requirement
{
    /// <summary>Stable id, e.g. REC-MO-22.6.1.</summary>
    public required string Id { get; init; }
    /// <summary>What must be true, in one sentence.</summary>
    public required string Title { get; init; }
    /// <summary>Process area (epic), e.g. supplier-agent-appointment.</summary>
    public required string Process { get; init; }
    /// <summary>Where the requirement comes from (code schedule and step, or the deck's slide).</summary>
    public required string Source { get; init; }
    /// <summary>Roles it binds (SUP, MSS, MSA).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];
    /// <summary>Market segments it applies to.</summary>
    public IReadOnlyList<string> Segments { get; init; } = [];
    /// <summary>Interfaces and flows involved.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];
    /// <summary>Deadline, when there is one.</summary>
    public Sla? Sla { get; init; }
    /// <summary>
    /// For an exception process that starts when <see cref="Sla"/> runs out without the expected event
    /// (e.g. no valid switch read within 10 working days): how long after that the candidate has to raise it.
    /// </summary>
    public Sla? RaiseWithin { get; init; }
    /// <summary>Mandatory for qualification (else optional).</summary>
    public bool Mandatory { get; init; } = true;
    /// <summary>Catalogued from the source but not yet judged by a rule: always SKIPPED, listed in coverage.</summary>
    public bool Planned { get; init; }
}
