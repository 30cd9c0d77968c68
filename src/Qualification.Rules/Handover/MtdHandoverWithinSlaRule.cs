using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Handover;

/// <summary>
/// When SMRS tells the incumbent (losing) metering service that a new service was accepted
/// (IF-035 [IMS-SendMTD]), the losing service sends the current meter technical details to the
/// gaining one within the catalogue's SLA (REC deck: "Losing MOA to share MTDs within 120 minutes of
/// appointment acceptance notification"). Advanced metering points: a valid D0268 addressed to the
/// gaining service's MPID (B070) that carries the MPAN. Smart points are not judged (SMRS shares
/// their MTDs in IF-036); Traditional D0149/D0150 are not judged by this rule.
/// </summary>
[Requirement("REC-MO-IMS-120MIN")]
[Name("Losing metering service sends MTDs to the gaining one")]
public sealed class MtdHandoverWithinSlaRule : Rule
{
    private const string Id = "REC-MO-IMS-120MIN";

    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        CalendarFact calendar = null!;
        ObservedMessage notice = null!;
        Candidate service = null!;
        ObservationWindow window = null!;
        IEnumerable<ObservedMessage> publications = null!;
        IEnumerable<ObservedFlow> flows = null!;

        When()
            .Match(() => requirement, r => r.Id == Id)
            .Match(() => calendar)
            .Match(() => notice, m => m.Direction == Direction.Published && m.InterfaceId == "IF-035" && m.EventCode == "[IMS-SendMTD]")
            .Match(() => service, c => DipRole.IsMeteringService(c.Role) && c.Mpid != null, c => c.DipId == notice.RecipientDipId)
            .Match(() => window, w => w.Scenario == notice.Scenario)
            .Query(() => publications, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Published, m => m.Scenario == notice.Scenario && m.Mpan == notice.Mpan)
                .Collect())
            .Query(() => flows, q => q
                .Match<ObservedFlow>(f => !f.FromHarness, f => f.Scenario == notice.Scenario && f.SenderMpid == service.Mpid)
                .Collect());
        Then()
            .Do(ctx => ctx.InsertAll(Judge(requirement, notice, service, publications, flows, window, calendar)));
    }

    private static IEnumerable<Finding> Judge(Requirement requirement, ObservedMessage notice, Candidate service, IEnumerable<ObservedMessage> publications,
        IEnumerable<ObservedFlow> flows, ObservationWindow window, CalendarFact calendar)
    {
        if (HandoverFacts.Segment(publications) != "A") yield break;
        var sla = requirement.Sla ?? throw new InvalidOperationException($"{Id} needs an 'sla' in the catalogue.");
        var deadline = sla.DeadlineFrom(notice.MarketTime, calendar.Calendar);
        var gaining = notice.CustomBlock.Text("B070", "proposedMeteringServiceMPID");
        var trigger = new EvidenceItem(notice.Id, "trigger: " + notice.Describe(), notice.MarketTime);
        if (gaining is null)
        {
            yield return new Finding(Id, Verdict.Review, notice.Scenario, notice.Mpan,
                "IF-035 [IMS-SendMTD] names no gaining metering service MPID (B070); check the D0268s by hand", [trigger]);
            yield break;
        }
        var d0268s = flows.Where(f => f.FlowId == "D0268" && f.Mpans.Contains(notice.Mpan) && f.MarketTime >= notice.MarketTime).OrderBy(f => f.MarketTime).ToList();
        var first = d0268s.FirstOrDefault(f => f.Valid && f.RecipientMpid == gaining);
        if (first is not null)
        {
            var took = first.MarketTime - notice.MarketTime;
            var evidence = new[] { trigger, new EvidenceItem(first.Id, "response: " + first.Describe(), first.MarketTime) };
            yield return first.MarketTime <= deadline
                ? new Finding(Id, Verdict.Passed, notice.Scenario, notice.Mpan, $"D0268 sent to the gaining metering service {gaining} {HandoverFacts.Minutes(took)} after IF-035 [IMS-SendMTD] (limit {sla.Describe()})", evidence)
                : new Finding(Id, Verdict.Failed, notice.Scenario, notice.Mpan,
                    $"D0268 sent to the gaining metering service {gaining} {HandoverFacts.Minutes(took)} after IF-035 [IMS-SendMTD], later than the limit of {sla.Describe()} (deadline {MarketTime.ToDip(deadline)})", evidence);
            yield break;
        }
        var others = d0268s.Count == 0 ? "" : $"; what was sent instead: {HandoverFacts.List(d0268s)}";
        yield return window.End >= deadline
            ? new Finding(Id, Verdict.Failed, notice.Scenario, notice.Mpan,
                $"no valid D0268 for {notice.Mpan} from {service.Mpid} to the gaining metering service {gaining} within {sla.Describe()} of IF-035 [IMS-SendMTD] (deadline {MarketTime.ToDip(deadline)}; observed until {MarketTime.ToDip(window.End)}){others}",
                [trigger, .. d0268s.Select(f => new EvidenceItem(f.Id, f.Describe(), f.MarketTime))])
            : new Finding(Id, Verdict.NotObserved, notice.Scenario, notice.Mpan,
                $"no D0268 to {gaining} yet; observation ended at {MarketTime.ToDip(window.End)}, before the deadline {MarketTime.ToDip(deadline)}{others}", [trigger]);
    }
}
