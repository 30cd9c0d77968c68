using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Execution;
using Qualification.Stubs;
using Reqnroll;

namespace Qualification.Runner.Steps;

/// <summary>Steps of the supplier agent appointment process (IF-002 → IF-031 → IF-032/033/034/035 → IF-036).</summary>
[Binding]
public sealed class AppointmentSteps(ScenarioWorld world)
{
    private Instant? _gainReceived;

    /// <summary>CSS reports a pending switch to the supplier under qualification (or the reference supplier).</summary>
    [StepExample("When a switch of 2300000000019 to the supplier effective 2026-01-20 becomes pending")]
    [When(@"^a switch of (\S+) to the supplier effective (\d{4}-\d{2}-\d{2}) becomes pending$")]
    public async Task WhenASwitchBecomesPending(string mpanText, string date)
    {
        var mpan = MarketSteps.Mpan(mpanText);
        var h = world.Harness;
        var effective = NodaTime.Text.LocalDatePattern.Iso.Parse(date).GetValueOrThrow();
        await h.Css.SwitchPendingAsync(mpan, h.Supplier.DipId, h.Supplier.Mpid, effective);
    }

    /// <summary>REC 22.6.1: the supplier sends IF-031 within the given minutes of receiving IF-002.</summary>
    [StepExample("Then the supplier requests a metering service appointment for 2300000000019 within 60 minutes")]
    [Then(@"^the supplier requests a metering service appointment for (\S+) within (\d+) minutes$")]
    public async Task ThenTheSupplierRequestsAnAppointmentWithin(string mpan, int minutes)
    {
        var h = world.Harness;
        var gain = await world.WaitForPublicationAsync("IF-002", "[GainMPANInfo]", mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new InvalidOperationException($"The harness could not deliver IF-002 for {mpan} to {h.Supplier}; see the journal's push records.");
        _gainReceived = ScenarioWorld.TimeOf(gain);
        var limit = Duration.FromMinutes(minutes);
        // Keep watching for as long again after the deadline, so a late request is seen (and reported late, not missing).
        var sent = await world.WaitForSentAsync("IF-031", "[MSApp]", mpan, h.Supplier.DipId, _gainReceived.Value + limit + limit);
        if (sent is null)
            throw new ExpectationFailedException($"{h.Supplier} sent no valid IF-031 [MSApp] for {mpan} within {minutes} minutes of IF-002 (received {MarketTime.ToDip(_gainReceived.Value)}).");
        var took = sent.Value.At - _gainReceived.Value;
        if (took > limit)
            throw new ExpectationFailedException($"{h.Supplier} sent IF-031 [MSApp] for {mpan} {took.TotalMinutes:0} minutes after IF-002; the limit is {minutes} minutes.");
    }

    /// <summary>SMRS validated the request and answered IF-032 with A.</summary>
    [StepExample("Then the registration service accepts the appointment request for 2300000000019")]
    [Then(@"^the registration service accepts the appointment request for (\S+)$")]
    public async Task ThenTheRegistrationServiceAccepts(string mpan)
    {
        var h = world.Harness;
        var response = await world.WaitForPublicationAsync("IF-032", "[MSAppInitialResp]", mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"No IF-032 for {mpan}: the registration service never received a valid IF-031 [MSApp] from {h.Supplier}.");
        var payload = ScenarioWorld.PayloadOf(response);
        var code = ScenarioWorld.Text(payload, "CommonBlock", "R0", "responseCode");
        if (code != "A")
        {
            var reasons = payload?["CommonBlock"]?["R0"]?["responseMessages"]?.AsArray().Select(x => x?.ToString()) ?? [];
            throw new ExpectationFailedException($"The registration service rejected the appointment request for {mpan}: {string.Join("; ", reasons)}.");
        }
    }

    /// <summary>The metering service answered IF-033 with IF-034 A and SMRS confirmed acceptance (IF-035).</summary>
    [StepExample("Then the metering service accepts the appointment for 2300000000019")]
    [Then(@"^the metering service accepts the appointment for (\S+)$")]
    public async Task ThenTheMeteringServiceAccepts(string mpan)
    {
        var h = world.Harness;
        var until = h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience;
        var (answer, code) = await world.WaitForAppointmentAnswerAsync(mpan, until);
        if (code != "A")
            throw new ExpectationFailedException($"{h.MeteringService} rejected the appointment for {mpan}: {ScenarioWorld.Text(answer, "CustomBlock", "B007", "proposedAppointmentResponseCode")}.");
        _ = await world.WaitForPublicationAsync("IF-035", "[MSAppAccepted]", mpan, h.Supplier.DipId, until)
            ?? throw new InvalidOperationException($"The registration service did not publish IF-035 [MSAppAccepted] for {mpan}.");
    }

    /// <summary>IF-036 [MSAppActive] reached both the supplier and the metering service.</summary>
    [StepExample("Then the metering service appointment for 2300000000019 is active")]
    [Then(@"^the metering service appointment for (\S+) is active$")]
    public async Task ThenTheAppointmentIsActive(string mpan)
    {
        var h = world.Harness;
        var until = h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience;
        foreach (var party in new[] { h.Supplier, h.MeteringService })
            _ = await world.WaitForPublicationAsync("IF-036", "[MSAppActive]", mpan, party.DipId, until)
                ?? throw new ExpectationFailedException($"IF-036 [MSAppActive] for {mpan} was not delivered to {party}.");
        var appointment = h.Smrs.Appointments(mpan).LastOrDefault(a => a.ServiceDipId == h.MeteringService.DipId);
        if (appointment?.Status != Stubs.Smrs.AppointmentStatus.Active)
            throw new ExpectationFailedException($"The appointment of {h.MeteringService} to {mpan} is {appointment?.Status.ToString() ?? "missing"}, not Active.");
    }

    /// <summary>CSS completed the switch on its effective date and SMRS told the incoming supplier (IF-001).</summary>
    [StepExample("Then the registration service tells the supplier that the switch of 2300000000019 is complete")]
    [Then(@"^the registration service tells the supplier that the switch of (\S+) is complete$")]
    public async Task ThenTheSwitchIsComplete(string mpan)
    {
        var h = world.Harness;
        var notice = await world.WaitForPublicationAsync("IF-001", null, mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"SMRS sent no IF-001 for {mpan} to {h.Supplier}: the switch did not complete (was it secured at gate closure the evening before?).");
        if (notice.EventCode is not ("[ChangeOfSupplier]" or "[InitialRegistration]"))
            throw new ExpectationFailedException($"SMRS sent IF-001 {notice.EventCode} for {mpan}; a completed switch is [ChangeOfSupplier] or [InitialRegistration].");
    }

    /// <summary>SMRS sent IF-045 [NoMSAppointed] to the supplier.</summary>
    [StepExample("Then the registration service reminds the supplier that no metering service is appointed for 2000056535971")]
    [Then(@"^the registration service reminds the supplier that no metering service is appointed for (\S+)$")]
    public async Task ThenTheRegistrationServiceReminds(string mpan)
    {
        var h = world.Harness;
        var reminder = await world.WaitForPublicationAsync("IF-045", "[NoMSAppointed]", mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new InvalidOperationException($"SMRS sent no IF-045 [NoMSAppointed] for {mpan} to {h.Supplier}; check the scenario's registration and dates.");
        _reminder = ScenarioWorld.TimeOf(reminder);
    }

    private Instant? _reminder;

    /// <summary>SMRS changes the market segment of a metering point (e.g. after a meter exchange), re-checking its metering service's qualification.</summary>
    [StepExample("When the market segment of 2000056535971 changes to advanced")]
    [When(@"^the market segment of (\S+) changes to (smart|advanced|unmetered)$")]
    public async Task WhenTheMarketSegmentChanges(string mpanText, string segment)
    {
        var h = world.Harness;
        await h.Smrs.ChangeMarketSegmentAsync(MarketSteps.Mpan(mpanText).Value, MarketSegments.Parse(segment));
        h.Note($"SMRS changed the market segment of {mpanText} to {segment}");
    }

    /// <summary>SMRS sent IF-045 [InvalidMarketSegment] to the supplier: its metering service is not qualified for the segment.</summary>
    [StepExample("Then the registration service tells the supplier that the metering service of 2000056535971 is not qualified for its market segment")]
    [Then(@"^the registration service tells the supplier that the metering service of (\S+) is not qualified for its market segment$")]
    public async Task ThenTheRegistrationServiceReportsInvalidSegment(string mpan)
    {
        var h = world.Harness;
        var notice = await world.WaitForPublicationAsync("IF-045", "[InvalidMarketSegment]", mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"SMRS sent no IF-045 [InvalidMarketSegment] for {mpan} to {h.Supplier}; is the appointed metering service qualified for the new segment after all?");
        _reminder = ScenarioWorld.TimeOf(notice);
    }

    /// <summary>The supplier answers the reminder with IF-031 within the given minutes.</summary>
    [StepExample("Then the supplier requests a metering service appointment for 2000056535971 within 60 minutes of the reminder")]
    [Then(@"^the supplier requests a metering service appointment for (\S+) within (\d+) minutes of the (?:reminder|notice)$")]
    public async Task ThenTheSupplierActsOnTheReminder(string mpan, int minutes)
    {
        var h = world.Harness;
        var from = _reminder ?? throw new Composition.InputException("No reminder was observed in this scenario; put 'Then the registration service reminds the supplier …' first.");
        var limit = Duration.FromMinutes(minutes);
        var sent = await world.WaitForSentAsync("IF-031", "[MSApp]", mpan, h.Supplier.DipId, from + limit + limit);
        if (sent is null)
            throw new ExpectationFailedException($"{h.Supplier} sent no IF-031 [MSApp] for {mpan} within {minutes} minutes of the IF-045 reminder ({MarketTime.ToDip(from)}).");
        if (sent.Value.At - from > limit)
            throw new ExpectationFailedException($"{h.Supplier} answered the IF-045 reminder for {mpan} after {(sent.Value.At - from).TotalMinutes:0} minutes; the limit is {minutes}.");
    }

    /// <summary>Asks the supplier (through its driver) to appoint the metering service from a date, e.g. retrospectively.</summary>
    [StepExample("When the supplier appoints the metering service to 2300000000019 from 2026-01-10")]
    [When(@"^the supplier appoints the metering service to (\S+) from (\d{4}-\d{2}-\d{2})$")]
    public Task WhenTheSupplierAppointsFrom(string mpanText, string date)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var point = world.DeclaredPoint(mpan);
        var efd = MarketTime.ToDip(MarketTime.StartOfDay(NodaTime.Text.LocalDatePattern.Iso.Parse(date).GetValueOrThrow()));
        return h.Driver.PerformAsync(h.Supplier, "appoint-metering-service", new System.Text.Json.Nodes.JsonObject
        {
            ["mpan"] = mpan.Value, ["distributorDipId"] = point.DistributorDipId, ["gspGroup"] = point.GspGroup,
            ["effectiveFrom"] = efd, ["serviceDipId"] = h.MeteringService.DipId, ["serviceMpid"] = h.MeteringService.Mpid, ["scenario"] = "CSP",
        });
    }

    private Instant? _relationshipAsked;
    private string? _relationshipEvent;
    private long _relationshipJournalMark;

    /// <summary>Asks the supplier (through its driver) to associate an export with its import, or relate a secondary to a primary.</summary>
    [StepExample("When the supplier associates export 1412345678901 to 2300000000019")]
    [StepExample("When the supplier relates secondary 1412345678901 to 2300000000019")]
    [When(@"^the supplier (associates export|relates secondary) (\S+) to (\S+)$")]
    public Task WhenTheSupplierLinks(string how, string subsidiaryText, string principalText) =>
        DecideRelationshipAsync(how == "associates export" ? "associate-import-export" : "relate-metering-points", subsidiaryText, principalText);

    /// <summary>Asks the supplier (through its driver) to add a secondary to an existing relationship.</summary>
    [StepExample("When the supplier adds secondary 1412345678910 to 2300000000019")]
    [When(@"^the supplier adds secondary (\S+) to (\S+)$")]
    public Task WhenTheSupplierAdds(string subsidiaryText, string principalText) =>
        DecideRelationshipAsync("add-related-metering-points", subsidiaryText, principalText);

    /// <summary>Asks the supplier (through its driver) to remove an export or a secondary from its principal.</summary>
    [StepExample("When the supplier removes export 1412345678901 from 2300000000019")]
    [StepExample("When the supplier removes secondary 1412345678901 from 2300000000019")]
    [When(@"^the supplier removes (export|secondary) (\S+) from (\S+)$")]
    public Task WhenTheSupplierRemoves(string kind, string subsidiaryText, string principalText) =>
        DecideRelationshipAsync(kind == "export" ? "remove-import-export" : "remove-related-metering-points", subsidiaryText, principalText);

    private Task DecideRelationshipAsync(string action, string subsidiaryText, string principalText)
    {
        var h = world.Harness;
        var principal = MarketSteps.Mpan(principalText);
        var subsidiary = MarketSteps.Mpan(subsidiaryText);
        var point = world.DeclaredPoint(principal);
        _relationshipAsked = h.Clock.GetCurrentInstant();
        _relationshipEvent = Domain.Dip.RelationshipChanges.EventByAction[action];
        // Later steps look only at what follows this decision, not at an earlier one in the scenario.
        _relationshipJournalMark = h.Journal.Count;
        return h.Driver.PerformAsync(h.Supplier, action, new System.Text.Json.Nodes.JsonObject
        {
            ["mpan"] = principal.Value, ["subsidiaryMpan"] = subsidiary.Value, ["distributorDipId"] = point.DistributorDipId, ["gspGroup"] = point.GspGroup,
        });
    }

    /// <summary>IF-019 from the supplier within the given minutes of the decision.</summary>
    [StepExample("Then the supplier requests the relationship for 2300000000019 within 60 minutes")]
    [Then(@"^the supplier requests the relationship for (\S+) within (\d+) minutes$")]
    public async Task ThenTheSupplierRequestsTheRelationship(string principal, int minutes)
    {
        var h = world.Harness;
        var from = _relationshipAsked ?? throw new Composition.InputException("No relationship was asked for in this scenario; put 'When the supplier associates export …' first.");
        var limit = Duration.FromMinutes(minutes);
        var sent = await world.WaitForSentAsync("IF-019", _relationshipEvent!, principal, h.Supplier.DipId, from + limit + limit)
            ?? throw new ExpectationFailedException($"{h.Supplier} sent no valid IF-019 {_relationshipEvent} for principal {principal} within {minutes} minutes.");
        if (sent.At - from > limit)
            throw new ExpectationFailedException($"{h.Supplier} sent IF-019 for {principal} {(sent.At - from).TotalMinutes:0} minutes after deciding; the limit is {minutes}.");
    }

    /// <summary>IF-020 with response A reached the supplier.</summary>
    [StepExample("Then the registration service confirms the relationship for 2300000000019")]
    [Then(@"^the registration service confirms the relationship for (\S+)$")]
    public async Task ThenTheRegistrationServiceConfirmsTheRelationship(string principal)
    {
        var h = world.Harness;
        var push = await world.WaitForAsync(r => r.Sequence > _relationshipJournalMark && r.Kind == JournalKind.Push && r.InterfaceId == "IF-020" && r.Mpan == principal
                                                 && r.To == h.Supplier.DipId && (r.Status is >= 200 and < 300 || r.Url is null && r.Status is null),
                       h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"No IF-020 for {principal} reached {h.Supplier} after its last relationship decision.");
        var payload = ScenarioWorld.PayloadOf(push);
        if (ScenarioWorld.Text(payload, "CommonBlock", "R0", "responseCode") != "A")
            throw new ExpectationFailedException($"SMRS refused the relationship for {principal}: {string.Join("; ", payload?["CommonBlock"]?["R0"]?["responseMessages"]?.AsArray().Select(x => x?.ToString()) ?? [])}.");
    }

    /// <summary>SMRS now has the metering service under qualification (or the harness's incumbent, e.g. reinstated after a removal) appointed to the metering point.</summary>
    [StepExample("Then the metering service is appointed to 1412345678901")]
    [StepExample("Then the incumbent metering service is appointed to 1412345678901")]
    [Then(@"^the (metering service|incumbent metering service) is appointed to (\S+)$")]
    public void ThenTheMeteringServiceIsAppointedTo(string which, string mpan)
    {
        var h = world.Harness;
        var (dipId, mpid) = which == "metering service" ? (h.MeteringService.DipId, h.MeteringService.Mpid) : (HarnessParties.IncumbentMeteringServiceDipId, HarnessParties.IncumbentMeteringServiceMpid);
        var appointed = h.Smrs.AppointedMeteringService(mpan, h.Clock.GetCurrentInstant());
        if (appointed?.ServiceDipId != dipId)
            throw new ExpectationFailedException($"{mpan} has {(appointed is null ? "no metering service" : appointed.ServiceMpid)} appointed, not {mpid}.");
    }
}
