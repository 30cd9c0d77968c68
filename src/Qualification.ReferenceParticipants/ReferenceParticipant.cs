using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;

namespace Qualification.ReferenceParticipants;

/// <summary>
/// A reference participant: a small real service on loopback with a DIP webhook at
/// <c>POST /dip/inbound</c>. It reacts to publications the way a correct Supplier or Smart
/// Metering Service should (unless started with <see cref="ParticipantFaults"/>), sending its
/// messages to the DIP it is configured with. It knows nothing of the harness beyond its URLs.
/// </summary>
public sealed partial class ReferenceParticipant : IAsyncDisposable
{
    private readonly ParticipantOptions _options;
    private readonly WebApplication _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentQueue<string> _log = new();
    private readonly CancellationTokenSource _stopping = new();

    private ReferenceParticipant(ParticipantOptions options, WebApplication app)
    {
        _options = options;
        _app = app;
    }

    /// <summary>The participant's configuration.</summary>
    public ParticipantOptions Options => _options;

    /// <summary>The base URL it listens on.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Its DIP webhook.</summary>
    public Uri CallbackUrl => new(Url + "/dip/inbound");

    /// <summary>What it did, in order (for diagnostics).</summary>
    public IReadOnlyCollection<string> Log => _log;

    /// <summary>Starts a participant and returns once it listens.</summary>
    public static async Task<ReferenceParticipant> StartAsync(ParticipantOptions options)
    {
        if (options.Role is not (DipRole.Supplier or DipRole.SmartMeteringService))
            throw new ArgumentException($"Reference participants exist for SUP and MSS, not '{options.Role}'.", nameof(options));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.ListenUrl);
        var app = builder.Build();
        var participant = new ReferenceParticipant(options, app);
        app.MapPost("/dip/inbound", (Func<HttpContext, Task<IResult>>)participant.OnInboundAsync);
        app.MapGet("/health", () => Results.Ok(new { status = "ok", role = options.Role, dipId = options.DipId }));
        participant.MapDriver(app);
        participant.MapPortal(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        participant.Url = address.Replace("localhost", "127.0.0.1");
        return participant;
    }

    private async Task<IResult> OnInboundAsync(HttpContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8)) body = await reader.ReadToEndAsync();
        JsonArray? items;
        try { items = JsonNode.Parse(body) as JsonArray; } catch (System.Text.Json.JsonException) { items = null; }
        if (items is null) return Results.Json(new { message = "expected a DIP egress array" }, statusCode: 400);
        var messages = new List<DipMessage>();
        foreach (var item in items)
        {
            try { messages.Add(DipMessage.FromNode(item!)); }
            catch (System.Text.Json.JsonException e) { return Results.Json(new { message = "unreadable DIP message: " + e.Message }, statusCode: 400); }
        }
        // Acknowledge first, act afterwards: the DIP expects a prompt synchronous answer.
        foreach (var m in messages) _ = Task.Run(() => ReactAsync(m));
        var now = MarketTime.ToDip(SystemClock.Instance.GetCurrentInstant());
        return Results.Json(new
        {
            messageArray = messages.Select(m => new { transactionID = m.Payload.CommonBlock.D0?.TransactionId, message = "MSG0000 - Success" }),
            timestamp = now,
        }, statusCode: 201);
    }

    private async Task ReactAsync(DipMessage m)
    {
        _log.Enqueue($"received {m.InterfaceId} {m.EventCode} for {m.Mpan}");
        try
        {
            switch (_options.Role, m.InterfaceId, m.EventCode)
            {
                case (DipRole.Supplier, _, _) when !Admit(m): break;
                case (DipRole.Supplier, "IF-002", "[GainMPANInfo]"): await AppointMeteringServiceAsync(m); break;
                case (DipRole.SmartMeteringService, "IF-003", "[MSDeAppRM]"): await OnReverseMigrationDeAppointmentAsync(m); break;
                case (DipRole.SmartMeteringService, "IF-033", "[MSAppSPRequest]") when Declines(m): await DeclineAppointmentAsync(m); break;
                case (DipRole.SmartMeteringService, "IF-033", "[MSAppSPRequest]"): await AnswerAppointmentRequestNotingIncumbentAsync(m); break;
                case (DipRole.SmartMeteringService, "IF-035", "[IMS-SendMTD]"): await HandOverMtdsAsync(m); break;
                case (DipRole.SmartMeteringService, "IF-035", "[MSAppAccepted]"): await ChaseMissingMtdsLaterAsync(m); break;
                case (DipRole.Supplier, "IF-045", "[NoMSAppointed]"): await AppointAfterReminderAsync(m); break;
                case (DipRole.Supplier, "IF-045", "[InvalidMarketSegment]"): await ReplaceUnqualifiedServiceAsync(m); break;
                case (DipRole.Supplier, "IF-032" or "IF-035", _) when IsRejectedProposal(m): await ProposeFallbackServiceAsync(m); break;
            }
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            _log.Enqueue($"failed to react to {m.InterfaceId}: {e.Message}");
        }
    }

    // REC Schedule 14 22.6.1: on IF-002 for a pending registration, request the MOA appointment.
    private async Task AppointMeteringServiceAsync(DipMessage gain)
    {
        var registrationId = gain.Payload.CustomBlock.Text("B013", "CSSRegistrationID")
            ?? throw new InvalidOperationException("IF-002 carries no CSS registration id");
        var registration = await _http.GetFromJsonAsync<JsonObject>(new Uri(_options.CssUrl!, $"/css/registrations/{registrationId}"), _stopping.Token)
            ?? throw new InvalidOperationException($"CSS has no registration {registrationId}");
        var effectiveDate = NodaTime.Text.LocalDatePattern.Iso.Parse(registration.Text("effectiveFromDate")!).Value;
        if (_options.Faults.AppointmentDelay > TimeSpan.Zero) await Task.Delay(_options.Faults.AppointmentDelay, _stopping.Token);

        var efd = MarketTime.ToDip(MarketTime.StartOfDay(effectiveDate));
        if (_options.Faults.EffectiveFromAtUtcMidnight) efd = $"{effectiveDate:uuuu-MM-dd}T00:00:00+00:00";
        if (_options.Faults.EffectiveFromHalfPastMidnight) efd = MarketTime.ToDip(MarketTime.StartOfDay(effectiveDate) + Duration.FromMinutes(30));
        var custom = new JsonObject
        {
            ["B013"] = new JsonObject { ["CSSRegistrationID"] = registrationId },
            ["B070"] = new JsonObject
            {
                ["proposedMeteringServiceDIPID"] = _options.MeteringServiceDipId,
                ["proposedMeteringServiceMPID"] = _options.MeteringServiceMpid,
                ["proposedMeteringServiceDIPEffectiveFromDate"] = efd,
                ["contractReferenceMeteringService"] = "MS-CONTRACT-001",
                ["appointmentScenario"] = GainScenario(gain),
            },
        };
        if (_options.Faults.InvalidAppointmentRequest) custom["B070"]!.AsObject().Remove("appointmentScenario");
        await SendAsync("IF-031", "[MSApp]", gain.Payload.CommonBlock.M0!, custom, gain.Payload.CommonBlock.S1.SenderCorrelationId);
    }

    // IF-033 → IF-034: accept (SP000) when the service covers the metering point.
    private async Task AnswerAppointmentRequestAsync(DipMessage request)
    {
        if (_options.Faults.IgnoreAppointmentRequests) return;
        var custom = new JsonObject
        {
            ["B007"] = new JsonObject { ["responseCode"] = "A", ["proposedAppointmentResponseCode"] = "SP000 - Proposed Appointment ACCEPTED" },
            ["B012"] = request.Payload.CustomBlock["B012"]!.DeepClone(),
            ["B070"] = request.Payload.CustomBlock["B070"]!.DeepClone(),
        };
        if (request.Payload.CustomBlock["B013"] is { } b013) custom["B013"] = b013.DeepClone();
        if (_options.Faults.InvalidAppointmentResponse) custom["B007"]!.AsObject().Remove("responseCode");
        await SendAsync("IF-034", "[MSAppSPResponse]", request.Payload.CommonBlock.M0!, custom, request.Payload.CommonBlock.S1.SenderCorrelationId);
    }

    private Task SendAsync(string iface, string evt, M0Block m0, JsonObject custom, string? correlation, IReadOnlyList<string>? primaryRecipients = null) =>
        PostAsync(iface, DipMessageFactory.Payload(iface, evt, _options.DipId, _options.Role, new M0Block(m0.MpanCore, m0.DistributorDipId, m0.GspGroupId),
            SystemClock.Instance.GetCurrentInstant(), custom, correlation, _options.EnvironmentTag, primaryRecipients));

    private async Task PostAsync(string iface, DipPayload payload)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.DipUrl, $"/dip-channel/{iface}"))
        {
            Content = new StringContent(DipMessage.ToArrayJson([new DipMessage(payload)]), Encoding.UTF8, "application/json"),
        };
        if (_options.ApiKey is not null) request.Headers.Add("X-API-Key", _options.ApiKey);
        using var response = await _http.SendAsync(request, _stopping.Token);
        _log.Enqueue($"sent {iface} {payload.CommonBlock.S0.EventCode}: {(int)response.StatusCode}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
        _stopping.Dispose();
    }
}
