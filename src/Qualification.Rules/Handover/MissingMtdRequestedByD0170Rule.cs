using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Handover;

/// <summary>
/// The gaining metering service of an Advanced metering point requests missing MTDs from the losing
/// one with D0170 (REC deck "Supplier agent appointment" note 3). The losing service has the window of
/// REC-MO-IMS-120MIN (its catalogue SLA) from the appointment acceptance (IF-035 [MSAppAccepted], the
/// same moment SMRS sends it IF-035 [IMS-SendMTD]) to send D0268. When the window closes without a
/// D0268, the gaining service's D0170 to the losing service (named to it in IF-033 B072) is due within
/// this requirement's own SLA. A D0170 sent before the window closes is not a failure; a D0268 that
/// arrives first makes the request unnecessary (NOT_OBSERVED when none is sent; WARNING when one is
/// sent after the MTDs arrived).
/// </summary>
[Requirement("REC-MO-D0170-MISSINGMTD")]
[Name("Gaining metering service requests missing MTDs by D0170")]
public sealed class MissingMtdRequestedByD0170Rule : Rule
{
    private const string Id = "REC-MO-D0170-MISSINGMTD";
    private const string HandoverId = "REC-MO-IMS-120MIN";

    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        Requirement handover = null!;
        CalendarFact calendar = null!;
        ObservedMessage accepted = null!;
        Candidate service = null!;
        ObservationWindow window = null!;
        IEnumerable<ObservedMessage> publications = null!;
        IEnumerable<ObservedFlow> flows = null!;

        When()
            .Match(() => requirement, r => r.Id == Id)
            .Match(() => handover, r => r.Id == HandoverId)
            .Match(() => calendar)
            .Match(() => accepted, m => m.Direction == Direction.Published && m.InterfaceId == "IF-035" && m.EventCode == "[MSAppAccepted]")
            .Match(() => service, c => DipRole.IsMeteringService(c.Role) && c.Mpid != null, c => c.DipId == accepted.RecipientDipId)
            .Match(() => window, w => w.Scenario == accepted.Scenario)
            .Query(() => publications, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Published, m => m.Scenario == accepted.Scenario && m.Mpan == accepted.Mpan)
                .Collect())
            .Query(() => flows, q => q
                .Match<ObservedFlow>(f => f.Scenario == accepted.Scenario)
                .Collect());
        Then()
            .Do(ctx => ctx.InsertAll(Judge(requirement, handover, accepted, service, publications, flows, window, calendar)));
    }

    private static IEnumerable<Finding> Judge(Requirement requirement, Requirement handover, ObservedMessage accepted, Candidate service,
        IEnumerable<ObservedMessage> publications, IEnumerable<ObservedFlow> flows, ObservationWindow window, CalendarFact calendar)
    {
        // Only the acceptance of this service's own appointment, at an Advanced point, with an incumbent to ask.
        if (accepted.CustomBlock.Text("B070", "proposedMeteringServiceDIPID") != service.DipId) yield break;
        var published = publications.ToList();
        if (HandoverFacts.Segment(published) != "A") yield break;
        var request = published.FirstOrDefault(p => p.InterfaceId == "IF-033" && p.RecipientDipId == service.DipId && p.CustomBlock?["B072"] is not null);
        var losing = request?.CustomBlock.Text("B072", "incumbentMeteringServiceMPID");
        if (losing is null || losing == service.Mpid) yield break;

        var window120 = handover.Sla ?? throw new InvalidOperationException($"{HandoverId} needs an 'sla' in the catalogue.");
        var sla = requirement.Sla ?? throw new InvalidOperationException($"{Id} needs an 'sla' in the catalogue.");
        var due = window120.DeadlineFrom(accepted.MarketTime, calendar.Calendar);
        var deadline = sla.DeadlineFrom(due, calendar.Calendar);
        var mine = flows.Where(f => f.Mpans.Contains(accepted.Mpan) && f.MarketTime >= accepted.MarketTime).OrderBy(f => f.MarketTime).ToList();
        var mtd = mine.FirstOrDefault(f => f.FlowId == "D0268" && f.SenderMpid == losing && f.RecipientMpid == service.Mpid);
        var d0170s = mine.Where(f => f.FlowId == "D0170" && !f.FromHarness && f.SenderMpid == service.Mpid).ToList();
        var d0170 = d0170s.FirstOrDefault(f => f.Valid && f.RecipientMpid == losing);
        var evidence = new List<EvidenceItem> { new(accepted.Id, "trigger: " + accepted.Describe(), accepted.MarketTime) };
        if (mtd is not null) evidence.Add(new EvidenceItem(mtd.Id, "MTDs from the losing service: " + mtd.Describe(), mtd.MarketTime));
        if (d0170 is not null)
        {
            evidence.Add(new EvidenceItem(d0170.Id, "request: " + d0170.Describe(), d0170.MarketTime));
            var took = HandoverFacts.Minutes(d0170.MarketTime - accepted.MarketTime);
            if (mtd is not null && mtd.MarketTime <= d0170.MarketTime)
                yield return new Finding(Id, Verdict.Warning, accepted.Scenario, accepted.Mpan,
                    $"D0170 sent to {losing} at {MarketTime.ToDip(d0170.MarketTime)}, after the losing service's D0268 had arrived ({MarketTime.ToDip(mtd.MarketTime)}): the request was not needed", evidence);
            else if (d0170.MarketTime <= deadline)
                yield return new Finding(Id, Verdict.Passed, accepted.Scenario, accepted.Mpan,
                    $"no D0268 from the losing service {losing}; D0170 sent to it {took} after IF-035 [MSAppAccepted] (due once {window120.Describe()} passed without MTDs, limit {sla.Describe()} after that; deadline {MarketTime.ToDip(deadline)})", evidence);
            else
                yield return new Finding(Id, Verdict.Failed, accepted.Scenario, accepted.Mpan,
                    $"D0170 sent to the losing service {losing} {took} after IF-035 [MSAppAccepted], after the deadline {MarketTime.ToDip(deadline)} ({window120.Describe()} for the losing service's MTDs, then {sla.Describe()})", evidence);
            yield break;
        }
        if (mtd is not null && mtd.MarketTime <= deadline)
        {
            yield return new Finding(Id, Verdict.NotObserved, accepted.Scenario, accepted.Mpan,
                $"the losing service {losing} sent its D0268 at {MarketTime.ToDip(mtd.MarketTime)}; no D0170 was needed and none was sent", evidence);
            yield break;
        }
        var others = d0170s.Count == 0 ? "" : $"; what was sent instead: {HandoverFacts.List(d0170s)}";
        yield return window.End >= deadline
            ? new Finding(Id, Verdict.Failed, accepted.Scenario, accepted.Mpan,
                $"no D0268 from the losing service {losing} within {window120.Describe()}, and no valid D0170 to it by {MarketTime.ToDip(deadline)} ({sla.Describe()} after the window closed; observed until {MarketTime.ToDip(window.End)}){others}", evidence)
            : new Finding(Id, Verdict.NotObserved, accepted.Scenario, accepted.Mpan,
                $"no D0170 yet; observation ended at {MarketTime.ToDip(window.End)}, before the deadline {MarketTime.ToDip(deadline)}{others}", evidence);
    }
}
