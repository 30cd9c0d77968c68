using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Composition;
using Qualification.Runner.Execution;
using Qualification.Stubs.Dip;
using Reqnroll;

namespace Qualification.Runner.Steps;

/// <summary>
/// Steps of a rejected metering service appointment (REC Schedule 14 step 22.6.3): the proposed
/// metering service declines (IF-034 R, then IF-035 [MSAppRejected]) or SMRS rejects the proposal
/// (IF-032 R), and the supplier proposes a metering service again.
/// </summary>
[Binding]
public sealed class RejectedAppointmentSteps(ScenarioWorld world)
{
    private Participant? _qualifiedBefore;
    private Instant? _rejectedAt;
    private string? _rejectedService;
    private string? _newService;

    /// <summary>Asks the metering service (through its driver) to decline every appointment to the metering point from now on.</summary>
    [StepExample("Given the metering service declines appointments to 2300000000019")]
    [Given(@"^the metering service declines appointments to (\S+)$")]
    public Task GivenTheMeteringServiceDeclines(string mpanText)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var point = world.DeclaredPoint(mpan);
        // Declining is a business decision the harness stages to test a supplier; a metering service under qualification is not asked to make it.
        if (h.Options.Candidate is { } candidate && candidate.DipId == h.MeteringService.DipId)
            throw new ScenarioSkippedException($"{h.MeteringService} is under qualification; this scenario needs the reference metering service to decline an appointment to test the supplier.");
        return h.Driver.PerformAsync(h.MeteringService, "decline-appointments", new JsonObject
        {
            ["mpan"] = mpan.Value, ["distributorDipId"] = point.DistributorDipId, ["gspGroup"] = point.GspGroup,
        });
    }

    /// <summary>
    /// SMRS holds the metering service as not qualified for a market segment (for this scenario only),
    /// so it rejects proposals of it to metering points in that segment (REG1031).
    /// </summary>
    [StepExample("Given the metering service is not qualified for the advanced market segment")]
    [Given(@"^the metering service is not qualified for the (smart|advanced|unmetered) market segment$")]
    public void GivenTheMeteringServiceIsNotQualified(string segment)
    {
        var h = world.Harness;
        var current = h.Directory.Find(h.MeteringService.DipId)
            ?? throw new InvalidOperationException($"{h.MeteringService} is not registered with the DIP.");
        var code = MarketSegments.Parse(segment).Code();
        _qualifiedBefore ??= current;
        h.Directory.Add(current with { Segments = current.Segments.Where(s => s != code).ToHashSet() });
        h.Note($"SMRS holds {h.MeteringService} as not qualified for market segment {code} in this scenario");
    }

    /// <summary>A qualification withdrawn for a scenario never outlives it.</summary>
    [AfterScenario]
    public void RestoreQualification()
    {
        if (_qualifiedBefore is null) return;
        world.Harness.Directory.Add(_qualifiedBefore);
        _qualifiedBefore = null;
    }

    /// <summary>The metering service answered its appointment request with a rejection (IF-034 R), and SMRS told the supplier (IF-035 [MSAppRejected]).</summary>
    [StepExample("Then the metering service declines the appointment for 2300000000019")]
    [Then(@"^the metering service declines the appointment for (\S+)$")]
    public async Task ThenTheMeteringServiceDeclines(string mpan)
    {
        var h = world.Harness;
        var until = h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience;
        var (_, code) = await world.WaitForAppointmentAnswerAsync(mpan, until);
        if (code != "R")
            throw new ExpectationFailedException($"{h.MeteringService} accepted the appointment for {mpan} although it was to decline it.");
        var rejected = await world.WaitForPublicationAsync("IF-035", "[MSAppRejected]", mpan, h.Supplier.DipId, until)
            ?? throw new InvalidOperationException($"The registration service did not tell {h.Supplier} that {h.MeteringService} rejected the appointment for {mpan} (IF-035 [MSAppRejected]).");
        Remember(rejected);
    }

    /// <summary>SMRS rejected the supplier's appointment request (IF-032 R) with the given rejection code.</summary>
    [StepExample("Then the registration service rejects the appointment request for 2300000000019 with REG1031")]
    [Then(@"^the registration service rejects the appointment request for (\S+) with (REG\d{4})$")]
    public async Task ThenTheRegistrationServiceRejects(string mpan, string code)
    {
        var h = world.Harness;
        var response = await world.WaitForPublicationAsync("IF-032", "[MSAppInitialResp]", mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"No IF-032 for {mpan}: the registration service never received a valid IF-031 [MSApp] from {h.Supplier}.");
        var r0 = ScenarioWorld.PayloadOf(response)?["CommonBlock"]?["R0"];
        var reasons = (r0?["responseMessages"] as JsonArray)?.Select(x => x?.ToString() ?? "").ToList() ?? [];
        if (r0.Text("responseCode") != "R" || !reasons.Any(r => r.StartsWith(code, StringComparison.Ordinal)))
            throw new InvalidOperationException($"The registration service answered the appointment request for {mpan} with {r0.Text("responseCode")} ({string.Join("; ", reasons)}), not a rejection {code}; check the scenario's metering point and qualification.");
        Remember(response);
    }

    private void Remember(JournalRecord rejection)
    {
        _rejectedAt = ScenarioWorld.TimeOf(rejection);
        _rejectedService = ScenarioWorld.Text(ScenarioWorld.PayloadOf(rejection), "CustomBlock", "B070", "proposedMeteringServiceDIPID");
    }

    /// <summary>After the rejection, the supplier sends a new valid IF-031 proposing a metering service other than the one rejected, within the given minutes.</summary>
    [StepExample("Then the supplier proposes another metering service for 2300000000019 within 60 minutes")]
    [Then(@"^the supplier proposes another metering service for (\S+) within (\d+) minutes$")]
    public async Task ThenTheSupplierProposesAgain(string mpan, int minutes)
    {
        var h = world.Harness;
        var from = _rejectedAt ?? throw new InputException("No rejection was observed in this scenario; put 'Then the metering service declines the appointment …' or 'Then the registration service rejects the appointment request …' first.");
        var limit = Duration.FromMinutes(minutes);
        (string Service, Instant At)? proposal = null;
        // Keep watching for as long again after the deadline, so a late proposal is seen (and reported late, not missing).
        await world.WaitForAsync((r, snapshot) =>
        {
            if (r.Kind != JournalKind.Response || r.InterfaceId != "IF-031" || r.ReplyTo is null || r.ReplyTo.Value > snapshot.Count) return false;
            foreach (var fact in Observation.Facts([snapshot[(int)r.ReplyTo.Value - 1], r]))
            {
                var service = fact.CustomBlock.Text("B070", "proposedMeteringServiceDIPID");
                if (fact.SchemaValid && fact.EventCode == "[MSApp]" && fact.Mpan == mpan && fact.SenderDipId == h.Supplier.DipId && service is not null && service != _rejectedService)
                {
                    proposal = (service, fact.MarketTime);
                    return true;
                }
            }
            return false;
        }, from + limit + limit);
        if (proposal is not { } p)
            throw new ExpectationFailedException($"{h.Supplier} proposed no metering service other than {_rejectedService} for {mpan} (valid IF-031 [MSApp]) within {minutes} minutes of the rejection ({MarketTime.ToDip(from)}).");
        if (p.At - from > limit)
            throw new ExpectationFailedException($"{h.Supplier} proposed {p.Service} for {mpan} {(p.At - from).TotalMinutes:0} minutes after the rejection; the limit is {minutes} minutes.");
        _newService = p.Service;
    }

    /// <summary>SMRS accepted the supplier's new proposal (IF-032 A naming the newly proposed service).</summary>
    [StepExample("Then the registration service accepts the new appointment request for 2300000000019")]
    [Then(@"^the registration service accepts the new appointment request for (\S+)$")]
    public async Task ThenTheRegistrationServiceAcceptsTheNewRequest(string mpan)
    {
        var h = world.Harness;
        var service = _newService ?? throw new InputException("No new proposal was observed in this scenario; put 'Then the supplier proposes another metering service …' first.");
        var response = await world.WaitForAsync(r => r.Kind == JournalKind.Push && r.InterfaceId == "IF-032" && r.Mpan == mpan && r.To == h.Supplier.DipId
                                                     && (r.Status is >= 200 and < 300 || r.Url is null && r.Status is null)
                                                     && ScenarioWorld.Text(ScenarioWorld.PayloadOf(r), "CustomBlock", "B070", "proposedMeteringServiceDIPID") == service,
                           h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"No IF-032 for {mpan} answered {h.Supplier}'s proposal of {service}.");
        var r0 = ScenarioWorld.PayloadOf(response)?["CommonBlock"]?["R0"];
        if (r0.Text("responseCode") != "A")
            throw new ExpectationFailedException($"The registration service rejected the new appointment request for {mpan} ({service}): {string.Join("; ", (r0?["responseMessages"] as JsonArray)?.Select(x => x?.ToString()) ?? [])}.");
    }
}
