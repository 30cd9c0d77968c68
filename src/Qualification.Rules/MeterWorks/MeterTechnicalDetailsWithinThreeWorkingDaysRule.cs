using System.Linq.Expressions;
using NodaTime;
using NRules.Fluent.Dsl;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.MeterWorks;

/// <summary>
/// After meter works (install, exchange, removal), the metering service sends the new meter
/// technical details to SMRS by IF-005 within 3 working days (REC deck: "3WD SLA for issuing
/// meter updates following meter works").
/// </summary>
[Requirement("REC-MO-MTD-IF005-3WD")]
[Name("MTDs reach SMRS within 3 working days of meter works")]
public sealed class MeterTechnicalDetailsWithinThreeWorkingDaysRule : ActionResponseRule
{
    /// <inheritdoc />
    protected override Expression<Func<ObservedAction, bool>> Trigger => a => a.IsMeterWorks;

    /// <inheritdoc />
    protected override Expression<Func<ObservedMessage, bool>> Response => m => m.InterfaceId == "IF-005";

    /// <inheritdoc />
    protected override IEnumerable<Finding> Judge(Requirement requirement, ObservedAction works, IEnumerable<ObservedMessage> updates, ObservationWindow window, CalendarFact calendar)
    {
        var sla = requirement.Sla ?? throw new InvalidOperationException($"{requirement.Id} needs an sla in the catalogue.");
        var deadline = sla.DeadlineFrom(works.MarketTime, calendar.Calendar);
        var first = updates.Where(u => u.MarketTime >= works.MarketTime).OrderBy(u => u.MarketTime).FirstOrDefault();
        var evidence = new List<EvidenceItem> { new(works.Id, works.Describe(), works.MarketTime) };
        if (first is null)
        {
            yield return window.End >= deadline
                ? new Finding(requirement.Id, Verdict.Failed, works.Scenario, works.Mpan, $"no IF-005 for the {works.Action} by {MarketTime.ToDip(deadline)} ({sla.Describe()})", evidence)
                : new Finding(requirement.Id, Verdict.NotObserved, works.Scenario, works.Mpan, $"no IF-005 yet; observation ended before the deadline {MarketTime.ToDip(deadline)}", evidence);
            yield break;
        }
        evidence.Add(new EvidenceItem(first.Id, first.Describe(), first.MarketTime));
        var days = WorkingDaysBetween(works.MarketTime, first.MarketTime, calendar.Calendar);
        yield return first.MarketTime <= deadline
            ? new Finding(requirement.Id, Verdict.Passed, works.Scenario, works.Mpan, $"IF-005 {first.EventCode} sent {days} working day(s) after the works (limit {sla.Describe()})", evidence)
            : new Finding(requirement.Id, Verdict.Failed, works.Scenario, works.Mpan,
                $"IF-005 {first.EventCode} sent {MarketTime.ToDip(first.MarketTime)}, {days} working days after the works; the deadline was {MarketTime.ToDip(deadline)} ({sla.Describe()})", evidence);
    }

    private static int WorkingDaysBetween(Instant from, Instant to, WorkingDayCalendar calendar)
    {
        var d = MarketTime.LocalDateOf(from);
        var end = MarketTime.LocalDateOf(to);
        var n = 0;
        while (d < end) { d = d.PlusDays(1); if (calendar.IsWorkingDay(d)) n++; }
        return n;
    }
}
