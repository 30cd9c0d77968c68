using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;
using Qualification.Stubs.Smrs;

namespace Qualification.Tests.Stubs;

/// <summary>Change and update of service provider, linked and related metering points, and reverse migration around M14.</summary>
public class SmrsChangeOfServiceTests
{
    private const string Mpan = "2300000000019";
    private const string Incumbent = "1200000099";

    [TestCase("CSP", CentralServices.Service, "REG1026")]     // CSP naming the current service
    [TestCase("USP", Incumbent, "REG1025")]                   // USP naming another service
    public async Task ScenarioMustMatchTheCurrentService(string scenario, string currentService, string reason)
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        c.MeteringPoint(Mpan, service: currentService, serviceMpid: currentService == Incumbent ? "INCM" : CentralServices.ServiceMpid);
        if (currentService == Incumbent) c.Directory.Add(new Qualification.Stubs.Dip.Participant(Incumbent, DipRole.SmartMeteringService, "INCM", "incumbent", null, null, new HashSet<string> { "S" }));
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00", scenario: scenario);
        var response = await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]");
        Assert.That(CentralServices.Messages(response), Does.Contain(reason));
    }

    [TestCase(true, "REG1038")]
    [TestCase(false, "REG1039")]
    public async Task NoAppointmentOnLinkedExportOrRelatedSecondary(bool export, string reason)
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        var core = c.MeteringPoint(Mpan, service: null);
        var point = c.Smrs.FindMeteringPoint(Mpan)!;
        c.Smrs.AddMeteringPoint(export ? point with { LinkedImport = "1412345678901" } : point with { RelatedPrimary = "1412345678901" });
        await c.RequestAppointmentAsync(core.Value, "2026-01-20T00:00:00+00:00");
        var response = await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]");
        Assert.That(CentralServices.ResponseCode(response), Is.EqualTo("R"));
        Assert.That(CentralServices.Messages(response), Does.Contain(reason));
    }

    [Test]
    public async Task ChangeOfService_TellsTheIncumbentToSendMtds_AndDeAppointsItOnTheDate()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        c.Directory.Add(new Qualification.Stubs.Dip.Participant(Incumbent, DipRole.SmartMeteringService, "INCM", "incumbent", null, null, new HashSet<string> { "S" }));
        c.MeteringPoint(Mpan, service: Incumbent, serviceMpid: "INCM");
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00");
        await c.AnswerOfferAsync(Mpan);
        await c.PublicationAsync("IF-035", Incumbent, "[IMS-SendMTD]");
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        var deAppointment = await c.PublicationAsync("IF-037", Incumbent, "[MSDeApp]");
        Assert.That(deAppointment.Text("CustomBlock", "B008", "deAppointmentReasonCode"), Is.EqualTo("CSERV"));
        Assert.That(deAppointment.Text("CustomBlock", "B008", "meteringServiceEffectiveToDate"), Is.EqualTo("2026-01-20T00:00:00+00:00"));
        Assert.That(deAppointment.Text("CustomBlock", "B010", "incomingMeteringServiceDIPID"), Is.EqualTo(CentralServices.Service));
    }

    [Test]
    public async Task ChangeOfService_NamesTheIncumbentToTheProposedService()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        c.Directory.Add(new Qualification.Stubs.Dip.Participant(Incumbent, DipRole.SmartMeteringService, "INCM", "incumbent", null, null, new HashSet<string> { "S" }));
        c.MeteringPoint(Mpan, service: Incumbent, serviceMpid: "INCM");
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00");
        // B072: whom the gaining service asks (D0170) when the incumbent's MTDs do not come.
        var request = await c.PublicationAsync("IF-033", CentralServices.Service, "[MSAppSPRequest]");
        Assert.That(request.Text("CustomBlock", "B072", "incumbentMeteringServiceDIPID"), Is.EqualTo(Incumbent));
        Assert.That(request.Text("CustomBlock", "B072", "incumbentMeteringServiceMPID"), Is.EqualTo("INCM"));
    }

    [TestCase("2026-10-27 17:00", true)]    // the day before M14: allowed
    [TestCase("2026-10-28 09:00", false)]   // M14: refused
    public async Task ReverseMigration_IsAllowedOnlyBeforeM14(string today, bool allowed)
    {
        await using var c = new CentralServices(today);
        var core = c.MeteringPoint(Mpan);
        var registration = await c.Css.SwitchToLegacySupplierAsync(core, "2300000098", "LEGS", new LocalDate(2026, 11, 10));
        Assert.That(registration is not null, Is.EqualTo(allowed));
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-11-10"));
        if (allowed)
        {
            var deAppointment = await c.PublicationAsync("IF-003", CentralServices.Service, "[MSDeAppRM]");
            Assert.That(deAppointment.Text("CustomBlock", "B002", "incomingSupplierMPID"), Is.EqualTo("LEGS"));
            await c.PublicationAsync("IF-003", CentralServices.Supplier, "[ReverseMigNotification]");
            Assert.That(c.Smrs.AppointedMeteringService(Mpan, c.Clock.GetCurrentInstant()), Is.Null);
        }
        else
        {
            Assert.That(c.Publications("IF-003", CentralServices.Service), Is.Empty);
            Assert.That(c.Journal.Records.Any(r => r.Note?.Contains("on or after M14") == true));
        }
    }

    [Test]
    public async Task ReverseMigration_IsNeverAllowedForComplexSites()
    {
        await using var c = new CentralServices("2026-03-02 09:00");
        var core = c.MeteringPoint(Mpan);
        c.Smrs.AddMeteringPoint(c.Smrs.FindMeteringPoint(Mpan)! with { Complex = true });
        Assert.That(await c.Css.SwitchToLegacySupplierAsync(core, "2300000098", "LEGS", new LocalDate(2026, 3, 20)), Is.Null);
        Assert.That(c.Journal.Records.Any(r => r.Note?.Contains("complex metered sites") == true));
    }

    [TestCase(false, "MCA", "A", null)]            // forward migration by the current supplier
    [TestCase(false, "CSP", "R", "REG9009")]       // MHHS scenario on an unmigrated point
    [TestCase(true, "MCA", "R", "REG9007")]        // migration scenario on a migrated point
    [TestCase(false, "MCS", "R", "REG9006")]       // MCS is for a gaining supplier
    public async Task ForwardMigrationScenarios(bool migrated, string scenario, string code, string? reason)
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        c.MeteringPoint(Mpan, service: null);
        c.Smrs.AddMeteringPoint(c.Smrs.FindMeteringPoint(Mpan)! with { Migrated = migrated });
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00", scenario: scenario);
        var response = await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]");
        Assert.That(CentralServices.ResponseCode(response), Is.EqualTo(code), CentralServices.Messages(response));
        if (reason is not null) Assert.That(CentralServices.Messages(response), Does.Contain(reason));
    }

    [Test]
    public async Task MigratedByMca_OnceTheAppointmentIsActive()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        c.MeteringPoint(Mpan, service: null);
        c.Smrs.AddMeteringPoint(c.Smrs.FindMeteringPoint(Mpan)! with { Migrated = false });
        await c.RequestAppointmentAsync(Mpan, "2026-01-05T00:00:00+00:00", scenario: "MCA");
        await c.AnswerOfferAsync(Mpan);
        await c.PublicationAsync("IF-036", CentralServices.Supplier, "[MSAppActive]");
        Assert.That(c.Smrs.FindMeteringPoint(Mpan)!.Migrated, Is.True);
    }

    [TestCase("2026-01-19 17:29", false)]
    [TestCase("2026-01-19 17:30", true)]
    public async Task ProspectiveAppointment_LapsesAtReValidationAfterGateClosure(string when, bool lapsed)
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        var registration = await c.AcceptedAppointmentOnPendingSwitchAsync(Mpan, new LocalDate(2026, 1, 20));
        c.Css.Withdraw(registration);
        c.Clock.AdvanceTo(MarketTime.ParseLocal(when));
        await Task.Delay(200);
        Assert.That(c.Publications("IF-035", CentralServices.Supplier, "[MSAppLapsed]").Count, Is.EqualTo(lapsed ? 1 : 0));
    }

    private static async Task SendRelationshipAsync(CentralServices c, string evt, string principal, string subsidiary, string sender = CentralServices.Supplier)
    {
        var payload = DipMessageFactory.Payload("IF-019", evt, sender, DipRole.Supplier, null, c.Clock.GetCurrentInstant(), new System.Text.Json.Nodes.JsonObject
        {
            ["B090List"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["subsidiaryMPAN"] = subsidiary }),
        });
        payload = payload with { CommonBlock = payload.CommonBlock with { M1 = new M1Block(principal, Qualification.Stubs.HarnessParties.DistributorDipId, "_J") } };
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{c.Dip.Url}/dip-channel/IF-019",
            new StringContent(DipMessage.ToArrayJson([new DipMessage(payload)]), System.Text.Encoding.UTF8, "application/json"));
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task ImportExportAssociation_AppointsTheImportsServiceToTheExport_AndBarsAppointmentsOnIt()
    {
        await using var c = new CentralServices("2026-02-09 10:00");
        c.Directory.Add(new Qualification.Stubs.Dip.Participant(Incumbent, DipRole.SmartMeteringService, "INCM", "incumbent", null, null, new HashSet<string> { "S" }));
        c.MeteringPoint(Mpan);                                              // import, our service appointed
        var export = "1412345678901";
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = MpanCore.Parse(export) });
        c.Smrs.AddRegistration(new SupplierRegistration("CSS-E", MpanCore.Parse(export), CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2020, 1, 1)) { Status = RegistrationStatus.Active });
        c.Smrs.AddAppointment(new MeteringServiceAppointment("APP-E", MpanCore.Parse(export), Incumbent, "INCM", CentralServices.Supplier, CentralServices.SupplierMpid, "COS",
            MarketTime.ParseDip("2020-01-01T00:00:00+00:00")!.Value, null, null, null) { Status = AppointmentStatus.Active });

        await SendRelationshipAsync(c, "[LinkedImportExportCreate]", Mpan, export);
        var confirmation = await c.PublicationAsync("IF-020", CentralServices.Supplier, "[LinkedImportExportCreate]");
        Assert.That(CentralServices.ResponseCode(confirmation), Is.EqualTo("A"), CentralServices.Messages(confirmation));
        Assert.That(confirmation.Text("CommonBlock", "M1", "principalMPAN"), Is.EqualTo(Mpan));
        var deAppointment = await c.PublicationAsync("IF-037", Incumbent, "[MSDeApp]");
        Assert.That(deAppointment.Text("CustomBlock", "B008", "deAppointmentReasonCode"), Is.EqualTo("IMPEXP"));
        Assert.That(c.Smrs.AppointedMeteringService(export, c.Clock.GetCurrentInstant())?.ServiceDipId, Is.EqualTo(CentralServices.Service));

        await c.RequestAppointmentAsync(export, "2026-02-20T00:00:00+00:00");
        Assert.That(CentralServices.Messages(await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]")), Does.Contain("REG1038"));
    }

    [Test]
    public async Task Relationship_ForAnotherSuppliersMetering_IsRefused()
    {
        await using var c = new CentralServices("2026-02-09 10:00");
        c.MeteringPoint(Mpan);
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = MpanCore.Parse("1412345678901") });
        await SendRelationshipAsync(c, "[RelatedCreate]", Mpan, "1412345678901", sender: "2300000077");
        var refusal = await c.PublicationAsync("IF-020", "2300000077", "[RelatedCreate]");
        Assert.That(CentralServices.ResponseCode(refusal), Is.EqualTo("R"));
        Assert.That(CentralServices.Messages(refusal), Does.Contain("not the supplier of " + Mpan));
    }
}
