using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Qualification.Stubs.Dip;

/// <summary>A message the emulated DIP accepted from a sender, with the transaction id it gave it.</summary>
/// <param name="Message">The message as sent.</param>
/// <param name="TransactionId">DIP transaction id.</param>
/// <param name="ReceivedAt">Market time of receipt (the DIP's transaction timestamp).</param>
/// <param name="Sender">The authenticated sender, when known.</param>
public sealed record AcceptedMessage(DipMessage Message, string TransactionId, Instant ReceivedAt, Participant? Sender);

/// <summary>Settings of the emulated DIP.</summary>
public sealed record DipEmulatorOptions
{
    /// <summary>Where it listens, e.g. http://127.0.0.1:7401; port 0 picks a free one. Loopback unless the user says otherwise.</summary>
    public string Url { get; init; } = "http://127.0.0.1:0";
    /// <summary>Require the X-API-Key header of a known participant.</summary>
    public bool RequireApiKey { get; init; }
    /// <summary>Delivery attempts per publication before it is marked RetriesExhausted.</summary>
    public int MaxDeliveryAttempts { get; init; } = 3;
    /// <summary>Wait before the first retry; doubles each attempt.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>How long a candidate's webhook may take to answer.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>DIP id the emulated DIP signs its own transaction ids with.</summary>
    public string DipManagerId { get; init; } = "0000000000";
}

/// <summary>
/// The emulated Data Integration Platform. Participants POST DIP message arrays to
/// <c>/dip-channel/{IF-id}</c>; each item is validated against its interface and event schema from
/// the DIP API description. Accepted messages go to the central services (via <see cref="Accepted"/>);
/// publications are pushed to recipients' webhooks as egress arrays with the D0 block filled.
/// Every request, response and delivery attempt is written to the journal.
/// </summary>
public sealed class DipEmulator : IAsyncDisposable
{
    private readonly DipEmulatorOptions _options;
    private readonly WireMockServer _server;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stopping = new();
    private long _transactions;

    /// <summary>Starts the emulator.</summary>
    public DipEmulator(DipEmulatorOptions options, DipSchemaCatalog schemas, ParticipantDirectory directory, Journal journal, MarketClock clock, Func<string?> currentScenario)
    {
        _options = options;
        Schemas = schemas;
        Directory = directory;
        Journal = journal;
        Clock = clock;
        CurrentScenario = currentScenario;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = options.DeliveryTimeout };
        _server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [options.Url],
            StartAdminInterface = false,
            MaxRequestLogCount = 10_000,
        });
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/dip-channel/[^/]+$")).UsingPost())
            .WithTitle("DIP: send messages on a channel")
            .AtPriority(10)
            .RespondWith(Response.Create().WithCallback(HandleChannelPost));
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/validate/[^/]+/[^/]+$")).UsingPost())
            .WithTitle("DIP: debug validation")
            .AtPriority(10)
            .RespondWith(Response.Create().WithCallback(HandleValidate));
        _server.Given(Request.Create().UsingAnyMethod())
            .WithTitle("DIP: unknown path")
            .AtPriority(1000)
            .RespondWith(Response.Create().WithCallback(req =>
                Json(404, StandardResponse(Clock.GetCurrentInstant(), [Item(null, null, "MSG1404 - Not Found", $"No DIP endpoint {req.Method} {req.Path}; messages go to POST /dip-channel/IF-xxx")]))));
    }

    /// <summary>The URL participants send to, e.g. http://127.0.0.1:7401.</summary>
    public string Url => _server.Url!;

    /// <summary>The schemas messages are validated against.</summary>
    public DipSchemaCatalog Schemas { get; }

    /// <summary>Participants and their webhooks.</summary>
    public ParticipantDirectory Directory { get; }

    /// <summary>The run journal.</summary>
    public Journal Journal { get; }

    /// <summary>The market clock.</summary>
    public MarketClock Clock { get; }

    /// <summary>Which scenario is running (for journal records).</summary>
    public Func<string?> CurrentScenario { get; }

    /// <summary>Handlers of accepted messages (the central services subscribe here).</summary>
    public event Func<AcceptedMessage, Task>? Accepted;

    private ResponseMessage HandleValidate(IRequestMessage request)
    {
        var parts = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (iface, evt) = (parts[1], parts[2]);
        var now = Clock.GetCurrentInstant();
        if (!TryParseArray(request, out var items, out var parseError))
            return Json(400, StandardResponse(now, [Item(null, null, "MSG1001 - Schema Failure", parseError)]));
        var responses = new List<JsonObject>();
        var anyBad = false;
        foreach (var (item, index) in items.Select((x, i) => (x, i)))
        {
            var problems = ValidateItem(iface, item, index, expectedEvent: evt.StartsWith('[') ? evt : "[" + evt + "]");
            anyBad |= problems.Count > 0;
            responses.Add(Item(null, SenderReference(item), problems.Count == 0 ? "MSG0000 - Success" : "MSG1001 - Schema Failure", problems.Count == 0 ? null : string.Join("; ", problems)));
        }
        return Json(anyBad ? 400 : 201, StandardResponse(now, responses));
    }

    private ResponseMessage HandleChannelPost(IRequestMessage request)
    {
        var channel = request.Path["/dip-channel/".Length..];
        var now = Clock.GetCurrentInstant();
        var scenario = CurrentScenario();
        var raw = request.Body ?? (request.BodyAsBytes is { } b ? Encoding.UTF8.GetString(b) : "");
        JsonNode? bodyNode = null;
        try { bodyNode = JsonNode.Parse(raw); } catch (JsonException) { }
        var inbound = Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Inbound, MarketTime = MarketTime.ToDip(now), Scenario = scenario, InterfaceId = channel,
            Url = request.Url, Body = bodyNode, RawBody = bodyNode is null ? raw : null,
        });

        Participant? sender = null;
        var apiKey = request.Headers is { } h && h.TryGetValue("X-API-Key", out var keys) ? keys.FirstOrDefault() : null;
        if (apiKey is not null) sender = Directory.FindByApiKey(apiKey);
        if (_options.RequireApiKey && sender is null)
            return Respond(401, now, scenario, channel, inbound.Sequence, [Item(null, null, "MSG1401 - Unauthorised", apiKey is null ? "X-API-Key header is missing" : "X-API-Key is not registered for any participant")]);

        if (!Schemas.Interfaces.Contains(channel))
            return Respond(404, now, scenario, channel, inbound.Sequence, [Item(null, null, "MSG1404 - Not Found", $"'{channel}' is not a DIP channel in API description {Schemas.Version}; use one of IF-001 … IF-065")]);

        if (!TryParseArray(request, out var items, out var parseError))
            return Respond(400, now, scenario, channel, inbound.Sequence, [Item(null, null, "MSG1001 - Schema Failure", parseError)]);

        var results = new List<JsonObject>();
        var accepted = new List<AcceptedMessage>();
        foreach (var (item, index) in items.Select((x, i) => (x, i)))
        {
            var problems = ValidateItem(channel, item, index, expectedEvent: null);
            var sur = SenderReference(item);
            if (problems.Count > 0)
            {
                results.Add(Item(null, sur, "MSG1001 - Schema Failure", string.Join("; ", problems)));
                continue;
            }
            var message = DipMessage.FromNode(item!);
            var transactionId = DipIds.TransactionId(channel, message.Payload.CommonBlock.S1.SenderDipId, message.Payload.CommonBlock.S1.SenderRoleId,
                DateOnly.FromDateTime(now.ToDateTimeUtc()), Interlocked.Increment(ref _transactions));
            sender ??= Directory.Find(message.Payload.CommonBlock.S1.SenderDipId);
            accepted.Add(new AcceptedMessage(message, transactionId, now, sender));
            results.Add(Item(transactionId, sur, "MSG0000 - Success", null, message.Payload.CommonBlock.S1.SenderCorrelationId, message.Payload.CommonBlock.S1.SenderDipId));
        }
        var status = accepted.Count == items.Count ? 201 : accepted.Count == 0 ? 400 : 207;
        var response = Respond(status, now, scenario, channel, inbound.Sequence, results);
        foreach (var a in accepted) Dispatch(a);
        return response;
    }

    // Central services process accepted messages after the synchronous response, as the DIP does.
    private void Dispatch(AcceptedMessage message)
    {
        var handlers = Accepted;
        if (handlers is null) return;
        _ = Task.Run(async () =>
        {
            foreach (var h in handlers.GetInvocationList().Cast<Func<AcceptedMessage, Task>>())
            {
                try { await h(message); }
                catch (Exception e)
                {
                    Journal.Append(new JournalRecord
                    {
                        Kind = JournalKind.Marker, Scenario = CurrentScenario(), InterfaceId = message.Message.InterfaceId, Mpan = message.Message.Mpan,
                        TransactionId = message.TransactionId, Note = "harness fault while processing: " + e.Message,
                    });
                }
            }
        });
    }

    private bool TryParseArray(IRequestMessage request, out IReadOnlyList<JsonNode?> items, out string error)
    {
        items = [];
        var raw = request.Body ?? (request.BodyAsBytes is { } b ? Encoding.UTF8.GetString(b) : null);
        if (string.IsNullOrWhiteSpace(raw)) { error = "$: the body is empty; send a JSON array of {\"payload\": …} items"; return false; }
        JsonNode? node;
        try { node = JsonNode.Parse(raw); }
        catch (JsonException e) { error = $"$: the body is not JSON ({e.Message})"; return false; }
        if (node is not JsonArray array) { error = "$: the body must be a JSON array of {\"payload\": …} items (DIPMessageArray)"; return false; }
        if (array.Count == 0) { error = "$: the array is empty; send at least one message"; return false; }
        items = array.ToList();
        error = "";
        return true;
    }

    private List<string> ValidateItem(string channel, JsonNode? item, int index, string? expectedEvent)
    {
        var prefix = $"$[{index}]";
        if (item is not JsonObject obj || obj["payload"] is not JsonObject payload)
            return [$"{prefix}.payload: required; each item is {{\"payload\": {{\"CommonBlock\": …, \"CustomBlock\": …}}}}"];
        var s0 = payload["CommonBlock"]?["S0"];
        var iface = (s0?["interfaceID"] as JsonValue)?.ToString();
        var evt = (s0?["eventCode"] as JsonValue)?.ToString();
        if (iface is not null && iface != channel)
            return [$"{prefix}.payload.CommonBlock.S0.interfaceID: is '{iface}' but the message was sent on channel {channel}"];
        if (expectedEvent is not null && evt != expectedEvent)
            return [$"{prefix}.payload.CommonBlock.S0.eventCode: is '{evt}' but the validation endpoint is for {expectedEvent}"];
        var schemaName = Schemas.SchemaFor(channel, evt);
        if (schemaName is null)
        {
            var known = string.Join(", ", Schemas.EventsByInterface.GetValueOrDefault(channel) ?? new HashSet<string>());
            return [$"{prefix}.payload.CommonBlock.S0.eventCode: '{evt}' is not an event of {channel}; expected one of {known} (with the brackets)"];
        }
        var problems = Schemas.Validate(schemaName, payload, prefix + ".payload").Select(v => v.ToString()).ToList();
        if (problems.Count == 0)
        {
            // Beyond the schema: the DIP's own L1 check on the MPAN core.
            var mpan = (payload["CommonBlock"]?["M0"]?["MPANCore"] as JsonValue)?.ToString();
            if (MpanCore.Problem(mpan) is { } mpanProblem) problems.Add($"{prefix}.payload.CommonBlock.M0.MPANCore: {mpanProblem}");
        }
        return problems;
    }

    private static string? SenderReference(JsonNode? item) =>
        (item?["payload"]?["CommonBlock"]?["S1"]?["senderUniqueReference"] as JsonValue)?.ToString();

    /// <summary>
    /// Publishes a message from a central service: fills D0 and pushes it to each recipient's webhook,
    /// retrying with back-off. Returns once every delivery has succeeded or exhausted its retries.
    /// </summary>
    public async Task PublishAsync(DipPayload payload, IEnumerable<string> recipientDipIds, string? initialCorrelationId = null)
    {
        var now = Clock.GetCurrentInstant();
        var iface = payload.CommonBlock.S0.InterfaceId;
        var tasks = recipientDipIds.Distinct().Select(async recipient =>
        {
            var d0 = new D0Block(
                DipIds.TransactionId(iface, recipient, Directory.Find(recipient)?.Role ?? "REGS", DateOnly.FromDateTime(now.ToDateTimeUtc()), Interlocked.Increment(ref _transactions)),
                MarketTime.ToDip(now), DipIds.PublicationId(iface), initialCorrelationId, false, null);
            var egress = new DipMessage(payload with { CommonBlock = payload.CommonBlock with { D0 = d0 } });
            await DeliverAsync(egress, recipient, iface);
        });
        await Task.WhenAll(tasks);
    }

    private async Task DeliverAsync(DipMessage egress, string recipient, string channel)
    {
        var body = DipMessage.ToArrayJson([egress]);
        var url = Directory.CallbackFor(channel, recipient);
        var record = new JournalRecord
        {
            Kind = JournalKind.Push, Scenario = CurrentScenario(), InterfaceId = channel, EventCode = egress.EventCode, Mpan = egress.Mpan,
            From = egress.Payload.CommonBlock.S1.SenderDipId, To = recipient, TransactionId = egress.Payload.CommonBlock.D0!.TransactionId,
            Body = JsonNode.Parse(body),
        };
        if (url is null)
        {
            // A party the harness plays without a process (e.g. the distributor): recorded, not sent.
            Journal.Append(record with { MarketTime = MarketTime.ToDip(Clock.GetCurrentInstant()), Note = "recorded for a party the harness plays" });
            return;
        }
        var backoff = _options.RetryBackoff;
        for (var attempt = 1; attempt <= _options.MaxDeliveryAttempts; attempt++)
        {
            int? status = null;
            string note;
            // The attempt is stamped when it starts: a fast recipient may answer before the POST returns.
            var attemptStart = Clock.GetCurrentInstant();
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(url, content, _stopping.Token);
                status = (int)response.StatusCode;
                note = response.IsSuccessStatusCode ? "Delivered" : $"RejectedByRecipient (attempt {attempt})";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                note = $"attempt {attempt} failed: {(e is TaskCanceledException ? "timed out" : e.Message)}";
            }
            var delivered = status is >= 200 and < 300;
            if (!delivered && attempt == _options.MaxDeliveryAttempts) note += "; RetriesExhausted";
            Journal.Append(record with { MarketTime = MarketTime.ToDip(attemptStart), Url = url.ToString(), Status = status, Note = note });
            if (delivered || _stopping.IsCancellationRequested) return;
            if (attempt < _options.MaxDeliveryAttempts)
            {
                try { await Task.Delay(backoff, _stopping.Token); } catch (TaskCanceledException) { return; }
                backoff *= 2;
            }
        }
    }

    private ResponseMessage Respond(int status, Instant now, string? scenario, string channel, long replyTo, IReadOnlyList<JsonObject> items)
    {
        var body = StandardResponse(now, items);
        Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Response, MarketTime = MarketTime.ToDip(now), Scenario = scenario, InterfaceId = channel, ReplyTo = replyTo, Status = status, Body = body.DeepClone(),
        });
        return Json(status, body);
    }

    private static JsonObject StandardResponse(Instant now, IEnumerable<JsonObject> items) => new()
    {
        ["messageArray"] = new JsonArray(items.Cast<JsonNode>().ToArray()),
        ["timestamp"] = MarketTime.ToDip(now),
    };

    private static JsonObject Item(string? transactionId, string? senderUniqueReference, string message, string? help, string? correlationId = null, string? senderId = null) => new()
    {
        ["transactionID"] = transactionId,
        ["senderUniqueReference"] = senderUniqueReference,
        ["correlationID"] = correlationId,
        ["sentTimestamp"] = null,
        ["senderID"] = senderId,
        ["recipientID"] = null,
        ["DIPConnectionProviderID"] = null,
        ["message"] = message,
        ["help"] = help,
        ["serviceTicketURL"] = null,
    };

    private static ResponseMessage Json(int status, JsonNode body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _server.Stop();
        _server.Dispose();
        _http.Dispose();
        _stopping.Dispose();
    }
}
