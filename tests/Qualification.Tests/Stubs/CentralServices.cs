using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Stubs;
using Qualification.Stubs.Css;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Smrs;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Qualification.Tests.Stubs;

/// <summary>
/// The emulated DIP, SMRS and CSS running for real on loopback, with a supplier and two metering
/// services whose webhooks are capture servers: tests send messages over HTTP and read what the
/// central services published.
/// </summary>
public sealed class CentralServices : IAsyncDisposable
{
    public const string Supplier = "2300000012", SupplierMpid = "REFS";
    public const string Service = "1200000015", ServiceMpid = "REFM";
    public const string OtherService = "1200000016", OtherServiceMpid = "OTHM";

    private readonly WireMockServer _webhooks;
    private readonly HttpClient _http = new();

    public CentralServices(string start = "2026-01-05 09:00")
    {
        var dir = Path.Combine(Path.GetTempPath(), "qualify-tests", "central-" + Guid.NewGuid().ToString("N")[..8]);
        Journal = new Journal(Path.Combine(dir, "journal.jsonl"));
        Clock = new MarketClock(MarketTime.ParseLocal(start), scale: 1);
        _webhooks = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"], StartAdminInterface = false });
        _webhooks.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(201));
        Directory = new ParticipantDirectory();
        Directory.Add(new Participant(Supplier, DipRole.Supplier, SupplierMpid, "supplier", new Uri(_webhooks.Url + "/supplier"), null, new HashSet<string> { "S" }));
        Directory.Add(new Participant(Service, DipRole.SmartMeteringService, ServiceMpid, "service", new Uri(_webhooks.Url + "/service"), null, new HashSet<string> { "S" }));
        Directory.Add(new Participant(OtherService, DipRole.AdvancedMeteringService, OtherServiceMpid, "advanced-only service", new Uri(_webhooks.Url + "/other"), null, new HashSet<string> { "A" }));
        Directory.Add(new Participant(HarnessParties.DistributorDipId, DipRole.Distributor, HarnessParties.DistributorMpid, "distributor", null, null, new HashSet<string>()));
        Dip = new DipEmulator(new DipEmulatorOptions(), DipSchemaCatalog.Embedded, Directory, Journal, Clock, () => "test");
        Smrs = new SmrsEmulator(Dip, WorkingDayCalendar.Default);
        Css = new CssEmulator(Smrs, Journal, Clock, () => "test");
    }

    public Journal Journal { get; }
    public MarketClock Clock { get; }
    public ParticipantDirectory Directory { get; }
    public DipEmulator Dip { get; }
    public SmrsEmulator Smrs { get; }
    public CssEmulator Css { get; }

    /// <summary>A smart metering point registered to the supplier since 2020, with <paramref name="service"/> appointed (or none).</summary>
    public MpanCore MeteringPoint(string mpan = "2300000000019", string? service = Service, string? serviceMpid = ServiceMpid)
    {
        var core = MpanCore.Parse(mpan);
        Smrs.AddMeteringPoint(new MeteringPoint { Mpan = core });
        Smrs.AddRegistration(new SupplierRegistration("CSS-0", core, Supplier, SupplierMpid, new LocalDate(2020, 1, 1)) { Status = RegistrationStatus.Active });
        if (service is not null)
            Smrs.AddAppointment(new MeteringServiceAppointment("APP-0", core, service, serviceMpid!, Supplier, SupplierMpid, "COS",
                MarketTime.ParseDip("2020-01-01T00:00:00+00:00")!.Value, null, null, null) { Status = AppointmentStatus.Active });
        return core;
    }

    /// <summary>POSTs one message to its channel as <paramref name="sender"/>; returns the HTTP status.</summary>
    public async Task<int> SendAsync(string iface, string evt, string sender, string role, string mpan, JsonObject custom)
    {
        var payload = DipMessageFactory.Payload(iface, evt, sender, role, new M0Block(mpan, HarnessParties.DistributorDipId, "_J"), Clock.GetCurrentInstant(), custom);
        using var response = await _http.PostAsync($"{Dip.Url}/dip-channel/{iface}",
            new StringContent(DipMessage.ToArrayJson([new DipMessage(payload)]), System.Text.Encoding.UTF8, "application/json"));
        return (int)response.StatusCode;
    }

    /// <summary>An IF-031 [MSApp] from the supplier for <paramref name="mpan"/>.</summary>
    public Task<int> RequestAppointmentAsync(string mpan, string effectiveFrom, string scenario = "CSP", string service = Service, string serviceMpid = ServiceMpid, string sender = Supplier) =>
        SendAsync("IF-031", "[MSApp]", sender, DipRole.Supplier, mpan, new JsonObject
        {
            ["B070"] = new JsonObject
            {
                ["proposedMeteringServiceDIPID"] = service, ["proposedMeteringServiceMPID"] = serviceMpid,
                ["proposedMeteringServiceDIPEffectiveFromDate"] = effectiveFrom, ["contractReferenceMeteringService"] = null, ["appointmentScenario"] = scenario,
            },
        });

    /// <summary>The metering service answers the appointment offer (IF-033) for <paramref name="mpan"/> with IF-034, echoing its blocks.</summary>
    public async Task<JsonNode> AnswerOfferAsync(string mpan, string responseCode = "A")
    {
        var offer = await PublicationAsync("IF-033", Service, "[MSAppSPRequest]");
        await SendAsync("IF-034", "[MSAppSPResponse]", Service, DipRole.SmartMeteringService, mpan, new JsonObject
        {
            ["B007"] = new JsonObject { ["responseCode"] = responseCode, ["proposedAppointmentResponseCode"] = responseCode == "A" ? "SP000 - Proposed Appointment ACCEPTED" : "SP001 - No contract" },
            ["B012"] = offer["CustomBlock"]!["B012"]!.DeepClone(),
            ["B070"] = offer["CustomBlock"]!["B070"]!.DeepClone(),
        });
        return offer;
    }

    /// <summary>
    /// A switch of <paramref name="mpan"/> to the supplier is pending, the supplier appoints the
    /// service from the switch date (COS), the service accepts and SMRS says so (IF-035 accepted).
    /// </summary>
    public async Task<SupplierRegistration> AcceptedAppointmentOnPendingSwitchAsync(string mpan, LocalDate effectiveFrom)
    {
        var core = MpanCore.Parse(mpan);
        Smrs.AddMeteringPoint(new MeteringPoint { Mpan = core });
        var registration = await Css.SwitchPendingAsync(core, Supplier, SupplierMpid, effectiveFrom);
        await RequestAppointmentAsync(mpan, MarketTime.ToDip(MarketTime.StartOfDay(effectiveFrom)), scenario: "COS");
        await AnswerOfferAsync(mpan);
        await PublicationAsync("IF-035", Supplier, "[MSAppAccepted]");
        return registration;
    }

    /// <summary>Waits for a publication of <paramref name="iface"/> to <paramref name="recipient"/> (first delivery) and returns its payload.</summary>
    public async Task<JsonNode> PublicationAsync(string iface, string recipient, string? evt = null, int nth = 1, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < until)
        {
            var found = Publications(iface, recipient, evt).Skip(nth - 1).FirstOrDefault();
            if (found is not null) return found;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no publication #{nth} of {iface} {evt} to {recipient}; journal:\n" + string.Join("\n", Journal.Records.Select(r => $"{r.Kind} {r.InterfaceId} {r.EventCode} {r.To} {r.Status} {r.Note}")));
    }

    /// <summary>All delivered publications of an interface to a recipient, in order.</summary>
    public IReadOnlyList<JsonNode> Publications(string iface, string recipient, string? evt = null) =>
        Journal.Records.Where(r => r.Kind == JournalKind.Push && r.InterfaceId == iface && r.To == recipient && (evt is null || r.EventCode == evt)
                                   && (r.Status is >= 200 and < 300 || (r.Status is null && r.Url is null)))
            .Select(r => (r.Body as JsonArray)![0]!["payload"]!).ToList();

    public static string? ResponseCode(JsonNode payload) => payload.Text("CommonBlock", "R0", "responseCode");
    public static string Messages(JsonNode payload) => string.Join("; ", payload["CommonBlock"]?["R0"]?["responseMessages"]?.AsArray().Select(m => m?.ToString()) ?? []);

    public async ValueTask DisposeAsync()
    {
        await Dip.DisposeAsync();
        Css.Dispose();
        _webhooks.Stop();
        _webhooks.Dispose();
        Journal.Dispose();
        _http.Dispose();
    }
}
