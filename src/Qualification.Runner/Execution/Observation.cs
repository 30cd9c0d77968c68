using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Rules.Facts;

namespace Qualification.Runner.Execution;

/// <summary>
/// Turns journal records (what the stubs recorded) into facts for the rules: one fact per message
/// item a participant sent (with the DIP's verdict on it) and one per publication delivered.
/// </summary>
public static partial class Observation
{
    /// <summary>Facts from journal records, in journal order.</summary>
    public static IReadOnlyList<ObservedMessage> Facts(IEnumerable<JournalRecord> records)
    {
        var list = records.ToList();
        var inbound = list.Where(r => r.Kind == JournalKind.Inbound).ToDictionary(r => r.Sequence);
        var facts = new List<ObservedMessage>();
        foreach (var response in list.Where(r => r.Kind == JournalKind.Response && r.ReplyTo is not null))
        {
            if (!inbound.TryGetValue(response.ReplyTo!.Value, out var request) || request.Body is not JsonArray items) continue;
            var verdicts = response.Body?["messageArray"] as JsonArray;
            for (var i = 0; i < items.Count; i++)
            {
                var payload = items[i]?["payload"];
                var verdict = verdicts is not null && i < verdicts.Count ? verdicts[i] : null;
                // A whole-body failure answers with one item for every message.
                if (verdict is null && verdicts is { Count: 1 }) verdict = verdicts[0];
                var accepted = verdict.Text("message")?.StartsWith("MSG0000", StringComparison.Ordinal) == true;
                var help = verdict.Text("help");
                facts.Add(new ObservedMessage
                {
                    Id = $"J{request.Sequence}#{i}",
                    Scenario = request.Scenario ?? "",
                    Direction = Direction.Sent,
                    InterfaceId = payload.Text("CommonBlock", "S0", "interfaceID") ?? request.InterfaceId ?? "",
                    EventCode = payload.Text("CommonBlock", "S0", "eventCode"),
                    Mpan = payload.Text("CommonBlock", "M0", "MPANCore") ?? payload.Text("CommonBlock", "M1", "principalMPAN") ?? "",
                    SenderDipId = payload.Text("CommonBlock", "S1", "senderDIPID"),
                    SenderRole = payload.Text("CommonBlock", "S1", "senderRoleID"),
                    MarketTime = ParseTime(request.MarketTime),
                    SchemaValid = accepted,
                    Violations = accepted || help is null ? [] : help.Split("; "),
                    CustomBlock = payload?["CustomBlock"] as JsonObject,
                    ResponseCode = payload.Text("CommonBlock", "R0", "responseCode"),
                    TransactionId = verdict.Text("transactionID"),
                });
            }
        }
        // A publication counts once, when it was first delivered (or recorded for a harness-played party).
        foreach (var push in list.Where(r => r.Kind == JournalKind.Push && (r.Status is >= 200 and < 300 || r.Status is null && r.Url is null))
                     .GroupBy(r => r.TransactionId).Select(g => g.First()))
        {
            var payload = (push.Body as JsonArray)?[0]?["payload"];
            facts.Add(new ObservedMessage
            {
                Id = $"J{push.Sequence}",
                Scenario = push.Scenario ?? "",
                Direction = Direction.Published,
                InterfaceId = push.InterfaceId ?? "",
                EventCode = push.EventCode,
                Mpan = push.Mpan ?? "",
                SenderDipId = push.From,
                SenderRole = payload.Text("CommonBlock", "S1", "senderRoleID"),
                RecipientDipId = push.To,
                MarketTime = ParseTime(push.MarketTime),
                CustomBlock = payload?["CustomBlock"] as JsonObject,
                ResponseCode = payload.Text("CommonBlock", "R0", "responseCode"),
                ResponseMessages = ResponseMessages(payload),
                TransactionId = push.TransactionId,
            });
        }
        return facts.OrderBy(f => f.MarketTime).ToList();
    }

    /// <summary>DTN flows participants sent to the gateway, and those harness-played parties sent through it (marked <see cref="ObservedFlow.FromHarness"/>).</summary>
    public static IReadOnlyList<ObservedFlow> Flows(IEnumerable<JournalRecord> records) =>
        records.Where(r => r.Kind == JournalKind.Dtn && r.Body?["direction"]?.ToString() is "inbound" or "outbound" && r.From is not null)
            .Select(r =>
            {
                var (mpans, readings) = FlowContents.Read(r.InterfaceId, r.RawBody);
                return new ObservedFlow($"J{r.Sequence}", r.Scenario ?? "", r.InterfaceId ?? "", r.From![(r.From!.IndexOf(':') + 1)..],
                    r.Body?["valid"]?.GetValue<bool>() == true,
                    (r.Body?["findings"] as JsonArray)?.Where(f => f?["severity"]?.ToString() == "Error")
                        .Select(f => $"{f?["rule"]} line {f?["line"]}: {f?["message"]}").ToList() ?? [], ParseTime(r.MarketTime))
                {
                    RecipientMpid = r.To is { } to ? to[(to.IndexOf(':') + 1)..] : "",
                    FromHarness = r.Body?["direction"]?.ToString() == "outbound",
                    Mpans = mpans,
                    RegisterReadings = readings,
                };
            })
            .ToList();

    /// <summary>Business actions participants accepted through their driver API.</summary>
    public static IReadOnlyList<ObservedAction> Actions(IEnumerable<JournalRecord> records) =>
        records.Where(r => r.Kind == JournalKind.Driver && r.Status is >= 200 and < 300)
            .Select(r => new ObservedAction($"J{r.Sequence}", r.Scenario ?? "", r.EventCode ?? "", r.Mpan ?? "", r.To ?? "", ParseTime(r.MarketTime))
            {
                Segment = r.Body.Text("parameters", "segment"),
                SupplierMpid = r.Body.Text("parameters", "supplierMpid"),
            })
            .ToList();

    private static IReadOnlyList<string> ResponseMessages(JsonNode? payload) =>
        (payload?["CommonBlock"]?["R0"]?["responseMessages"] as JsonArray)?.Select(m => m?.ToString() ?? "").ToList() ?? [];

    // Records without a market time (none should have one missing) sort first, at the Unix epoch, which prints.
    private static Instant ParseTime(string? dip) => MarketTime.ParseDip(dip)?.ToInstant() ?? NodaTime.Instant.FromUnixTimeSeconds(0);
}
