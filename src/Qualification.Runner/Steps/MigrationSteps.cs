using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Execution;
using Qualification.Stubs;
using Qualification.Stubs.Smrs;
using Reqnroll;

namespace Qualification.Runner.Steps;

/// <summary>
/// Steps of MHHS migration: legacy metering points, forward migration by MCA (change of agent) or MCS
/// (change of supplier), and reverse migration by a switch to a supplier that is not MHHS-qualified,
/// refused from M14 and for complex metered sites.
/// </summary>
[Binding]
public sealed class MigrationSteps(ScenarioWorld world)
{
    private SupplierRegistration? _legacySwitch;
    private bool _legacySwitchAsked;

    /// <summary>A metering point still under legacy arrangements (not migrated), with the harness's legacy meter operator appointed.</summary>
    [StepExample("Given a legacy smart metering point 2300000000019 supplied by the losing supplier")]
    [StepExample("Given a legacy smart metering point 2300000000019 supplied by the supplier")]
    [Given(@"^a legacy (smart|advanced) metering point (\S+) supplied by the (supplier|losing supplier)$")]
    public void GivenALegacyMeteringPoint(string segment, string mpanText, string who)
    {
        var mpan = MarketSteps.Mpan(mpanText);
        var h = world.Harness;
        var (supplierDipId, supplierMpid) = who == "supplier" ? (h.Supplier.DipId, h.Supplier.Mpid) : (HarnessParties.LosingSupplierDipId, HarnessParties.LosingSupplierMpid);
        h.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = mpan, Segment = MarketSegments.Parse(segment), Migrated = false });
        h.Smrs.AddRegistration(new SupplierRegistration($"CSS-{mpan}-0000", mpan, supplierDipId, supplierMpid, new LocalDate(2020, 1, 1)) { Status = RegistrationStatus.Active });
        // The legacy meter operator is known to SMRS by MPID only (empty DIP id): it is not on the DIP.
        h.Smrs.AddAppointment(new MeteringServiceAppointment($"APP-{mpan}-L", mpan, "", HarnessParties.LegacyMeterOperatorMpid, supplierDipId, supplierMpid, "COS",
            MarketTime.ParseDip("2020-01-01T00:00:00+00:00")!.Value, null, null, null) { Status = AppointmentStatus.Active });
    }

    /// <summary>Marks a declared metering point as complex metered (never reverse migrated).</summary>
    [StepExample("Given 2300000000019 is a complex metered site")]
    [Given(@"^(\S+) is a complex metered site$")]
    public void GivenAComplexSite(string mpanText)
    {
        var point = world.DeclaredPoint(MarketSteps.Mpan(mpanText));
        world.Harness.Smrs.AddMeteringPoint(point with { Complex = true });
    }

    /// <summary>Asks the supplier (through its driver) to migrate its own legacy metering point to MHHS from a date.</summary>
    [StepExample("When the supplier migrates 2300000000019 to MHHS from 2026-01-20")]
    [When(@"^the supplier migrates (\S+) to MHHS from (\d{4}-\d{2}-\d{2})$")]
    public Task WhenTheSupplierMigrates(string mpanText, string date)
    {
        var h = world.Harness;
        var mpan = MarketSteps.Mpan(mpanText);
        var point = world.DeclaredPoint(mpan);
        return h.Driver.PerformAsync(h.Supplier, "migrate-metering-point", new JsonObject
        {
            ["mpan"] = mpan.Value, ["distributorDipId"] = point.DistributorDipId, ["gspGroup"] = point.GspGroup,
            ["effectiveFrom"] = MarketTime.ToDip(MarketTime.StartOfDay(ParseDate(date))),
            ["serviceDipId"] = h.MeteringService.DipId, ["serviceMpid"] = h.MeteringService.Mpid,
        });
    }

    /// <summary>The supplier's appointment request for the point carries the given appointment scenario.</summary>
    [StepExample("Then the supplier appoints the metering service to 2300000000019 with appointment scenario MCS")]
    [Then(@"^the supplier appoints the metering service to (\S+) with appointment scenario ([A-Z]{3})$")]
    public async Task ThenTheSupplierAppointsWithScenario(string mpan, string scenario)
    {
        var h = world.Harness;
        var sent = await world.WaitForSentAsync("IF-031", "[MSApp]", mpan, h.Supplier.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"{h.Supplier} sent no valid IF-031 [MSApp] for {mpan}.");
        var used = ScenarioWorld.Text(sent.Payload, "CustomBlock", "B070", "appointmentScenario");
        if (used != scenario)
            throw new ExpectationFailedException($"{h.Supplier} appointed for {mpan} with appointment scenario {used}; a legacy metering point is migrated with {scenario}.");
    }

    /// <summary>SMRS asked the legacy meter operator by DTN (D0170) to send its MTDs to the new metering service, and the flow validated.</summary>
    [StepExample("Then the legacy meter operator is asked by D0170 for the meter technical details of 2300000000019")]
    [Then(@"^the legacy meter operator is asked by D0170 for the meter technical details of (\S+)$")]
    public async Task ThenTheLegacyOperatorIsAsked(string mpan)
    {
        var h = world.Harness;
        var flow = await world.WaitForAsync(r => r.Kind == JournalKind.Dtn && r.InterfaceId == "D0170001" && r.To == "M:" + HarnessParties.LegacyMeterOperatorMpid
                                                 && r.RawBody?.Contains($"351|{mpan}|", StringComparison.Ordinal) == true, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"SMRS sent no D0170 for {mpan} to the legacy meter operator {HarnessParties.LegacyMeterOperatorMpid}.");
        if (flow.Body?["valid"]?.GetValue<bool>() != true)
            throw new InvalidOperationException($"The harness's own D0170 for {mpan} does not validate: {flow.Body?["findings"]?.ToJsonString()}.");
    }

    /// <summary>SMRS now holds the metering point as migrated to MHHS.</summary>
    [StepExample("Then 2300000000019 is migrated to MHHS")]
    [Then(@"^(\S+) is migrated to MHHS$")]
    public void ThenMigrated(string mpanText)
    {
        var point = world.DeclaredPoint(MarketSteps.Mpan(mpanText));
        if (!point.Migrated) throw new ExpectationFailedException($"SMRS still holds {mpanText} as a legacy (non-migrated) metering point.");
    }

    /// <summary>A switch to a supplier that is not MHHS-qualified is requested of CSS (reverse migration before M14).</summary>
    [StepExample("When a switch of 2300000000019 to a legacy supplier effective 2026-11-10 is requested")]
    [When(@"^a switch of (\S+) to a legacy supplier effective (\d{4}-\d{2}-\d{2}) is requested$")]
    public async Task WhenALegacySwitchIsRequested(string mpanText, string date)
    {
        var h = world.Harness;
        _legacySwitchAsked = true;
        _legacySwitch = await h.Css.SwitchToLegacySupplierAsync(MarketSteps.Mpan(mpanText), HarnessParties.LegacySupplierDipId, HarnessParties.LegacySupplierMpid, ParseDate(date));
    }

    /// <summary>CSS refused the switch to the legacy supplier (on or after M14, or a complex site).</summary>
    [StepExample("Then the switch to the legacy supplier is refused")]
    [Then(@"^the switch to the legacy supplier is refused$")]
    public void ThenTheLegacySwitchIsRefused()
    {
        if (!_legacySwitchAsked) throw new Composition.InputException("No switch to a legacy supplier was requested in this scenario; put 'When a switch of … to a legacy supplier effective … is requested' first.");
        if (_legacySwitch is not null)
            throw new ExpectationFailedException($"CSS accepted the switch {_legacySwitch.CssRegistrationId} to the legacy supplier; reverse migration is refused from M14 and for complex sites.");
    }

    /// <summary>IF-003 [MSDeAppRM] reached the metering service: reverse migration de-appointed it.</summary>
    [StepExample("Then the metering service is de-appointed from 2300000000019 by reverse migration")]
    [Then(@"^the metering service is de-appointed from (\S+) by reverse migration$")]
    public async Task ThenDeAppointedByReverseMigration(string mpan)
    {
        var h = world.Harness;
        _ = await world.WaitForPublicationAsync("IF-003", "[MSDeAppRM]", mpan, h.MeteringService.DipId, h.Clock.GetCurrentInstant() + ScenarioWorld.DefaultPatience)
            ?? throw new ExpectationFailedException($"No IF-003 [MSDeAppRM] for {mpan} reached {h.MeteringService}.");
    }

    private static LocalDate ParseDate(string text) => NodaTime.Text.LocalDatePattern.Iso.Parse(text).GetValueOrThrow();
}
