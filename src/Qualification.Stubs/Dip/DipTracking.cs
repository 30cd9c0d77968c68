using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;

namespace Qualification.Stubs.Dip;

/// <summary>One delivery the emulated DIP made (or recorded) to one recipient: what replay and requeue serve again.</summary>
/// <remarks>
/// The DIP keeps the last RetainedMessages publications; each holds its egress item as wire JSON
/// (UTF-8) and the few fields replay and requeue filter on, not the message's object tree, so the
/// retained window costs a fraction of the live heap. <see cref="Egress"/> reads the item back.
/// </remarks>
internal sealed class Publication(string channel, string recipient, DipMessage egress, Instant at, string transactionId)
{
    private readonly byte[] _egress = JsonSerializer.SerializeToUtf8Bytes(egress, DipMessage.Json);

    public string Channel { get; } = channel;
    public string Recipient { get; } = recipient;
    public Instant At { get; } = at;
    public string TransactionId { get; } = transactionId;
    /// <summary>S0 event code.</summary>
    public string EventCode { get; } = egress.EventCode;
    /// <summary>M0 MPAN core, or M1 principal MPAN ("" when neither).</summary>
    public string Mpan { get; } = egress.Mpan;
    /// <summary>M0 MPAN core only (the replay filter's mpan).</summary>
    public string? M0Mpan { get; } = egress.Payload.CommonBlock.M0?.MpanCore;
    /// <summary>S0 schema version.</summary>
    public string SchemaVersion { get; } = egress.Payload.CommonBlock.S0.SchemaVersion;

    /// <summary>The egress item's wire JSON (UTF-8), as delivered.</summary>
    public ReadOnlyMemory<byte> ItemJson => _egress;

    /// <summary>A one-item DIPMessageArray around an item's wire JSON: the bytes a push sends.</summary>
    public static byte[] AsArray(ReadOnlySpan<byte> item)
    {
        var array = new byte[item.Length + 2];
        array[0] = (byte)'[';
        item.CopyTo(array.AsSpan(1));
        array[^1] = (byte)']';
        return array;
    }

    /// <summary>The egress item as delivered, read back from its wire JSON.</summary>
    public DipMessage Egress => JsonSerializer.Deserialize<DipMessage>(_egress, DipMessage.Json) ?? throw new JsonException("A retained publication was null.");
}

/// <summary>
/// The DIP's message tracker for one sender unique reference on one channel: the stages it went
/// through (Inbound, Addressing, Outbound per recipient and attempt), shaped as the description's
/// DIPJournalRecord / JournalEntry so deliveryStatus can return it as is.
/// </summary>
internal sealed class MessageTrack(string channel, string senderUniqueReference)
{
    // Each stage entry is kept as its UTF-8 JSON (with its recipient, to filter on) rather than as a
    // JsonObject tree: the DIP retains the tracks of the last RetainedMessages messages, and a tree of
    // some thirty small objects per entry made them most of the live heap (and of every full collection).
    private readonly List<(string? Recipient, byte[] Json)> _entries = [];
    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public string Channel { get; } = channel;
    public string SenderUniqueReference { get; } = senderUniqueReference;
    public string? SenderDipId { get; set; }
    public string? EventCode { get; set; }
    public string? Mpan { get; set; }
    public string? CorrelationId { get; set; }
    public string? SentDateTime { get; set; }
    public Dictionary<string, string> TransactionByRecipient { get; } = new(StringComparer.Ordinal);
    public string? TransactionId { get; set; }

    /// <summary>Adds one journal entry (a stage outcome).</summary>
    public void Add(string stage, string status, int statusCode, Instant marketTime, string? recipient = null, string? reason = null, string? message = null,
        string? transactionId = null, Uri? uri = null, JsonObject? recipientMap = null, int durationMs = 0, IReadOnlyList<string>? recipients = null)
    {
        lock (_entries)
        {
            // One buffer and writer per thread, reset for each entry: only the entry's own bytes are kept.
            var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(768);
            buffer.ResetWrittenCount();
            var w = t_writer ??= new Utf8JsonWriter(buffer);
            w.Reset(buffer);
            {
                void Text(string name, string? value) { if (value is null) w.WriteNull(name); else w.WriteString(name, value); }
                w.WriteStartObject();
                Text("TimeGenerated", TrackerTime(marketTime, millis: true));
                Text("SenderDIPID", SenderDipId);
                Text("Interface", Channel);
                Text("EventCode", EventCode);
                Text("Reason", reason);
                Text("SentDateTime", SentDateTime);
                w.WriteNumber("Duration", durationMs);
                w.WriteNumber("MessageDelayInMilliSeconds", 0);
                Text("SenderUniqueReference", SenderUniqueReference);
                Text("DIPTransactionID", transactionId ?? TransactionId);
                Text("DIPCorrelationID", CorrelationId);
                Text("MPANCore", Mpan);
                Text("DIPStage", stage);
                Text("Status", status);
                w.WriteNumber("StatusCode", statusCode);
                Text("Message", message);
                Text("Recipient", recipient);
                if (recipients is null) w.WriteNull("Recipients");
                else
                {
                    w.WriteStartArray("Recipients");
                    foreach (var r in recipients) if (r is null) w.WriteNullValue(); else w.WriteStringValue(r);
                    w.WriteEndArray();
                }
                w.WritePropertyName("RecipientMap");
                if (recipientMap is null) w.WriteNullValue(); else recipientMap.WriteTo(w);
                Text("uri", uri?.ToString());
                w.WriteNumber("rn", _entries.Count + 1);
                w.WriteEndObject();
                w.Flush();
            }
            _entries.Add((recipient, buffer.WrittenSpan.ToArray()));
            if (buffer.Capacity > 1 << 16) (t_buffer, t_writer) = (null, null);
        }
    }

    /// <summary>The DIPJournalRecord for one recipient: inbound and addressing stages, and that recipient's deliveries.</summary>
    public JsonObject ToJournalRecord(string recipient)
    {
        List<JsonObject> entries;
        lock (_entries) entries = _entries.Where(e => e.Recipient is null || e.Recipient == recipient).Select(e => JsonNode.Parse(e.Json)!.AsObject()).ToList();
        for (var i = 0; i < entries.Count; i++) entries[i]["rn"] = i + 1;
        return new JsonObject
        {
            ["SentDateTime"] = SentDateTime,
            ["Interface"] = Channel,
            ["SenderUniqueReference"] = SenderUniqueReference,
            ["DIPTransactionID"] = TransactionByRecipient.GetValueOrDefault(recipient) ?? TransactionId,
            ["DIPCorrelationID"] = CorrelationId,
            ["MPANCore"] = Mpan,
            ["JournalEntries"] = new JsonArray(entries.Cast<JsonNode?>().ToArray()),
        };
    }

    /// <summary>The Message Tracker's own date-time layout ("2026-07-01 09:58:08.692", UTC).</summary>
    public static string TrackerTime(Instant at, bool millis) =>
        at.ToDateTimeUtc().ToString(millis ? "yyyy-MM-dd HH:mm:ss.fff" : "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A requeue request's progress, shaped as the description's RequeueStatus.</summary>
internal sealed class RequeueJob(string id, string channel, string recipient, int total)
{
    private int _processed;
    private int _failed;

    public string Id { get; } = id;
    public string Channel { get; } = channel;
    public string Recipient { get; } = recipient;
    public int Total { get; } = total;
    public volatile bool Finished;

    public void Done(bool delivered)
    {
        Interlocked.Increment(ref _processed);
        if (!delivered) Interlocked.Increment(ref _failed);
    }

    public string Status => !Finished ? "Processing" : _failed == 0 ? "Completed" : _failed == Total ? "Failed" : "PartialCompletion";

    public JsonObject ToJson() => new()
    {
        ["requeueId"] = Id,
        ["percentComplete"] = Total == 0 ? 100 : (int)Math.Round(100.0 * Volatile.Read(ref _processed) / Total),
        ["totalTransactions"] = Total,
        ["processedTransactions"] = Volatile.Read(ref _processed),
        ["status"] = Status,
    };
}
