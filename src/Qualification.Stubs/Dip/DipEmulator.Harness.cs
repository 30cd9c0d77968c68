using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using WireMock;
using WireMock.Types;
using WireMock.Util;

namespace Qualification.Stubs.Dip;

// The harness's own read-only endpoint: the journal, for a participant developing against
// `qualify stubs`, guarded by the run's token. Not part of the DIP API.
public sealed partial class DipEmulator
{
    /// <summary>Most records one GET /harness/journal returns.</summary>
    public const int HarnessJournalPageLimit = 1000;

    private static readonly JsonSerializerOptions RecordJson = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private ResponseMessage HandleHarnessJournal(Call call)
    {
        var presented = Header(call.Request, "X-Harness-Token")
            ?? (Header(call.Request, "Authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth["Bearer ".Length..].Trim() : null);
        if (presented is null)
            return Respond(call, 401, Standard(call.Now, Item(null, null, Unauthorised,
                "GET /harness/journal needs the run's token: send 'Authorization: Bearer <token>' (qualify stubs prints it at start and writes it to harness-token in its results folder)")));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(_options.HarnessToken!)))
            return Respond(call, 403, Standard(call.Now, Item(null, null, "MSG1403 - Forbidden", "the token is not this run's token; use the one printed at start (harness-token in the results folder)")));

        var after = 0L;
        var limit = HarnessJournalPageLimit;
        var afterText = QueryValue(call.Request, "after");
        var limitText = QueryValue(call.Request, "limit");
        if (afterText is not null && (!long.TryParse(afterText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out after)))
            return Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, $"after={afterText}: give the last journal sequence number you have (a whole number, 0 for the start)")));
        if (limitText is not null && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > HarnessJournalPageLimit))
            return Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, $"limit={limitText}: give a whole number from 1 to {HarnessJournalPageLimit}")));

        // Read from the file (everything journalled, also by other parts of the harness), not from memory.
        var records = new JsonArray();
        var last = after;
        var more = false;
        foreach (var (record, _, _) in Journal.Read(Journal.Path))
        {
            if (record is null || record.Sequence <= after) continue;
            if (records.Count == limit) { more = true; break; }
            records.Add(JsonSerializer.SerializeToNode(record, RecordJson));
            last = record.Sequence;
        }
        var body = new JsonObject { ["records"] = records, ["last"] = last, ["more"] = more };
        // The page is not copied into the journal again: that would make every read grow the journal by its own size.
        Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Response, MarketTime = MarketTime.ToDip(call.Now), Scenario = call.Scenario, ReplyTo = call.InboundSequence, Status = 200,
            Note = $"harness journal: {records.Count} record(s) after {after}",
        });
        return new ResponseMessage
        {
            StatusCode = 200,
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
            BodyData = new BodyData { BodyAsString = body.ToJsonString(RecordJson), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
    }
}
