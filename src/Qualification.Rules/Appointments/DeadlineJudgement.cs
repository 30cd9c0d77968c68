using NodaTime;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Appointments;

/// <summary>
/// The shared judgement of "after trigger T, the candidate sends R within the SLA": PASSED when the
/// first response is in time, FAILED when it is late or when the deadline passed under observation
/// without one, NOT_OBSERVED when observation ended before the deadline.
/// </summary>
internal static class DeadlineJudgement
{
    public static Finding Judge(Requirement requirement, ObservedMessage trigger, IEnumerable<ObservedMessage> responses, ObservationWindow window,
        WorkingDayCalendar calendar, string responseName)
    {
        var sla = requirement.Sla ?? throw new InvalidOperationException($"Requirement {requirement.Id} needs an 'sla' in the catalogue.");
        var deadline = sla.DeadlineFrom(trigger.MarketTime, calendar);
        var first = responses.Where(r => r.MarketTime >= trigger.MarketTime).OrderBy(r => r.MarketTime).FirstOrDefault();
        var triggerEvidence = new EvidenceItem(trigger.Id, "trigger: " + trigger.Describe(), trigger.MarketTime);
        if (first is not null)
        {
            var took = first.MarketTime - trigger.MarketTime;
            var evidence = new[] { triggerEvidence, new EvidenceItem(first.Id, "response: " + first.Describe(), first.MarketTime) };
            return first.MarketTime <= deadline
                ? new Finding(requirement.Id, Verdict.Passed, trigger.Scenario, trigger.Mpan, $"{responseName} sent {Minutes(took)} after {trigger.InterfaceId} (limit {sla.Describe()})", evidence)
                : new Finding(requirement.Id, Verdict.Failed, trigger.Scenario, trigger.Mpan,
                    $"{responseName} sent {Minutes(took)} after {trigger.InterfaceId}, later than the limit of {sla.Describe()} (deadline {MarketTime.ToDip(deadline)})", evidence);
        }
        return window.End >= deadline
            ? new Finding(requirement.Id, Verdict.Failed, trigger.Scenario, trigger.Mpan,
                $"no {responseName} within {sla.Describe()} of {trigger.InterfaceId} (deadline {MarketTime.ToDip(deadline)}; observed until {MarketTime.ToDip(window.End)})", [triggerEvidence])
            : new Finding(requirement.Id, Verdict.NotObserved, trigger.Scenario, trigger.Mpan,
                $"no {responseName} yet; observation ended at {MarketTime.ToDip(window.End)}, before the deadline {MarketTime.ToDip(deadline)}", [triggerEvidence]);
    }

    private static string Minutes(Duration d) => d.TotalMinutes < 1 ? $"{d.TotalSeconds:0} seconds" : $"{d.TotalMinutes:0.#} minutes";
}
