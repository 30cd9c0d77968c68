using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Market;

namespace Qualification.ReferenceParticipants;

// The driver API (docs/driver-api.md): how the harness asks a participant to perform a business
// action that starts inside its own systems (meter works, an energisation change, an appointment),
// and tells it where market time stands, so day-scale deadlines can be exercised in seconds.
public sealed partial class ReferenceParticipant
{
    private readonly ConcurrentQueue<(Instant Due, Func<Task> Send)> _held = new();
    private Instant _marketTime = Instant.MinValue;

    /// <summary>Actions this participant's driver supports, by role.</summary>
    public static IReadOnlyDictionary<string, string[]> DriverActions { get; } = new Dictionary<string, string[]>
    {
        [DipRole.Supplier] = ["appoint-metering-service", .. RelationshipChanges.EventByAction.Keys, "bill", "migrate-metering-point"],
        [DipRole.SmartMeteringService] = ["install-meter", "exchange-meter", "remove-meter", "change-energisation", "decline-appointments"],
    };

    private void MapDriver(IEndpointRouteBuilder app)
    {
        app.MapGet("/driver/actions", () => Results.Json(new { role = _options.Role, actions = DriverActions[_options.Role] }));
        app.MapPost("/driver/clock", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body);
            if (MarketTime.ParseDip(body.Text("marketTime")) is not { } t) return Results.Json(new { error = "marketTime must be a DIP datetime" }, statusCode: 400);
            // The harness's clock is the authority: a scenario may start earlier than the last one ended (before and after M14).
            if (t.ToInstant() < _marketTime) _marketTime = t.ToInstant();
            await AdvanceMarketTimeAsync(t.ToInstant());
            return Results.NoContent();
        });
        app.MapPost("/driver/actions", async (HttpContext context) =>
        {
            JsonNode? body;
            try { body = await JsonNode.ParseAsync(context.Request.Body); }
            catch (JsonException e) { return Results.Json(new { error = "body is not JSON: " + e.Message }, statusCode: 400); }
            var action = body.Text("action");
            var error = await AcceptActionAsync(action, body.Text("marketTime"), body?["parameters"] as JsonObject ?? [], "driver");
            return error is null ? Results.Json(AcceptedAnswer(action, body?["parameters"] as JsonObject ?? []), statusCode: 202) : Results.Json(new { error }, statusCode: 400);
        });
    }

    // One way in for every channel (driver API, web portal): checks the action, then performs it in the background.
    // Returns null when accepted, else what is wrong.
    private async Task<string?> AcceptActionAsync(string? action, string? marketTime, JsonObject parameters, string channel)
    {
        if (action is null || !DriverActions[_options.Role].Contains(action))
            return $"unknown action '{action}'; this {_options.Role} supports {string.Join(", ", DriverActions[_options.Role])}";
        if (MarketTime.ParseDip(marketTime) is not { } at)
            return "marketTime must be a DIP datetime (yyyy-MM-ddTHH:mm:ss+hh:mm)";
        var mpan = parameters.Text("mpan");
        if (MpanCore.Problem(mpan) is { } problem) return "parameters.mpan: " + problem;
        await AdvanceMarketTimeAsync(at.ToInstant());
        _log.Enqueue($"{channel}: {action} for {mpan}");
        _ = Task.Run(() => PerformAsync(action, at.ToInstant(), parameters));
        return null;
    }

    private async Task AdvanceMarketTimeAsync(Instant t)
    {
        if (t > _marketTime) _marketTime = t;
        // Release held messages whose time has come, in order.
        var keep = new List<(Instant, Func<Task>)>();
        while (_held.TryDequeue(out var item))
        {
            if (item.Due <= _marketTime) await item.Send();
            else keep.Add(item);
        }
        foreach (var k in keep) _held.Enqueue(k);
        await RaiseSwitchReadExceptionsAsync(t);
    }

    private async Task PerformAsync(string action, Instant at, JsonObject p)
    {
        try
        {
            var m0 = new M0Block(p.Text("mpan")!, p.Text("distributorDipId") ?? "2500000001", p.Text("gspGroup") ?? "_J");
            switch (action)
            {
                case "install-meter":
                case "exchange-meter":
                case "remove-meter":
                    await ReportMeterWorksAsync(action, at, m0, p);
                    break;
                case "change-energisation":
                    await ReportEnergisationAsync(at, m0, p);
                    break;
                case var relationship when RelationshipChanges.IsRelationshipAction(relationship):
                    if (_options.Faults.NoRelationshipRequests) break;
                    await RequestRelationshipAsync(action, m0, p);
                    break;
                case "migrate-metering-point":
                    await MigrateMeteringPointAsync(m0, p);
                    break;
                case "decline-appointments":
                    DeclineAppointments(m0.MpanCore, p.Text("reason"));
                    break;
                case "appoint-metering-service":
                    await SendAsync("IF-031", "[MSApp]", m0, new JsonObject
                    {
                        ["B070"] = new JsonObject
                        {
                            ["proposedMeteringServiceDIPID"] = p.Text("serviceDipId") ?? _options.MeteringServiceDipId,
                            ["proposedMeteringServiceMPID"] = p.Text("serviceMpid") ?? _options.MeteringServiceMpid,
                            ["proposedMeteringServiceDIPEffectiveFromDate"] = p.Text("effectiveFrom"),
                            ["contractReferenceMeteringService"] = "MS-CONTRACT-001",
                            ["appointmentScenario"] = p.Text("scenario") ?? "CSP",
                        },
                    }, null);
                    break;
            }
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            _log.Enqueue($"driver action {action} failed: {e.Message}");
        }
    }

    // Meter works are reported to SMRS by IF-005 (REC: within 3 working days of the works).
    private async Task ReportMeterWorksAsync(string action, Instant at, M0Block m0, JsonObject p)
    {
        var worksTime = MarketTime.ToDip(at);
        var meter = new JsonObject
        {
            ["meterID"] = p.Text("meterId") ?? "E21Z000001",
            ["modifiedMeterID"] = null,
            ["meterType"] = "S2A",
            ["manufacturersMakeAndType"] = "REFERENCE SMETS2",
            ["ESMEGUID"] = "00-11-22-33-44-55-66-77",
            ["meterLocation"] = "A",
            ["numberOfDisplayedRegisterDigits"] = 6,
            ["meterInstallationDate"] = worksTime,
        };
        // A removal carries only the removed meter (B039); install and exchange carry the meter now on site (B906).
        var custom = new JsonObject();
        if (action != "remove-meter")
            custom["B906"] = new JsonObject
            {
                ["existingMeter"] = meter,
                ["historyMAP"] = new JsonArray(new JsonObject { ["meterAssetProviderID"] = "REFA", ["meterAssetProviderEffectiveFromDate"] = worksTime }),
            };
        var evt = action switch { "install-meter" => "[MeterInstall]", "exchange-meter" => "[MeterExchange]", _ => "[MeterRemoval]" };
        if (action != "install-meter")
            custom["B039"] = new JsonObject { ["meterIDRemoved"] = p.Text("removedMeterId") ?? p.Text("meterId") ?? "E21Z000000", ["meterRemovalDate"] = worksTime };
        Task Send() => SendAsync("IF-005", evt, m0, custom, null);
        if (_options.Faults.MtdDelayDays > 0) _held.Enqueue((at + Duration.FromDays(_options.Faults.MtdDelayDays), Send));
        else await Send();
        if (!_options.Faults.NoWorksReadings) await ShareWorksReadingsAsync(action, at, m0, p);
        if (p.Text("segment") == "A" && action != "remove-meter") await SendAdvancedMtdAsync(at, m0, p);
        await AfterMeterWorksAsync(action, at, m0, p);
    }

    private int _files;

    // Advanced meters: the MTDs also go by DTN as D0268 'Advanced Meter Technical Details' (REC deck).
    private async Task SendAdvancedMtdAsync(Instant at, M0Block m0, JsonObject p)
    {
        if (_options.DtnUrl is null) return;
        var date = MarketTime.LocalDateOf(at).ToString("uuuuMMdd", null);
        var stamp = at.InZone(MarketTime.London).ToString("uuuuMMddHHmmss", null);
        var fileId = $"F{Interlocked.Increment(ref _files):D9}";
        var records = new[]
        {
            $"01A|{m0.MpanCore}|{date}|5|2|F||415|3|A||",
            "02A|OS0001|ABC||3|6|||||||||GS|||10.0.0.1|||||||",
            $"03A|{p.Text("meterId") ?? "M0001"}|ACME CT|{date}|||200/5|3P4W|A|{date}|MAPA|",
            "04A|01|OS0001|001|1.000000|1.00|1.0000|AI|6|||",
        };
        var count = _options.Faults.BadD0268Trailer ? records.Length + 1 : records.Length;
        var flow = $"ZHV|{fileId}|D0268002|M|{_options.Mpid}|X|{p.Text("supplierMpid") ?? "SUPA"}|{stamp}||||TR01|\n"
                   + string.Concat(records.Select(r => r + "\n")) + $"ZPT|{fileId}|{count}||1|{stamp}|\n";
        using var content = new StringContent(flow, System.Text.Encoding.Latin1, "text/plain");
        using var response = await _http.PostAsync(new Uri(_options.DtnUrl, "/dtn/flows"), content, _stopping.Token);
        _log.Enqueue($"sent D0268 {fileId} for {m0.MpanCore}: {(int)response.StatusCode}");
    }

    // Smart and Advanced readings are cumulative register readings shared by IF-041 (REC deck):
    // the removed meter's final read before, the new meter's first read after.
    private async Task ShareWorksReadingsAsync(string action, Instant at, M0Block m0, JsonObject p)
    {
        var recipients = p.Text("supplierDipId") is { } supplier ? new[] { supplier } : [];
        JsonObject Reading(string meterId, string value) => new()
        {
            ["meterID"] = meterId, ["cumulativeRegisterReading"] = value, ["cumulativeRegisterReadingDateTime"] = MarketTime.ToDip(at),
            ["readingMethod"] = "A", ["siteVisitCheckCode"] = null,
        };
        if (action is "exchange-meter" or "remove-meter")
            await SendAsync("IF-041", "[ReadingRemv]", m0, new JsonObject { ["B064List"] = new JsonArray(Reading(p.Text("removedMeterId") ?? "E21Z000001", "12345.678")) }, null, recipients);
        if (action is "install-meter" or "exchange-meter")
            await SendAsync("IF-041", "[ReadingInstl]", m0, new JsonObject { ["B064List"] = new JsonArray(Reading(p.Text("meterId") ?? "E21Z000002", "0.000")) }, null, recipients);
    }

    // An energisation change is reported by IF-007 on its own (REC deck: "IF-007 always sent separately").
    private async Task ReportEnergisationAsync(Instant at, M0Block m0, JsonObject p)
    {
        var status = p.Text("status") ?? "E";
        var b025 = new JsonObject { ["energisationStatus"] = status, ["energisationStatusEffectiveFromDate"] = MarketTime.ToDip(at) };
        if (!_options.Faults.EnergisationViaMeterUpdate)
        {
            await SendAsync("IF-007", "[EnergisationStatusChange]", m0, new JsonObject { ["B025"] = b025 }, null);
            return;
        }
        // Deliberately wrong: folds the change into a meter update.
        await ReportMeterWorksAsync("install-meter", at, m0, p);
    }

    // IF-019: link an export to its import (or related secondaries to a primary), add to or remove from
    // the relationship; SMRS confirms with IF-020.
    private async Task RequestRelationshipAsync(string action, M0Block m0, JsonObject p)
    {
        var evt = RelationshipChanges.EventByAction[action];
        var payload = DipMessageFactory.Payload("IF-019", evt, _options.DipId, _options.Role, null, SystemClock.Instance.GetCurrentInstant(), new JsonObject
        {
            ["B090List"] = new JsonArray(new JsonObject { ["subsidiaryMPAN"] = p.Text("subsidiaryMpan") }),
        }, null, _options.EnvironmentTag);
        payload = payload with { CommonBlock = payload.CommonBlock with { M1 = new M1Block(m0.MpanCore, m0.DistributorDipId, m0.GspGroupId) } };
        await PostAsync("IF-019", payload);
    }

    // IF-045 [NoMSAppointed]: the supplier has no metering service from its registration date; appoint one.
    private Task AppointAfterReminderAsync(DipMessage reminder) =>
        AppointFromTodayAsync(reminder, _options.MeteringServiceDipId, _options.MeteringServiceMpid);

    // IF-045 [InvalidMarketSegment]: the appointed service is not qualified for the metering point's new
    // segment, so the supplier changes service (CSP) from today to one that is: its fallback service.
    private async Task ReplaceUnqualifiedServiceAsync(DipMessage notice)
    {
        if (_options.FallbackMeteringServiceDipId is not { } fallback)
        {
            _log.Enqueue($"IF-045 [InvalidMarketSegment] for {notice.Mpan}: no other metering service to appoint");
            return;
        }
        await AppointFromTodayAsync(notice, fallback, _options.FallbackMeteringServiceMpid ?? "");
    }

    private async Task AppointFromTodayAsync(DipMessage notice, string serviceDipId, string serviceMpid)
    {
        if (_options.Faults.IgnoreReminders) return;
        var today = MarketTime.ParseDip(notice.Payload.CommonBlock.D0?.TransactionTimestamp)?.ToInstant() ?? SystemClock.Instance.GetCurrentInstant();
        var efd = MarketTime.ToDip(MarketTime.StartOfDay(MarketTime.LocalDateOf(today)));
        await SendAsync("IF-031", "[MSApp]", notice.Payload.CommonBlock.M0!, new JsonObject
        {
            ["B070"] = new JsonObject
            {
                ["proposedMeteringServiceDIPID"] = serviceDipId,
                ["proposedMeteringServiceMPID"] = serviceMpid,
                ["proposedMeteringServiceDIPEffectiveFromDate"] = efd,
                ["contractReferenceMeteringService"] = "MS-CONTRACT-001",
                ["appointmentScenario"] = "CSP",
            },
        }, notice.Payload.CommonBlock.S1.SenderCorrelationId);
    }
}
