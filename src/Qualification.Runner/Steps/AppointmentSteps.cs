using NodaTime;
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
    [When(@"^a switch of (\S+) to the supplier effective (\d{4}-\d{2}-\d{2}) becomes pending$")]
    public async Task WhenASwitchBecomesPending(string mpanText, string date)
    {
        var mpan = MarketSteps.Mpan(mpanText);
        var h = world.Harness;
        var effective = NodaTime.Text.LocalDatePattern.Iso.Parse(date).GetValueOrThrow();
        await h.Css.SwitchPendingAsync(mpan, h.Supplier.DipId, h.Supplier.Mpid, effective);
    }

    /// <summary>REC 22.6.1: the supplier sends IF-031 within the given minutes of receiving IF-002.</summary>
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
    [Then(@"^the metering service accepts the appointment for (\S+)$")]
    public async Task ThenTheMeteringServiceAccepts(string mpan)
    {
        var h = world.Harness;
        var until = h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience;
        var answer = await world.WaitForSentAsync("IF-034", "[MSAppSPResponse]", mpan, h.MeteringService.DipId, until)
            ?? throw new ExpectationFailedException($"{h.MeteringService} did not answer the appointment request (IF-033) for {mpan} with a valid IF-034.");
        var code = ScenarioWorld.Text(answer.Payload, "CustomBlock", "B007", "responseCode");
        if (code != "A")
            throw new ExpectationFailedException($"{h.MeteringService} rejected the appointment for {mpan}: {ScenarioWorld.Text(answer.Payload, "CustomBlock", "B007", "proposedAppointmentResponseCode")}.");
        _ = await world.WaitForPublicationAsync("IF-035", "[MSAppAccepted]", mpan, h.Supplier.DipId, until)
            ?? throw new InvalidOperationException($"The registration service did not publish IF-035 [MSAppAccepted] for {mpan}.");
    }

    /// <summary>IF-036 [MSAppActive] reached both the supplier and the metering service.</summary>
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
}
