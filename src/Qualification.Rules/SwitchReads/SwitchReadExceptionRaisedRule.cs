using NodaTime;
using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.SwitchReads;

/// <summary>
/// REC Schedule 30 as changed for MHHS (deck "Supplier exception processes"): when no valid switch
/// reading has arrived within 10 working days of the supply start date (the catalogue's sla), the
/// switch meter reading exceptions process is triggered for every electricity meter, and the gaining
/// supplier raises it with a D0010 whose reading type is 'Supplier Agreed Switch Read', read at the
/// supply start date; a Smart meter's read is of the total cumulative register. The catalogue's
/// raiseWithin says how long after the trigger the supplier has to send it. A read sent before the
/// trigger is a WARNING: its content may be right, but the Data Service still had time to provide a
/// valid switch read. When the Data Service did share the switch read (IF-041 [ReadingCOS]) before
/// the trigger, no exception is due: raising none passes, raising one anyway is a WARNING (right only
/// when the supplier disputes that read, which the harness cannot see).
/// </summary>
[Requirement("REC-SCH30-10WD")]
[Name("The gaining supplier raises a switch meter read exception by D0010 after 10 working days")]
public sealed class SwitchReadExceptionRaisedRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedSwitch change = null!;
        Candidate supplier = null!;
        ObservationWindow window = null!;
        CalendarFact calendar = null!;
        IEnumerable<ObservedMeterReading> reads = null!;
        IEnumerable<ObservedMessage> switchReads = null!;

        When()
            .Match(() => requirement, r => r.Id == "REC-SCH30-10WD")
            .Match(() => calendar)
            .Match(() => change)
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == change.SupplierDipId && c.Mpid != null)
            .Match(() => window, w => w.Scenario == change.Scenario)
            .Query(() => reads, q => q
                .Match<ObservedMeterReading>(m => m.SupplierAgreedSwitchRead, m => m.Scenario == change.Scenario && m.Mpan == change.Mpan && m.SenderMpid == supplier.Mpid)
                .Collect())
            .Query(() => switchReads, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Published && m.InterfaceId == "IF-041" && m.EventCode == "[ReadingCOS]",
                    m => m.Scenario == change.Scenario && m.Mpan == change.Mpan && m.RecipientDipId == supplier.DipId)
                .Collect());
        Then()
            .Do(ctx => Insert(ctx, Judge(requirement, change, reads, window, calendar.Calendar, switchReads)));
    }

    private static void Insert(NRules.RuleModel.IContext context, Finding? finding)
    {
        if (finding is not null) context.Insert(finding);
    }

    /// <summary>
    /// The judgement, public so its boundaries can be tested without a rule session. Null when the
    /// observation ended before the exception process could trigger and nothing was sent: every
    /// switch that completes would otherwise leave an unobserved finding behind.
    /// </summary>
    public static Finding? Judge(Requirement requirement, ObservedSwitch change, IEnumerable<ObservedMeterReading> reads, ObservationWindow window, WorkingDayCalendar calendar,
        IEnumerable<ObservedMessage>? switchReads = null)
    {
        var sla = requirement.Sla ?? throw new InvalidOperationException($"{requirement.Id} needs an 'sla' in the catalogue (when the exception process triggers).");
        var raiseWithin = requirement.RaiseWithin ?? throw new InvalidOperationException($"{requirement.Id} needs 'raiseWithin' in the catalogue (how long after the trigger the exception is raised).");
        var start = MarketTime.StartOfDay(change.SupplyStartDate);
        var trigger = sla.DeadlineFrom(start, calendar);
        var deadline = raiseWithin.DeadlineFrom(trigger, calendar);
        var evidence = new List<EvidenceItem> { new(change.Id, change.Describe(), change.MarketTime) };
        var ordered = reads.OrderBy(r => r.MarketTime).ToList();
        var timing = $"supply start {change.SupplyStartDate:uuuu-MM-dd}; the exception process triggers at {MarketTime.ToDip(trigger)} ({sla.Describe()}), raise by {MarketTime.ToDip(deadline)} ({raiseWithin.Describe()} more)";
        Finding Result(Verdict verdict, string summary, ObservedMeterReading? read = null)
        {
            if (read is not null) evidence.Add(new EvidenceItem(read.Id, read.Describe(), read.MarketTime));
            return new Finding(requirement.Id, verdict, change.Scenario, change.Mpan, summary, evidence);
        }

        // A switch read from the Data Service before the trigger settles the switch: no exception is due.
        if ((switchReads ?? []).Where(m => m.MarketTime < trigger).OrderBy(m => m.MarketTime).FirstOrDefault() is { } settled)
        {
            evidence.Add(new EvidenceItem(settled.Id, "switch read: " + settled.Describe(), settled.MarketTime));
            var raised = ordered.FirstOrDefault();
            if (raised is null && window.End < trigger) return null;
            if (raised is not null)
                return Result(Verdict.Warning, $"{From(raised)} raised a switch read exception although the Data Service shared the switch read at {MarketTime.ToDip(settled.MarketTime)}; right only if it disputes that read ({timing})", raised);
            return window.End >= deadline
                ? Result(Verdict.Passed, $"the Data Service shared the switch read at {MarketTime.ToDip(settled.MarketTime)}, so no exception was due, and the gaining supplier raised none ({timing})")
                : Result(Verdict.NotObserved, $"the Data Service shared the switch read; observation ended at {MarketTime.ToDip(window.End)}, before the deadline ({timing})");
        }
        var inTime = ordered.FirstOrDefault(r => r.MarketTime >= trigger && r.MarketTime <= deadline);
        if (inTime is not null)
        {
            var problem = ContentProblem(inTime, change.SupplyStartDate);
            var day = WorkingDaysAfter(change.SupplyStartDate, MarketTime.LocalDateOf(inTime.MarketTime), calendar);
            return problem is null
                ? Result(Verdict.Passed, $"{From(inTime)} raised the switch read exception by D0010 'Supplier Agreed Switch Read' on working day {day} after the supply start ({timing})", inTime)
                : Result(Verdict.Failed, $"{From(inTime)} raised the switch read exception on working day {day}, but {problem} ({timing})", inTime);
        }
        var late = ordered.FirstOrDefault(r => r.MarketTime > deadline);
        if (late is not null)
            return Result(Verdict.Failed, $"{From(late)} raised the switch read exception at {MarketTime.ToDip(late.MarketTime)}, after the deadline ({timing})", late);
        var early = ordered.FirstOrDefault();
        if (early is not null)
        {
            var problem = ContentProblem(early, change.SupplyStartDate);
            var day = WorkingDaysAfter(change.SupplyStartDate, MarketTime.LocalDateOf(early.MarketTime), calendar);
            return problem is null
                ? Result(Verdict.Warning, $"{From(early)} sent a 'Supplier Agreed Switch Read' on working day {day} after the supply start, before the exception process triggers ({timing})", early)
                : Result(Verdict.Failed, $"{From(early)} sent a 'Supplier Agreed Switch Read' before the exception process triggers, and {problem} ({timing})", early);
        }
        if (window.End < trigger) return null;
        return window.End >= deadline
            ? Result(Verdict.Failed, $"no D0010 'Supplier Agreed Switch Read' for {change.Mpan} from the gaining supplier ({timing}; observed until {MarketTime.ToDip(window.End)})")
            : Result(Verdict.NotObserved, $"no switch read exception yet; observation ended at {MarketTime.ToDip(window.End)}, before the deadline ({timing})");

        static string From(ObservedMeterReading r) => r.SenderMpid;
    }

    // What is wrong with a switch read's content: it must be read at the supply start date, and a Smart
    // meter's read must be of its total cumulative register (the gateway's finding).
    private static string? ContentProblem(ObservedMeterReading read, LocalDate supplyStart)
    {
        if (read.Registers.Count == 0) return "the D0010 carries no register reading (030)";
        var wrongDates = read.ReadingDates.Where(d => d != supplyStart).Select(d => d?.ToString("uuuu-MM-dd", null) ?? "unreadable").Distinct().ToList();
        if (wrongDates.Count > 0) return $"the reading is dated {string.Join(", ", wrongDates)}, not the supply start date {supplyStart:uuuu-MM-dd}";
        return read.CumulativeFindings.Count > 0 ? read.CumulativeFindings[0] : null;
    }

    /// <summary>Working days from <paramref name="from"/> (not counted) to <paramref name="to"/> (counted when a working day).</summary>
    public static int WorkingDaysAfter(LocalDate from, LocalDate to, WorkingDayCalendar calendar)
    {
        var n = 0;
        for (var d = from.PlusDays(1); d <= to; d = d.PlusDays(1)) if (calendar.IsWorkingDay(d)) n++;
        return n;
    }
}
