using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using WireMock;

namespace Qualification.Stubs.Dip;

// The DIP's management operations: publication webhooks, replay, requeue, delivery status and
// status messages, as the DIP API description v2.2.1 defines them.
public sealed partial class DipEmulator
{
    private readonly ConcurrentDictionary<string, (string Key, int Offset)> _continuations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Uri> _statusWebhooks = new(StringComparer.Ordinal);

    // A recipient may only manage its own channel configuration and publications.
    private ResponseMessage? Forbidden(Call call, string recipient) =>
        call.Authenticated is { } who && who.DipId != recipient
            ? Respond(call, 403, Standard(call.Now, Item(null, null, "MSG1403 - Forbidden", $"the X-API-Key belongs to {who}; it cannot act for recipient {recipient}")))
            : null;

    private ResponseMessage? UnknownChannel(Call call) =>
        Schemas.Interfaces.Contains(call.Channel!) ? null
            : Respond(call, 404, Standard(call.Now, Item(null, null, "MSG1404 - Not Found", $"'{call.Channel}' is not a DIP channel in API description {Schemas.Version}")));

    private ResponseMessage? SchemaRefusal(Call call, string schema)
    {
        if (call.Json is null)
            return Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, call.Body.Length == 0 ? $"$: the body is empty; send a {schema} object" : "$: the body is not JSON")));
        var problems = Schemas.Validate(schema, call.Json, "$");
        return problems.Count == 0 ? null : Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, string.Join("; ", problems))));
    }

    private static Uri? CallbackUrl(JsonNode? config, out string? problem)
    {
        problem = null;
        var text = Text(config?["callbackURL"]);
        if (text is null) { problem = "$.callbackURL: required; the URL the DIP POSTs publications to"; return null; }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) { problem = $"$.callbackURL: '{text}' is not an absolute http(s) URL"; return null; }
        return uri;
    }

    private ResponseMessage HandlePubConfig(Call call)
    {
        var recipient = call.Segments[3];
        if ((UnknownChannel(call) ?? Forbidden(call, recipient)) is { } refusal) return refusal;
        if (call.Method == "DELETE")
        {
            Directory.RemoveWebhook(call.Channel!, recipient);
            return Respond(call, 204, null);
        }
        if (SchemaRefusal(call, "WebhookConfig") is { } bad) return bad;
        var url = CallbackUrl(call.Json, out var problem);
        if (url is null) return Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, problem)));
        // maxMessageCount and maxPayloadSize are accepted and ignored, as the DIP does (onboarding guidance).
        Directory.SetWebhook(call.Channel!, recipient, url);
        return Respond(call, 201, null);
    }

    // ---- replay and requeue --------------------------------------------------------------------

    private sealed record Filter(Instant? From, Instant? To, string? EventCode, string? Mpan, IReadOnlySet<string>? TransactionIds, string? Version);

    private Filter? ReadFilter(Call call, out ResponseMessage? refusal)
    {
        refusal = SchemaRefusal(call, "MessageRequest");
        if (refusal is not null) return null;
        var body = call.Json!;
        Instant? Time(string field)
        {
            var text = Text(body[field]);
            if (text is null) return null;
            var parsed = MarketTime.ParseDip(text);
            if (parsed is null) throw new FormatException($"$.{field}: '{text}' is not a DIP date-time (yyyy-MM-ddTHH:mm:ss+hh:mm)");
            return parsed.Value.ToInstant();
        }
        try
        {
            var ids = body["transactionIDs"] is JsonArray a ? a.Select(Text).OfType<string>().ToHashSet(StringComparer.Ordinal) : null;
            var evt = Text(body["eventCode"]);
            if (evt is not null && !evt.StartsWith('[')) evt = "[" + evt + "]";
            return new Filter(Time("datetimeFrom"), Time("datetimeTo"), evt, Text(body["MPAN"]), ids, Text(body["version"]));
        }
        catch (FormatException e)
        {
            refusal = Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, e.Message)));
            return null;
        }
    }

    private List<Publication> Matching(string channel, string recipient, Filter filter)
    {
        lock (_publications)
        {
            return _publications.Where(p => p.Channel == channel && p.Recipient == recipient
                    && (filter.From is null || p.At >= filter.From) && (filter.To is null || p.At <= filter.To)
                    && (filter.EventCode is null || p.EventCode == filter.EventCode)
                    && (filter.Mpan is null || p.M0Mpan == filter.Mpan)
                    && (filter.TransactionIds is null || filter.TransactionIds.Contains(p.TransactionId))
                    && (filter.Version is null || p.SchemaVersion == filter.Version))
                .ToList();
        }
    }

    private static DipMessage Replayed(Publication p)
    {
        var egress = p.Egress;
        return new(egress.Payload with { CommonBlock = egress.Payload.CommonBlock with { D0 = egress.Payload.CommonBlock.D0! with { ReplayIndicator = true } } });
    }

    private ResponseMessage HandleReplay(Call call)
    {
        var recipient = call.Segments[3];
        if ((UnknownChannel(call) ?? Forbidden(call, recipient)) is { } refusal) return refusal;
        var filter = ReadFilter(call, out var bad);
        if (filter is null) return bad!;
        var matching = Matching(call.Channel!, recipient, filter);
        // The continuation token is bound to the same channel, recipient and filter.
        var key = call.Channel + "|" + recipient + "|" + call.Json!.ToJsonString();
        var offset = 0;
        if (Header(call.Request, "X-Continuation-Token") is { Length: > 0 } presented)
        {
            if (!_continuations.TryGetValue(presented, out var state) || state.Key != key)
                return Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, "X-Continuation-Token is unknown or was issued for another channel, recipient or filter; send the same body as the first page")));
            offset = state.Offset;
        }
        var page = matching.Skip(offset).Take(_options.ReplayPageSize).Select(Replayed).ToList();
        var body = JsonNode.Parse(DipMessage.ToArrayJson(page))!;
        var next = offset + page.Count;
        if (next < matching.Count)
        {
            var token = Guid.NewGuid().ToString("N");
            _continuations[token] = (key, next);
            return Respond(call, 206, body, ("X-Continuation-Token", token));
        }
        return Respond(call, 200, body);
    }

    private ResponseMessage HandleRequeue(Call call)
    {
        var recipient = call.Segments[3];
        if ((UnknownChannel(call) ?? Forbidden(call, recipient)) is { } refusal) return refusal;
        var filter = ReadFilter(call, out var bad);
        if (filter is null) return bad!;
        var channel = call.Channel!;
        if (_requeues.Values.FirstOrDefault(j => j.Channel == channel && j.Recipient == recipient && !j.Finished) is { } running)
            return Respond(call, 429, Standard(call.Now, Item(null, null, "MSG1429 - Too Many Requests", $"requeue {running.Id} is still {running.Status}; one requeue at a time (see requeueStatus)")));
        var matching = Matching(channel, recipient, filter);
        // Shaped like the description's example requeue id: <DIP id>-<yyyymmdd>-<unique>.
        var id = $"{recipient}-{call.Now.ToDateTimeUtc():yyyyMMdd}-{Guid.NewGuid():N}";
        var job = new RequeueJob(id, channel, recipient, matching.Count);
        _requeues[id] = job;
        _ = Task.Run(async () =>
        {
            foreach (var p in matching)
            {
                if (_stopping.IsCancellationRequested) break;
                var track = _tracks.Find(t => t.Channel == channel && t.TransactionFor(recipient) == p.TransactionId);
                job.Done(await DeliverAsync(Replayed(p), recipient, channel, track, $"requeue {id}"));
            }
            job.Finished = true;
        });
        return Respond(call, 202, JsonValue.Create(id));
    }

    private ResponseMessage HandleRequeueStatus(Call call)
    {
        var recipient = call.Segments[3];
        if ((UnknownChannel(call) ?? Forbidden(call, recipient)) is { } refusal) return refusal;
        var wanted = QueryValue(call.Request, "requeue-id");
        var jobs = _requeues.Values.Where(j => j.Channel == call.Channel && j.Recipient == recipient && (wanted is null || j.Id == wanted)).ToList();
        return jobs.Count == 0 ? Respond(call, 204, null) : Respond(call, 200, new JsonArray(jobs.Select(j => (JsonNode?)j.ToJson()).ToArray()));
    }

    private static string? QueryValue(IRequestMessage request, string name)
    {
        var query = new Uri(request.Url).Query.TrimStart('?');
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            if (Uri.UnescapeDataString(parts[0]) == name) return parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        return null;
    }

    // ---- delivery status -----------------------------------------------------------------------

    private ResponseMessage HandleDeliveryStatus(Call call)
    {
        var recipient = call.Segments[3];
        var reference = call.Segments[4];
        if (UnknownChannel(call) is { } refusal) return refusal;
        // The sender asks about its own message, so the API key must be the sender's or the recipient's.
        if (!_tracks.TryGet(call.Channel!, reference, out var track)) return Respond(call, 204, null);
        if (call.Authenticated is { } who && who.DipId != track.SenderDipId && who.DipId != recipient)
            return Respond(call, 403, Standard(call.Now, Item(null, null, "MSG1403 - Forbidden", $"{who} is neither the sender nor the recipient of {reference}")));
        return Respond(call, 200, track.ToJournalRecord(recipient));
    }

    // ---- status messages -----------------------------------------------------------------------

    private ResponseMessage HandleStatusMessage(Call call)
    {
        if (SchemaRefusal(call, "StandardResponseArray") is { } bad) return bad;
        var count = ((JsonArray)call.Json!).Count;
        return Respond(call, 201, Standard(call.Now, Item(null, null, Success, $"{count} status message(s) recorded")));
    }

    private ResponseMessage HandleStatusMessageConfig(Call call)
    {
        var recipient = call.Segments[2];
        if (Forbidden(call, recipient) is { } refusal) return refusal;
        if (call.Method == "DELETE")
        {
            _statusWebhooks.TryRemove(recipient, out _);
            return Respond(call, 204, null);
        }
        if (SchemaRefusal(call, "WebhookConfig") is { } bad) return bad;
        var url = CallbackUrl(call.Json, out var problem);
        if (url is null) return Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, problem)));
        _statusWebhooks[recipient] = url;
        return Respond(call, 201, null);
    }
}
