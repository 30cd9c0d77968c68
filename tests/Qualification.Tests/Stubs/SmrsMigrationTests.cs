using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;
using Qualification.Stubs;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Dtn;
using Qualification.Stubs.Smrs;

namespace Qualification.Tests.Stubs;

/// <summary>
/// Switch completion (IF-001), market-segment qualification (IF-045 [InvalidMarketSegment]), forward
/// migration of legacy metering points (D0170 to the legacy meter operator by DTN, DIP to the gaining
/// parties) and relationship Add/Remove (IF-019 → IF-020), all over real HTTP on loopback.
/// </summary>
public class SmrsMigrationTests
{
    private const string Mpan = "2300000000019";
    private const string Subsidiary = "1412345678901";
    private const string Second = "1900012374324";
    private const string LegacyMop = "LMOP";

    private static void AssertSchemaValid(CentralServices c, JsonNode payload)
    {
        var iface = payload.Text("CommonBlock", "S0", "interfaceID")!;
        var evt = payload.Text("CommonBlock", "S0", "eventCode");
        var schema = c.Dip.Schemas.SchemaFor(iface, evt);
        Assert.That(schema, Is.Not.Null, $"{iface} {evt} has a schema");
        Assert.That(c.Dip.Schemas.Validate(schema!, payload, "$"), Is.Empty, payload.ToJsonString());
    }

    private static void AddLosingSupplier(CentralServices c) =>
        c.Directory.Add(new Participant(HarnessParties.LosingSupplierDipId, DipRole.Supplier, HarnessParties.LosingSupplierMpid, "losing supplier", null, null, new HashSet<string> { "S" }));

    // A legacy metering point: not migrated, its meter operator known by MPID only (not on the DIP).
    private static MpanCore LegacyPoint(CentralServices c, string supplier, string supplierMpid)
    {
        var core = MpanCore.Parse(Mpan);
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = core, Migrated = false });
        c.Smrs.AddRegistration(new SupplierRegistration("CSS-0", core, supplier, supplierMpid, new LocalDate(2020, 1, 1)) { Status = RegistrationStatus.Active });
        c.Smrs.AddAppointment(new MeteringServiceAppointment("APP-L", core, "", LegacyMop, supplier, supplierMpid, "COS",
            MarketTime.ParseDip("2020-01-01T00:00:00+00:00")!.Value, null, null, null) { Status = AppointmentStatus.Active });
        return core;
    }

    private static DtnGateway Gateway(CentralServices c) =>
        new(new DtnGatewayOptions { MeteringPoints = new SmrsMeteringPoints(c.Smrs) }, c.Journal, () => "test");

    [Test]
    public async Task CompletedSwitch_PublishesIf001ChangeOfSupplier_ToTheIncomingSupplierAndTheDistributor()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        AddLosingSupplier(c);
        var core = MpanCore.Parse(Mpan);
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = core });
        c.Smrs.AddRegistration(new SupplierRegistration("CSS-0", core, HarnessParties.LosingSupplierDipId, HarnessParties.LosingSupplierMpid, new LocalDate(2020, 1, 1)) { Status = RegistrationStatus.Active });
        await c.Css.SwitchPendingAsync(core, CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20));
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-19 12:00"));
        Assert.That(c.Publications("IF-001", CentralServices.Supplier), Is.Empty, "nothing before the switch completes");

        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        var notice = await c.PublicationAsync("IF-001", CentralServices.Supplier, "[ChangeOfSupplier]");
        AssertSchemaValid(c, notice);
        Assert.That(notice.Text("CustomBlock", "B002", "supplierEffectiveFromDate"), Is.EqualTo("2026-01-20T00:00:00+00:00"));
        Assert.That(notice.Text("CustomBlock", "B003", "outgoingSupplierMPID"), Is.EqualTo(HarnessParties.LosingSupplierMpid));
        await c.PublicationAsync("IF-001", HarnessParties.DistributorDipId, "[ChangeOfSupplier]");
        Assert.That(c.Publications("IF-001", HarnessParties.LosingSupplierDipId), Is.Empty, "the catalogue names the incoming supplier, not the outgoing one");
    }

    [Test]
    public async Task CompletedInitialRegistration_IsIf001InitialRegistration_AndAWithdrawnSwitchGetsNone()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        var core = MpanCore.Parse(Mpan);
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = core });
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = MpanCore.Parse(Second) });
        await c.Css.SwitchPendingAsync(core, CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20));
        var withdrawn = await c.Css.SwitchPendingAsync(MpanCore.Parse(Second), CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20));
        c.Css.Withdraw(withdrawn);
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        var notice = await c.PublicationAsync("IF-001", CentralServices.Supplier, "[InitialRegistration]");
        AssertSchemaValid(c, notice);
        Assert.That(notice.Text("CommonBlock", "M0", "MPANCore"), Is.EqualTo(Mpan));
        Assert.That(c.Publications("IF-001", CentralServices.Supplier).Select(p => p.Text("CommonBlock", "M0", "MPANCore")), Has.None.EqualTo(Second));
    }

    [Test]
    public async Task SegmentChange_ToOneTheAppointedServiceIsNotQualifiedFor_SendsIf045InvalidMarketSegment()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        c.MeteringPoint(Mpan);   // the smart-only service appointed
        await c.Smrs.ChangeMarketSegmentAsync(Mpan, MarketSegment.Smart);
        await c.Smrs.ChangeMarketSegmentAsync(Mpan, MarketSegment.Advanced);
        var reminder = await c.PublicationAsync("IF-045", CentralServices.Supplier, "[InvalidMarketSegment]");
        AssertSchemaValid(c, reminder);
        Assert.That(reminder.Text("CustomBlock", "B060", "additionalInformation"), Does.Contain("market segment A"));
        await c.PublicationAsync("IF-045", CentralServices.Service, "[InvalidMarketSegment]");
        Assert.That(c.Publications("IF-045", CentralServices.Supplier, "[InvalidMarketSegment]"), Has.Count.EqualTo(1), "no reminder while the service was qualified");
    }

    [Test]
    public async Task AppointmentAcceptedBeforeASegmentChange_IsActivatedWithIf045InvalidMarketSegment()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        var core = c.MeteringPoint(Mpan, service: null);
        await c.RequestAppointmentAsync(core.Value, "2026-01-20T00:00:00+00:00");
        await c.AnswerOfferAsync(Mpan);
        await c.PublicationAsync("IF-035", CentralServices.Supplier, "[MSAppAccepted]");
        c.Smrs.AddMeteringPoint(c.Smrs.FindMeteringPoint(Mpan)! with { Segment = MarketSegment.Advanced });   // changed with no check
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        await c.PublicationAsync("IF-036", CentralServices.Supplier, "[MSAppActive]");
        var reminder = await c.PublicationAsync("IF-045", CentralServices.Supplier, "[InvalidMarketSegment]");
        AssertSchemaValid(c, reminder);
    }

    [Test]
    public async Task ForwardMigrationByMca_SendsD0170ToTheLegacyMeterOperator_AndDipToTheGainingService()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        using var dtn = Gateway(c);
        c.Smrs.Dtn = dtn;
        LegacyPoint(c, CentralServices.Supplier, CentralServices.SupplierMpid);
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00", scenario: "MCA");
        Assert.That(CentralServices.ResponseCode(await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]")), Is.EqualTo("A"));
        await c.AnswerOfferAsync(Mpan);
        await c.PublicationAsync("IF-035", CentralServices.Supplier, "[MSAppAccepted]");

        // The legacy meter operator collects its D0170 from the gateway over HTTP.
        using var http = new HttpClient { BaseAddress = new Uri(dtn.Url) };
        // Sent once IF-035 has reached every party: poll, as a legacy agent would.
        JsonObject? list = null;
        for (var i = 0; i < 100 && list?["flows"]?.AsArray().Count is null or 0; i++)
        {
            if (i > 0) await Task.Delay(50);
            list = await http.GetFromJsonAsync<JsonObject>($"/dtn/flows?to={LegacyMop}");
        }
        var flows = list!["flows"]!.AsArray();
        Assert.That(flows, Has.Count.EqualTo(1), list.ToJsonString());
        Assert.That(flows[0].Text("flow"), Is.EqualTo("D0170001"));
        var text = await http.GetStringAsync(flows[0].Text("url"));
        Assert.That(text, Does.StartWith("ZHV|SMRS000001|D0170001|P|SMRS|M|LMOP|"));
        Assert.That(text, Does.Contain($"350|20260120|06|").And.Contain($"|{CentralServices.ServiceMpid}||").And.Contain($"351|{Mpan}|"));
        var record = c.Journal.Records.Single(r => r.Kind == Qualification.Domain.Evidence.JournalKind.Dtn);
        Assert.That(record.Body!["valid"]!.GetValue<bool>(), Is.True, record.Body.ToJsonString());
        Assert.That(record.Body["warnings"]!.GetValue<long>(), Is.Zero, record.Body.ToJsonString());

        Assert.That(c.Smrs.FindMeteringPoint(Mpan)!.Migrated, Is.False, "not migrated before the appointment takes effect");
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        await c.PublicationAsync("IF-036", CentralServices.Service, "[MSAppActive]");
        Assert.That(c.Smrs.FindMeteringPoint(Mpan)!.Migrated, Is.True);
        Assert.That(c.Publications("IF-037", CentralServices.Supplier), Is.Empty, "the legacy agent is not on the DIP: no IF-037 names it");
        Assert.That(c.Smrs.AppointedMeteringService(Mpan, c.Clock.GetCurrentInstant())!.ServiceDipId, Is.EqualTo(CentralServices.Service));
    }

    [Test]
    public async Task PendingSwitchOfALegacyPoint_ToldToTheGainingSupplierWithTheLegacyOperator_AndMigratedByMcs()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        using var dtn = Gateway(c);
        c.Smrs.Dtn = dtn;
        AddLosingSupplier(c);
        var core = LegacyPoint(c, HarnessParties.LosingSupplierDipId, HarnessParties.LosingSupplierMpid);
        await c.Css.SwitchPendingAsync(core, CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20));
        var gain = await c.PublicationAsync("IF-002", CentralServices.Supplier, "[GainMPANInfo]");
        AssertSchemaValid(c, gain);
        Assert.That(gain["CustomBlock"]!["B005"]!["currentMeteringServiceDIPID"], Is.Null);
        Assert.That(gain.Text("CustomBlock", "B005", "currentMeteringServiceMPID"), Is.EqualTo(LegacyMop));

        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00", scenario: "MCS");
        Assert.That(CentralServices.ResponseCode(await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]")), Is.EqualTo("A"));
        await c.AnswerOfferAsync(Mpan);
        await c.PublicationAsync("IF-035", CentralServices.Supplier, "[MSAppAccepted]");
        Assert.That(dtn.ReceivedFlows, Is.Empty);
        for (var i = 0; i < 100 && !c.Journal.Records.Any(r => r.Kind == Qualification.Domain.Evidence.JournalKind.Dtn); i++) await Task.Delay(50);
        Assert.That(c.Journal.Records.Count(r => r.Kind == Qualification.Domain.Evidence.JournalKind.Dtn && r.To == "M:" + LegacyMop), Is.EqualTo(1));
        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-01-20"));
        await c.PublicationAsync("IF-036", CentralServices.Supplier, "[MSAppActive]");
        await c.PublicationAsync("IF-001", CentralServices.Supplier, "[ChangeOfSupplier]");
        Assert.That(c.Smrs.FindMeteringPoint(Mpan)!.Migrated, Is.True);
    }

    [Test]
    public async Task ChangeOfSupplierScenario_OnALegacyPoint_IsRejectedWithReg9009()
    {
        await using var c = new CentralServices("2026-01-05 09:00");
        AddLosingSupplier(c);
        var core = LegacyPoint(c, HarnessParties.LosingSupplierDipId, HarnessParties.LosingSupplierMpid);
        await c.Css.SwitchPendingAsync(core, CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20));
        await c.RequestAppointmentAsync(Mpan, "2026-01-20T00:00:00+00:00", scenario: "COS");
        var response = await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]");
        Assert.That(CentralServices.ResponseCode(response), Is.EqualTo("R"));
        Assert.That(CentralServices.Messages(response), Does.Contain("REG9009"));
    }

    private static async Task RelationshipAsync(CentralServices c, string evt, string principal, params string[] subsidiaries)
    {
        var payload = DipMessageFactory.Payload("IF-019", evt, CentralServices.Supplier, DipRole.Supplier, null, c.Clock.GetCurrentInstant(), new JsonObject
        {
            ["B090List"] = new JsonArray(subsidiaries.Select(s => (JsonNode)new JsonObject { ["subsidiaryMPAN"] = s }).ToArray()),
        });
        payload = payload with { CommonBlock = payload.CommonBlock with { M1 = new M1Block(principal, HarnessParties.DistributorDipId, "_J") } };
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{c.Dip.Url}/dip-channel/IF-019",
            new StringContent(DipMessage.ToArrayJson([new DipMessage(payload)]), System.Text.Encoding.UTF8, "application/json"));
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
    }

    [TestCase("[LinkedImportExport")]
    [TestCase("[Related")]
    public async Task RelationshipAddAndRemove_AppointAndReinstateServices_AndTellBothSuppliers(string family)
    {
        await using var c = new CentralServices("2026-02-09 10:00");
        AddLosingSupplier(c);
        c.Directory.Add(new Participant("1200000099", DipRole.SmartMeteringService, "INCM", "incumbent", null, null, new HashSet<string> { "S" }));
        c.MeteringPoint(Mpan);
        c.MeteringPoint(Subsidiary, service: "1200000099", serviceMpid: "INCM");
        // The second subsidiary is another supplier's until CSS aligns it: both suppliers hear the outcome.
        var second = MpanCore.Parse(Second);
        c.Smrs.AddMeteringPoint(new MeteringPoint { Mpan = second });
        c.Smrs.AddRegistration(new SupplierRegistration("CSS-2", second, HarnessParties.LosingSupplierDipId, HarnessParties.LosingSupplierMpid, new LocalDate(2020, 1, 1)) { Status = RegistrationStatus.Active });

        await RelationshipAsync(c, family + "Add]", Mpan, Subsidiary);
        var refused = await c.PublicationAsync("IF-020", CentralServices.Supplier, family + "Add]");
        Assert.That(CentralServices.ResponseCode(refused), Is.EqualTo("R"), "nothing to add to before Create");
        Assert.That(CentralServices.Messages(refused), Does.Contain("create it first"));

        await RelationshipAsync(c, family + "Create]", Mpan, Subsidiary);
        Assert.That(CentralServices.ResponseCode(await c.PublicationAsync("IF-020", CentralServices.Supplier, family + "Create]")), Is.EqualTo("A"));
        Assert.That(c.Smrs.AppointedMeteringService(Subsidiary, c.Clock.GetCurrentInstant())!.ServiceDipId, Is.EqualTo(CentralServices.Service));

        await RelationshipAsync(c, family + "Add]", Mpan, Second);
        var added = await c.PublicationAsync("IF-020", CentralServices.Supplier, family + "Add]", nth: 2);
        Assert.That(CentralServices.ResponseCode(added), Is.EqualTo("A"), CentralServices.Messages(added));
        AssertSchemaValid(c, added);
        await c.PublicationAsync("IF-020", HarnessParties.LosingSupplierDipId, family + "Add]");
        Assert.That(c.Smrs.AppointedMeteringService(Second, c.Clock.GetCurrentInstant())!.ServiceDipId, Is.EqualTo(CentralServices.Service));

        c.Clock.AdvanceTo(MarketTime.ParseLocal("2026-02-10 10:00"));
        await RelationshipAsync(c, family + "Remove]", Mpan, Subsidiary);
        var removed = await c.PublicationAsync("IF-020", CentralServices.Supplier, family + "Remove]");
        Assert.That(CentralServices.ResponseCode(removed), Is.EqualTo("A"), CentralServices.Messages(removed));
        AssertSchemaValid(c, removed);
        var point = c.Smrs.FindMeteringPoint(Subsidiary)!;
        Assert.That(point.LinkedImport ?? point.RelatedPrimary, Is.Null);
        // The auto-appointment is undone: the principal's service leaves, the subsidiary's own comes back.
        var deAppointment = c.Publications("IF-037", CentralServices.Service, "[MSDeApp]").Single(p => p.Text("CommonBlock", "M0", "MPANCore") == Subsidiary && p.Text("CustomBlock", "B008", "deAppointedMeteringServiceDIPID") == CentralServices.Service);
        Assert.That(deAppointment.Text("CustomBlock", "B010", "incomingMeteringServiceDIPID"), Is.EqualTo("1200000099"));
        Assert.That(deAppointment.Text("CustomBlock", "B008", "meteringServiceEffectiveToDate"), Is.EqualTo("2026-02-10T00:00:00+00:00"));
        Assert.That(c.Smrs.AppointedMeteringService(Subsidiary, c.Clock.GetCurrentInstant())!.ServiceDipId, Is.EqualTo("1200000099"));
        Assert.That(c.Smrs.AppointedMeteringService(Second, c.Clock.GetCurrentInstant())!.ServiceDipId, Is.EqualTo(CentralServices.Service), "the other subsidiary stays");

        await RelationshipAsync(c, family + "Remove]", Mpan, Subsidiary);
        var again = await c.PublicationAsync("IF-020", CentralServices.Supplier, family + "Remove]", nth: 2);
        Assert.That(CentralServices.ResponseCode(again), Is.EqualTo("R"), "no longer linked");
    }
}
