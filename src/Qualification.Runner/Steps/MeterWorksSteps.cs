using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Execution;
using Reqnroll;

namespace Qualification.Runner.Steps;

/// <summary>Steps of meter works (IF-005 → IF-006) and changes of energisation (IF-007 → IF-008).</summary>
[Binding]
public sealed class MeterWorksSteps(ScenarioWorld world)
{
    /// <summary>Asks the metering service (through its driver) to install, exchange or remove a meter now.</summary>
    [StepExample("When the metering service exchanges the meter at 2300000000019")]
    [StepExample("When the metering service installs a meter at 2300000000019")]
    [StepExample("When the metering service removes the meter at 2300000000019")]
    [When(@"^the metering service (installs a meter|exchanges the meter|removes the meter) at (\S+)$")]
    public Task WhenTheMeteringServicePerformsWorks(string works, string mpanText)
    {
        var action = works switch { "installs a meter" => "install-meter", "exchanges the meter" => "exchange-meter", _ => "remove-meter" };
        return world.Harness.Driver.PerformAsync(world.Harness.MeteringService, action, Parameters(mpanText, new JsonObject
        {
            ["meterId"] = "E21Z000002",
            ["removedMeterId"] = "E21Z000001",
        }));
    }

    /// <summary>Asks the metering service to energise or de-energise the metering point now.</summary>
    [StepExample("When the metering service de-energises the metering point 1400001234565")]
    [When(@"^the metering service (energises|de-energises) the metering point (\S+)$")]
    public Task WhenTheMeteringServiceChangesEnergisation(string change, string mpanText) =>
        world.Harness.Driver.PerformAsync(world.Harness.MeteringService, "change-energisation",
            Parameters(mpanText, new JsonObject { ["status"] = change == "energises" ? "E" : "D" }));

    /// <summary>IF-005 from the metering service within N working days of the works.</summary>
    [StepExample("Then the metering service reports the meter technical details for 2300000000019 within 3 working days")]
    [Then(@"^the metering service reports the meter technical details for (\S+) within (\d+) working days$")]
    public async Task ThenTheMeteringServiceReportsMtdWithin(string mpan, int days)
    {
        var h = world.Harness;
        var works = LastAction(mpan);
        var deadline = h.Options.Calendar.WorkingDayDeadline(ScenarioWorld.TimeOf(works), days);
        var report = await FirstSent("IF-005", mpan, deadline);
        if (report is null)
            throw new ExpectationFailedException($"{h.MeteringService} sent no valid IF-005 for the {works.EventCode} at {mpan} (works {works.MarketTime}; deadline {MarketTime.ToDip(deadline)}).");
        if (report.Value.At > deadline)
            throw new ExpectationFailedException($"{h.MeteringService} sent IF-005 for {mpan} at {MarketTime.ToDip(report.Value.At)}, after the deadline {MarketTime.ToDip(deadline)} ({days} working days from the works at {works.MarketTime}).");
    }

    /// <summary>IF-006 with response A delivered to the supplier.</summary>
    [StepExample("Then the registration service publishes the meter technical details for 2300000000019 to the supplier")]
    [Then(@"^the registration service publishes the meter technical details for (\S+) to the supplier$")]
    public async Task ThenTheRegistrationServicePublishesMtd(string mpan)
    {
        var h = world.Harness;
        var push = await world.WaitForPublicationAsync("IF-006", null, mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"No IF-006 for {mpan} reached {h.Supplier}: SMRS accepted no MTD update from {h.MeteringService}.");
        if (ScenarioWorld.Text(ScenarioWorld.PayloadOf(push), "CommonBlock", "R0", "responseCode") != "A")
            throw new ExpectationFailedException($"SMRS published IF-006 for {mpan} with a rejection.");
    }

    /// <summary>IF-041 install and/or removal readings from the metering service.</summary>
    [StepExample("Then the metering service shares the removal and installation readings for 2300000000019")]
    [Then(@"^the metering service shares the (installation|removal|removal and installation) readings for (\S+)$")]
    public async Task ThenTheMeteringServiceSharesReadings(string which, string mpan)
    {
        var h = world.Harness;
        var events = which switch { "installation" => new[] { "[ReadingInstl]" }, "removal" => ["[ReadingRemv]"], _ => ["[ReadingRemv]", "[ReadingInstl]"] };
        foreach (var evt in events)
        {
            var reading = await world.WaitForSentAsync("IF-041", evt, mpan, h.MeteringService.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience);
            if (reading is null)
                throw new ExpectationFailedException($"{h.MeteringService} shared no IF-041 {evt} reading for {mpan} after the meter works.");
            if (ScenarioWorld.Text(reading.Value.Payload, "CustomBlock", "B064List") is null && reading.Value.Payload["CustomBlock"]?["B064List"] is not System.Text.Json.Nodes.JsonArray { Count: > 0 })
                throw new ExpectationFailedException($"The IF-041 {evt} for {mpan} carries no cumulative register reading (B064List).");
        }
    }

    /// <summary>A D0268 for the metering point reached the DTN gateway from the metering service.</summary>
    [StepExample("Then the metering service sends the advanced meter technical details for 1900012374324 by D0268")]
    [Then(@"^the metering service sends the advanced meter technical details for (\S+) by D0268$")]
    public async Task ThenTheMeteringServiceSendsD0268(string mpan)
    {
        var h = world.Harness;
        var flow = await world.WaitForAsync(r => r.Kind == JournalKind.Dtn && r.InterfaceId?.StartsWith("D0268", StringComparison.Ordinal) == true
                                                 && r.From?.EndsWith(":" + h.MeteringService.Mpid, StringComparison.Ordinal) == true
                                                 && r.RawBody?.Contains("|" + mpan + "|", StringComparison.Ordinal) == true,
            h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"{h.MeteringService} sent no D0268 for {mpan} to the DTN gateway after the works at an Advanced metering point.");
        if (flow.Status != 202)
            throw new ExpectationFailedException($"The D0268 for {mpan} from {h.MeteringService} failed validation: {flow.Note}.");
    }

    /// <summary>IF-007 from the metering service within N working days of the change.</summary>
    [StepExample("Then the metering service reports the energisation change for 1400001234565 within 3 working days")]
    [Then(@"^the metering service reports the energisation change for (\S+) within (\d+) working days$")]
    public async Task ThenTheMeteringServiceReportsEnergisation(string mpan, int days)
    {
        var h = world.Harness;
        var change = LastAction(mpan);
        var deadline = h.Options.Calendar.WorkingDayDeadline(ScenarioWorld.TimeOf(change), days);
        var report = await world.WaitForSentAsync("IF-007", "[EnergisationStatusChange]", mpan, h.MeteringService.DipId, Earlier(deadline));
        if (report is null)
            throw new ExpectationFailedException($"{h.MeteringService} did not report the energisation change at {mpan} with IF-007 [EnergisationStatusChange] (an IF-005 meter update does not count).");
        if (report.Value.At > deadline)
            throw new ExpectationFailedException($"{h.MeteringService} sent IF-007 for {mpan} after the deadline {MarketTime.ToDip(deadline)}.");
    }

    /// <summary>IF-008 with response A delivered to the supplier.</summary>
    [StepExample("Then the registration service confirms the energisation change for 1400001234565 to the supplier")]
    [Then(@"^the registration service confirms the energisation change for (\S+) to the supplier$")]
    public async Task ThenTheRegistrationServiceConfirmsEnergisation(string mpan)
    {
        var h = world.Harness;
        var push = await world.WaitForPublicationAsync("IF-008", "[EnergisationStatusChange]", mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"No IF-008 for {mpan} reached {h.Supplier}: SMRS received no valid IF-007 from {h.MeteringService}.");
        if (ScenarioWorld.Text(ScenarioWorld.PayloadOf(push), "CommonBlock", "R0", "responseCode") != "A")
            throw new ExpectationFailedException($"SMRS published IF-008 for {mpan} with a rejection.");
    }

    private JsonObject Parameters(string mpanText, JsonObject extra)
    {
        var mpan = MarketSteps.Mpan(mpanText);
        var point = world.DeclaredPoint(mpan);
        extra["mpan"] = mpan.Value;
        extra["distributorDipId"] = point.DistributorDipId;
        extra["gspGroup"] = point.GspGroup;
        var supplier = world.Harness.Smrs.RegisteredSupplier(mpan.Value, world.Harness.Clock.GetCurrentInstant());
        extra["supplierDipId"] = supplier?.SupplierDipId;
        extra["supplierMpid"] = supplier?.SupplierMpid;
        extra["segment"] = point.Segment.Code();
        return extra;
    }

    private JournalRecord LastAction(string mpan) =>
        world.Harness.Journal.Records.LastOrDefault(r => r.Kind == JournalKind.Driver && r.Scenario == world.Harness.CurrentScenario && r.Mpan == mpan)
        ?? throw new Composition.InputException($"No business action was performed at {mpan} in this scenario; a 'When the metering service …' step must come first.");

    // Day-scale deadlines may be far ahead in market time: wait no longer than the default patience.
    private Instant Earlier(Instant deadline)
    {
        var patience = world.Harness.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience;
        return deadline < patience ? deadline : patience;
    }

    private Task<(JsonNode Payload, Instant At)?> FirstSent(string iface, string mpan, Instant deadline) =>
        world.WaitForSentAnyEventAsync(iface, mpan, world.Harness.MeteringService.DipId, Earlier(deadline));
}
