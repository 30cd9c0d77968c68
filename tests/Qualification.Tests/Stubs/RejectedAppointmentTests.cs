using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.ReferenceParticipants;
using Qualification.Stubs.Dip;

namespace Qualification.Tests.Stubs;

/// <summary>
/// A rejected metering service appointment over real HTTP on loopback: the emulated DIP, SMRS and CSS
/// with the reference supplier and metering service as their participants. The service declines
/// through its driver action (IF-034 R) or SMRS rejects it as not qualified (REG1031), and the
/// supplier proposes its fallback service.
/// </summary>
public class RejectedAppointmentTests
{
    private const string Mpan = "2300000000028";
    private const string Fallback = "1200000098", FallbackMpid = "GAIN";

    private sealed class Parties : IAsyncDisposable
    {
        public required CentralServices Central { get; init; }
        public required ReferenceParticipant Supplier { get; init; }
        public required ReferenceParticipant Service { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Supplier.DisposeAsync();
            await Service.DisposeAsync();
            await Central.DisposeAsync();
        }
    }

    // The reference participants take the places of the capture webhooks; the fallback service is
    // a party the DIP records publications for without delivering them.
    private static async Task<Parties> StartAsync(ParticipantFaults supplierFaults, IReadOnlySet<string> serviceSegments)
    {
        var c = new CentralServices("2026-01-05 09:00");
        ParticipantOptions Options(string role, string dipId, string mpid, ParticipantFaults faults) => new()
        {
            Role = role, DipId = dipId, Mpid = mpid, DipUrl = new Uri(c.Dip.Url), CssUrl = new Uri(c.Css.Url), Faults = faults,
            MeteringServiceDipId = CentralServices.Service, MeteringServiceMpid = CentralServices.ServiceMpid,
            FallbackMeteringServiceDipId = Fallback, FallbackMeteringServiceMpid = FallbackMpid,
        };
        var supplier = await ReferenceParticipant.StartAsync(Options(DipRole.Supplier, CentralServices.Supplier, CentralServices.SupplierMpid, supplierFaults));
        var service = await ReferenceParticipant.StartAsync(Options(DipRole.SmartMeteringService, CentralServices.Service, CentralServices.ServiceMpid, ParticipantFaults.None));
        c.Directory.Add(new Participant(CentralServices.Supplier, DipRole.Supplier, CentralServices.SupplierMpid, "reference supplier", supplier.CallbackUrl, null, new HashSet<string> { "S" }));
        c.Directory.Add(new Participant(CentralServices.Service, DipRole.SmartMeteringService, CentralServices.ServiceMpid, "reference service", service.CallbackUrl, null, serviceSegments));
        c.Directory.Add(new Participant(Fallback, DipRole.AdvancedMeteringService, FallbackMpid, "fallback service", null, null, new HashSet<string> { "S", "A" }));
        c.Smrs.AddMeteringPoint(new Qualification.Stubs.Smrs.MeteringPoint { Mpan = MpanCore.Parse(Mpan) });
        return new Parties { Central = c, Supplier = supplier, Service = service };
    }

    private static async Task DeclineThroughTheDriverAsync(ReferenceParticipant service)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(service.Url + "/driver/actions", new JsonObject
        {
            ["action"] = "decline-appointments", ["marketTime"] = "2026-01-05T09:00:00+00:00",
            ["parameters"] = new JsonObject { ["mpan"] = Mpan, ["distributorDipId"] = "2500000001", ["gspGroup"] = "_J" },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        // The action is performed in the background: wait until the service says it declines.
        for (var i = 0; i < 100 && !service.Log.Any(l => l.Contains("declining appointments to " + Mpan)); i++) await Task.Delay(20);
    }

    [Test]
    public async Task DecliningService_AnswersWithARejection_AndTheSupplierProposesItsFallback()
    {
        await using var p = await StartAsync(ParticipantFaults.None, new HashSet<string> { "S", "A" });
        var c = p.Central;
        await DeclineThroughTheDriverAsync(p.Service);
        await c.Css.SwitchPendingAsync(MpanCore.Parse(Mpan), CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20));

        var rejected = await c.PublicationAsync("IF-035", CentralServices.Supplier, "[MSAppRejected]");
        Assert.That(rejected.Text("CustomBlock", "B007", "responseCode"), Is.EqualTo("R"));
        Assert.That(rejected.Text("CustomBlock", "B007", "proposedAppointmentResponseCode"), Does.StartWith("SP001"));
        var offer = await c.PublicationAsync("IF-033", Fallback, "[MSAppSPRequest]");
        Assert.That(offer.Text("CustomBlock", "B070", "proposedMeteringServiceMPID"), Is.EqualTo(FallbackMpid));
        Assert.That(offer.Text("CustomBlock", "B070", "proposedMeteringServiceDIPEffectiveFromDate"), Is.EqualTo("2026-01-20T00:00:00+00:00"));
        Assert.That(offer.Text("CustomBlock", "B070", "appointmentScenario"), Is.EqualTo("COS"));
        var answers = c.Publications("IF-032", CentralServices.Supplier, "[MSAppInitialResp]");
        Assert.That(answers.Select(CentralServices.ResponseCode), Is.EqualTo(new[] { "A", "A" }));
    }

    [Test]
    public async Task ServiceNotQualifiedForTheSegment_IsRejectedBySmrs_AndTheSupplierProposesItsFallback()
    {
        await using var p = await StartAsync(ParticipantFaults.None, new HashSet<string> { "A" });
        var c = p.Central;
        await c.Css.SwitchPendingAsync(MpanCore.Parse(Mpan), CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20));

        var second = await c.PublicationAsync("IF-032", CentralServices.Supplier, "[MSAppInitialResp]", nth: 2);
        var first = c.Publications("IF-032", CentralServices.Supplier, "[MSAppInitialResp]")[0];
        Assert.That((CentralServices.ResponseCode(first), CentralServices.Messages(first)), Is.EqualTo(("R", Qualification.Stubs.Smrs.SmrsCodes.NotQualifiedForSegment)));
        Assert.That(CentralServices.ResponseCode(second), Is.EqualTo("A"));
        Assert.That(second.Text("CustomBlock", "B070", "proposedMeteringServiceDIPID"), Is.EqualTo(Fallback));
        Assert.That(c.Publications("IF-033", CentralServices.Service), Is.Empty, "the unqualified service is never asked");
    }

    [Test]
    public async Task SupplierIgnoringRejections_ProposesNothingMore()
    {
        await using var p = await StartAsync(ParticipantFaults.Parse(["ignore-rejections"]), new HashSet<string> { "S", "A" });
        var c = p.Central;
        await DeclineThroughTheDriverAsync(p.Service);
        await c.Css.SwitchPendingAsync(MpanCore.Parse(Mpan), CentralServices.Supplier, CentralServices.SupplierMpid, new LocalDate(2026, 1, 20));

        await c.PublicationAsync("IF-035", CentralServices.Supplier, "[MSAppRejected]");
        // The correct supplier proposes within milliseconds (above); a second is ample to see that this one does not.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(c.Publications("IF-032", CentralServices.Supplier, "[MSAppInitialResp]"), Has.Count.EqualTo(1));
        Assert.That(c.Publications("IF-033", Fallback), Is.Empty);
    }

    [Test]
    public void UnknownFault_NamesIgnoreRejectionsAmongTheKnownOnes()
    {
        var error = Assert.Throws<FormatException>(() => ParticipantFaults.Parse(["ignore-rejection"]));
        Assert.That(error!.Message, Does.Contain("Unknown fault 'ignore-rejection'").And.Contain("ignore-rejections"));
    }
}
