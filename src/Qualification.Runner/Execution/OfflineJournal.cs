using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Evidence;
using Qualification.Rules.Facts;
using Qualification.Stubs;

namespace Qualification.Runner.Execution;

/// <summary>
/// One line of an offline input after parsing: a harness run-journal record, a plain DIP message
/// (one egress item per line), or a problem (corrupt or truncated line).
/// </summary>
public sealed class OfflineLine
{
    /// <summary>Index of the input file (0-based, in the order given).</summary>
    public int File { get; init; }
    /// <summary>Line number in that file, from 1.</summary>
    public long Line { get; init; }
    /// <summary>Why the line was skipped; null when it parsed.</summary>
    public string? Problem { get; init; }
    /// <summary>A run-journal record.</summary>
    public JournalRecord? Record { get; init; }
    /// <summary>A plain DIP message.</summary>
    public DipLine? Message { get; init; }
}

/// <summary>A DIP message as delivered (egress item with D0), turned into facts whose scope is filled in when its partition closes.</summary>
/// <param name="Mpan">M0 MPAN core ("" when absent).</param>
/// <param name="MarketTime">D0.transactionTimestamp.</param>
/// <param name="SenderUniqueReference">S1.senderUniqueReference: a message delivered to several recipients counts once as sent.</param>
/// <param name="Sent">The message as sent by S1's participant.</param>
/// <param name="Published">The message as published to its recipient (from D0.transactionID), when known.</param>
public sealed record DipLine(string Mpan, Instant MarketTime, string? SenderUniqueReference, ObservedMessage Sent, ObservedMessage? Published);

/// <summary>Reading offline inputs: the two line formats, and who sent what (to infer the candidates).</summary>
public static class OfflineJournal
{
    private static readonly JsonSerializerOptions Options = new();

    /// <summary>The DIP ids of the central parties the harness plays (never candidates).</summary>
    public static IReadOnlySet<string> CentralParties { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        HarnessParties.RegistrationServiceDipId, HarnessParties.DistributorDipId, HarnessParties.LosingSupplierDipId, HarnessParties.IncumbentMeteringServiceDipId,
        HarnessParties.GainingMeteringServiceDipId, HarnessParties.SmartDataServiceDipId,
    };

    /// <summary>The reference participants: candidates only in a reference run (no other sender in the journal), as in <c>qualify run</c> without a profile.</summary>
    public static IReadOnlyDictionary<string, string> ReferenceParticipants { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [HarnessParties.SupplierDipId] = DipRole.Supplier, [HarnessParties.SmartMeteringServiceDipId] = DipRole.SmartMeteringService,
    };

    /// <summary>Parses one line; never throws.</summary>
    public static OfflineLine Parse(int file, long line, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return FromDocument(file, line, doc);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return new OfflineLine { File = file, Line = line, Problem = e.Message };
        }
    }

    /// <summary>Parses one line given as UTF-8 bytes (no string, no transcoding); never throws. Nothing of <paramref name="utf8"/> is kept.</summary>
    public static OfflineLine Parse(int file, long line, ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8);
            return FromDocument(file, line, doc);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return new OfflineLine { File = file, Line = line, Problem = e.Message };
        }
    }

    // JsonDocument, not JsonNode: pooled buffers, nothing of the line kept but the fields and the
    // custom block (a small clone), so an open partition costs little memory.
    private static OfflineLine FromDocument(int file, long line, JsonDocument doc)
    {
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) return new OfflineLine { File = file, Line = line, Problem = "not a JSON object" };
        if (root.TryGetProperty("kind", out _))
            return new OfflineLine { File = file, Line = line, Record = root.Deserialize<JournalRecord>(Options) };
        if (root.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object)
            return ToDipLine(file, line, root, payload) is { } m ? new OfflineLine { File = file, Line = line, Message = m }
                : new OfflineLine { File = file, Line = line, Problem = "DIP message without D0.transactionTimestamp (market time)" };
        return new OfflineLine { File = file, Line = line, Problem = "neither a journal record (kind) nor a DIP message (payload)" };
    }

    private static string? Text(JsonElement commonBlock, string a, string b)
    {
        if (commonBlock.ValueKind != JsonValueKind.Object || !commonBlock.TryGetProperty(a, out var x) || x.ValueKind != JsonValueKind.Object) return null;
        return x.TryGetProperty(b, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private static DipLine? ToDipLine(int file, long line, JsonElement item, JsonElement payload)
    {
        // The common block is looked up once: each lookup is a scan of the object's properties.
        var cb = payload.TryGetProperty("CommonBlock", out var block) ? block : default;
        var time = Domain.Market.MarketTime.ParseDip(Text(cb, "D0", "transactionTimestamp"));
        if (time is null) return null;
        var instant = time.Value.ToInstant();
        var transactionId = Text(cb, "D0", "transactionID");
        // The DIP's transaction id names the recipient: T-IF-021-1401234567-SDS-20220321-… (DIP API 2.2.1 example).
        var recipient = item.TryGetProperty("recipient", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : RecipientOf(transactionId);
        var id = file == 0 ? $"L{line}" : $"L{file + 1}:{line}";
        var sent = new ObservedMessage
        {
            Id = id, Scenario = "", Direction = Direction.Sent,
            InterfaceId = Shared(Text(cb, "S0", "interfaceID")) ?? "",
            EventCode = Shared(Text(cb, "S0", "eventCode")),
            Mpan = Text(cb, "M0", "MPANCore") ?? "",
            SenderDipId = Shared(Text(cb, "S1", "senderDIPID")),
            SenderRole = Shared(Text(cb, "S1", "senderRoleID")),
            MarketTime = instant,
            // The DIP delivers only what it accepted; a delivered message passed its schema check.
            SchemaValid = true,
            CustomBlock = payload.TryGetProperty("CustomBlock", out var custom) && custom.ValueKind == JsonValueKind.Object ? JsonObject.Create(custom.Clone()) : null,
            ResponseCode = Shared(Text(cb, "R0", "responseCode")),
            ResponseMessages = ResponseMessages(cb),
            TransactionId = transactionId,
        };
        var published = recipient is null ? null : sent with { Direction = Direction.Published, RecipientDipId = Shared(recipient) };
        return new DipLine(sent.Mpan, instant, Text(cb, "S1", "senderUniqueReference"), sent, published);
    }

    private static IReadOnlyList<string> ResponseMessages(JsonElement cb) =>
        cb.ValueKind == JsonValueKind.Object && cb.TryGetProperty("R0", out var r0) && r0.ValueKind == JsonValueKind.Object
        && r0.TryGetProperty("responseMessages", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(m => m.ToString()).ToList()
            : [];

    // Interface ids, event codes, DIP ids, roles and response codes take few values: one string each
    // instead of one per message keeps open partitions small, so fewer bytes survive into the older
    // GC generations. Bounded, in case a journal has unexpectedly many distinct values.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> SharedStrings = new(StringComparer.Ordinal);

    private static string? Shared(string? text)
    {
        if (text is null) return null;
        if (SharedStrings.TryGetValue(text, out var shared)) return shared;
        return SharedStrings.Count < 10_000 ? SharedStrings.GetOrAdd(text, text) : text;
    }

    /// <summary>The recipient DIP id inside a DIP transaction id (T-{interface}-{recipient}-{role}-{date}-{n}); null when it has another shape.</summary>
    public static string? RecipientOf(string? transactionId)
    {
        if (transactionId is null || !transactionId.StartsWith("T-", StringComparison.Ordinal)) return null;
        var parts = transactionId.Split('-');
        return parts.Length >= 6 && parts[3].Length == 10 ? parts[3] : null;
    }

    /// <summary>
    /// Senders (S1.senderDIPID with S1.senderRoleID) in a file, found by a text scan that does not
    /// parse JSON (a fraction of the cost of the evaluation pass). Lines that are not whole are skipped.
    /// </summary>
    public static void ScanSenders(string path, IDictionary<string, string> senders)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, false, 1 << 16);
        while (reader.ReadLine() is { } line)
        {
            var at = 0;
            while ((at = line.IndexOf("\"senderDIPID\"", at, StringComparison.Ordinal)) >= 0)
            {
                at += 13;
                var id = StringValue(line, at);
                var roleAt = line.IndexOf("\"senderRoleID\"", at, StringComparison.Ordinal);
                var role = roleAt < 0 ? null : StringValue(line, roleAt + 14);
                if (id is not null && role is not null) senders.TryAdd(id, role);
            }
        }
    }

    // The string value after a property name: skips ':' and spaces; null when it is not a string.
    private static string? StringValue(string line, int at)
    {
        while (at < line.Length && (line[at] == ':' || line[at] == ' ')) at++;
        if (at >= line.Length || line[at] != '"') return null;
        var end = line.IndexOf('"', at + 1);
        return end < 0 ? null : line[(at + 1)..end];
    }

    /// <summary>MPIDs of the reference participants (DTN flows name their sender by MPID).</summary>
    public static IReadOnlyDictionary<string, string> ReferenceMpids { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [HarnessParties.SupplierDipId] = HarnessParties.SupplierMpid, [HarnessParties.SmartMeteringServiceDipId] = HarnessParties.SmartMeteringServiceMpid,
    };

    /// <summary>
    /// The candidates judged offline when none are given: every sender that is not a central party;
    /// when there is none, the reference participants (the journal of a reference run).
    /// </summary>
    public static IReadOnlyList<Candidate> InferCandidates(IReadOnlyDictionary<string, string> senders)
    {
        var outside = senders.Where(s => !CentralParties.Contains(s.Key) && !ReferenceParticipants.ContainsKey(s.Key))
            .OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new Candidate(s.Key, s.Value, $"{s.Value} {s.Key}")).ToList();
        if (outside.Count > 0) return outside;
        return ReferenceParticipants.Where(r => senders.ContainsKey(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new Candidate(r.Key, r.Value, $"reference {r.Value} {r.Key}") { Mpid = ReferenceMpids[r.Key] }).ToList();
    }
}
