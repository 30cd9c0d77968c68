using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Appointments;

/// <summary>
/// REC Schedule 14 steps 22.6.1 and 22.6.3: when a proposed metering service appointment is rejected,
/// by SMRS (IF-032 R) for a reason about the proposed service or by the service itself (IF-035
/// [MSAppRejected]), the supplier proposes a metering service again (a new valid IF-031 that SMRS
/// does not reject) within the catalogue's SLA, as long as no other appointment covers the point.
/// </summary>
[Requirement(RequirementId)]
[Name("Supplier proposes a metering service again after a rejection")]
public sealed class RejectedAppointmentReproposedRule : Rule
{
    /// <summary>The requirement this rule judges.</summary>
    public const string RequirementId = "REC-MO-22.6.3-REPROPOSE";

    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedMessage rejection = null!;
        Candidate supplier = null!;
        ObservationWindow window = null!;
        CalendarFact calendar = null!;
        IEnumerable<ObservedMessage> related = null!;

        When()
            .Match(() => requirement, r => r.Id == RequirementId)
            .Match(() => calendar)
            .Match(() => rejection, m => m.Direction == Direction.Published && RejectedAppointment.IsTrigger(m))
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == rejection.RecipientDipId)
            .Match(() => window, w => w.Scenario == rejection.Scenario)
            .Query(() => related, q => q
                .Match<ObservedMessage>(m => RejectedAppointment.IsAppointmentTraffic(m),
                    m => m.Scenario == rejection.Scenario && m.Mpan == rejection.Mpan
                         && (m.SenderDipId == supplier.DipId || m.RecipientDipId == supplier.DipId))
                .Collect());
        Then()
            .Do(ctx => ctx.Insert(RejectedAppointment.Judge(requirement, rejection, supplier.DipId, related, window, calendar.Calendar)));
    }
}

/// <summary>The judgement behind <see cref="RejectedAppointmentReproposedRule"/>.</summary>
internal static class RejectedAppointment
{
    // SMRS rejections that concern the proposed service, which a different proposal can cure:
    // not qualified for the segment, unknown service DIP id, MPID not matching the DIP id.
    private static readonly string[] ServiceCodes = ["REG1031", "REG1090", "REG1091"];

    // Scenarios in which a service already stands while the proposal is considered: a change (CSP) or
    // update (USP) of the current service, and a current supplier's migration (MCA, legacy agent).
    private static readonly string[] StandingServiceScenarios = ["CSP", "USP", "MCA"];

    /// <summary>True for a rejection that obliges the supplier to propose again.</summary>
    public static bool IsTrigger(ObservedMessage m)
    {
        if (StandingServiceScenarios.Contains(m.CustomBlock.Text("B070", "appointmentScenario"))) return false;
        return m.InterfaceId switch
        {
            "IF-035" => m.EventCode == "[MSAppRejected]",
            // Only when every reason concerns the proposed service: a rejection that also finds fault with the
            // request itself (dates, scenario, REG1021 no registration) is judged by the requirements on those.
            "IF-032" => m.EventCode == "[MSAppInitialResp]" && m.ResponseCode == "R" && m.ResponseMessages.Count > 0
                        && m.ResponseMessages.All(r => ServiceCodes.Any(c => r.StartsWith(c, StringComparison.Ordinal))),
            _ => false,
        };
    }

    /// <summary>The supplier's proposals and SMRS's answers to it, which the judgement reads.</summary>
    public static bool IsAppointmentTraffic(ObservedMessage m) =>
        (m.Direction == Direction.Sent && m.InterfaceId == "IF-031" && m.EventCode == "[MSApp]")
        || (m.Direction == Direction.Published && m.InterfaceId == "IF-032" && m.EventCode == "[MSAppInitialResp]")
        || (m.Direction == Direction.Published && m.InterfaceId == "IF-035" && m.EventCode is "[MSAppAccepted]" or "[MSAppLapsed]");

    /// <summary>
    /// PASSED when a new valid IF-031 that SMRS does not reject follows within the SLA; WARNING when it
    /// proposes the very service that declined; FAILED when it is late or missing by the deadline;
    /// NOT_OBSERVED when observation ended first or when another appointment already covers the point.
    /// </summary>
    public static Finding Judge(Requirement requirement, ObservedMessage rejection, string supplierDipId, IEnumerable<ObservedMessage> related, ObservationWindow window,
        WorkingDayCalendar calendar)
    {
        var sla = requirement.Sla ?? throw new InvalidOperationException($"Requirement {requirement.Id} needs an 'sla' in the catalogue.");
        var deadline = sla.DeadlineFrom(rejection.MarketTime, calendar);
        var traffic = related.OrderBy(m => m.MarketTime).ThenBy(Seq).ToList();
        var rejectedService = rejection.CustomBlock.Text("B070", "proposedMeteringServiceDIPID");
        var what = rejection.InterfaceId == "IF-035" ? "IF-035 [MSAppRejected]" : $"IF-032 rejection ({string.Join("; ", rejection.ResponseMessages)})";
        var trigger = new EvidenceItem(rejection.Id, "rejection: " + rejection.Describe(), rejection.MarketTime);

        // Another proposal of this supplier accepted earlier, and not lapsed since, already covers the point.
        var covering = traffic.LastOrDefault(m => m.InterfaceId == "IF-035" && m.EventCode == "[MSAppAccepted]" && m.RecipientDipId == supplierDipId
                                                  && m.MarketTime <= rejection.MarketTime && Service(m) != rejectedService
                                                  && !traffic.Any(l => l.EventCode == "[MSAppLapsed]" && l.MarketTime >= m.MarketTime && l.MarketTime <= rejection.MarketTime && Service(l) == Service(m)));
        if (covering is not null)
            return new Finding(requirement.Id, Verdict.NotObserved, rejection.Scenario, rejection.Mpan,
                $"no new proposal demanded after {what}: the appointment of {Service(covering)} accepted at {MarketTime.ToDip(covering.MarketTime)} covers the metering point",
                [trigger, new EvidenceItem(covering.Id, "covering appointment: " + covering.Describe(), covering.MarketTime)]);

        // The proposal the rejection answers is the supplier's last one naming that service before SMRS
        // published it (journal order: market times can share a second at a high time scale).
        var original = traffic.LastOrDefault(m => m.Direction == Direction.Sent && m.SenderDipId == supplierDipId && Seq(m) < Seq(rejection) && Service(m) == rejectedService);
        // A new proposal counts when the DIP accepted it and SMRS did not reject it (its IF-032 is the first after it naming the same service).
        ObservedMessage? reproposal = null;
        var refused = new List<ObservedMessage>();
        foreach (var request in traffic.Where(m => m.Direction == Direction.Sent && m.SenderDipId == supplierDipId && m.SchemaValid && m.MarketTime >= rejection.MarketTime && m != original))
        {
            var answer = traffic.Where(m => m.InterfaceId == "IF-032" && m.RecipientDipId == supplierDipId && Seq(m) > Seq(request) && Service(m) == Service(request) && m != rejection)
                .OrderBy(Seq).FirstOrDefault();
            if (answer?.ResponseCode == "R") { refused.Add(request); continue; }
            reproposal = request;
            break;
        }
        var refusedNote = refused.Count == 0 ? "" : $"; {refused.Count} later IF-031 rejected by SMRS again do not count ({string.Join(", ", refused.Select(r => MarketTime.ToDip(r.MarketTime)))})";
        var refusedEvidence = refused.Select(r => new EvidenceItem(r.Id, "rejected again: " + r.Describe(), r.MarketTime));
        if (reproposal is not null)
        {
            var took = reproposal.MarketTime - rejection.MarketTime;
            var evidence = new[] { trigger }.Concat(refusedEvidence).Append(new EvidenceItem(reproposal.Id, "new proposal: " + reproposal.Describe(), reproposal.MarketTime)).ToList();
            if (reproposal.MarketTime > deadline)
                return new Finding(requirement.Id, Verdict.Failed, rejection.Scenario, rejection.Mpan,
                    $"new IF-031 [MSApp] proposing {Service(reproposal)} sent {Minutes(took)} after {what}, later than the limit of {sla.Describe()} (deadline {MarketTime.ToDip(deadline)}){refusedNote}", evidence);
            // The service that declined is asked again: possibly after the reason was resolved, so doubtful rather than wrong.
            if (rejection.InterfaceId == "IF-035" && Service(reproposal) == rejectedService)
                return new Finding(requirement.Id, Verdict.Warning, rejection.Scenario, rejection.Mpan,
                    $"new IF-031 [MSApp] sent {Minutes(took)} after {what}, but it proposes {rejectedService}, the service that declined; check that the reason for its rejection was resolved{refusedNote}", evidence);
            return new Finding(requirement.Id, Verdict.Passed, rejection.Scenario, rejection.Mpan,
                $"new IF-031 [MSApp] proposing {Service(reproposal)} (in place of {rejectedService}) sent {Minutes(took)} after {what} (limit {sla.Describe()}){refusedNote}", evidence);
        }
        var missingEvidence = new[] { trigger }.Concat(refusedEvidence).ToList();
        return window.End >= deadline
            ? new Finding(requirement.Id, Verdict.Failed, rejection.Scenario, rejection.Mpan,
                $"no new IF-031 [MSApp] that SMRS did not reject within {sla.Describe()} of {what} for {rejectedService} (deadline {MarketTime.ToDip(deadline)}; observed until {MarketTime.ToDip(window.End)}){refusedNote}", missingEvidence)
            : new Finding(requirement.Id, Verdict.NotObserved, rejection.Scenario, rejection.Mpan,
                $"no new IF-031 [MSApp] yet after {what}; observation ended at {MarketTime.ToDip(window.End)}, before the deadline {MarketTime.ToDip(deadline)}{refusedNote}", missingEvidence);
    }

    // Journal sequence of a fact ("J12#0" or "J12"): the order the harness recorded things in.
    private static long Seq(ObservedMessage m)
    {
        var digits = m.Id.AsSpan(1);
        var hash = digits.IndexOf('#');
        return long.TryParse(hash < 0 ? digits : digits[..hash], out var seq) ? seq : long.MaxValue;
    }

    private static string? Service(ObservedMessage m) => m.CustomBlock.Text("B070", "proposedMeteringServiceDIPID");

    private static string Minutes(NodaTime.Duration d) => d.TotalMinutes < 1 ? $"{d.TotalSeconds:0} seconds" : $"{d.TotalMinutes:0.#} minutes";
}
