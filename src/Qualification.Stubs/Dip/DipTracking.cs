using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;

namespace Qualification.Stubs.Dip;

/// <summary>One delivery the emulated DIP made (or recorded) to one recipient: what replay and requeue serve again.</summary>
/// <remarks>
/// The DIP keeps the last RetainedMessages publications; each holds its egress item as wire JSON
/// (UTF-8) and the few fields replay and requeue filter on, not the message's object tree. It is a
/// struct held inline in the retained list, and its few-valued fields (channel, recipient, event
/// code, schema version) are shared strings, so a publication adds one object to the heap: its bytes.
/// <see cref="Egress"/> reads the item back.
/// </remarks>
/// <param name="knownMpan">The message's MPAN as its track already holds it: kept instead of an equal copy.</param>
internal readonly struct Publication(string channel, string recipient, DipMessage egress, Instant at, string transactionId, string? knownMpan = null)
{
    private readonly byte[] _egress = JsonSerializer.SerializeToUtf8Bytes(egress, DipMessage.Json);

    public string Channel { get; } = SharedText.Of(channel);
    public string Recipient { get; } = SharedText.Of(recipient);
    public Instant At { get; } = at;
    public string TransactionId { get; } = transactionId;
    /// <summary>S0 event code.</summary>
    public string EventCode { get; } = SharedText.Of(egress.EventCode);
    /// <summary>M0 MPAN core, or M1 principal MPAN ("" when neither).</summary>
    public string Mpan { get; } = Reuse(knownMpan, egress.Mpan);
    /// <summary>M0 MPAN core only (the replay filter's mpan); the same string as <see cref="Mpan"/> when M0 is there.</summary>
    public string? M0Mpan { get; } = egress.Payload.CommonBlock.M0 is null ? null : Reuse(knownMpan, egress.Mpan);
    /// <summary>S0 schema version.</summary>
    public string SchemaVersion { get; } = SharedText.Of(egress.Payload.CommonBlock.S0.SchemaVersion);

    // The string the track already holds when it is equal, so a publication keeps no copy of its own.
    private static string Reuse(string? known, string value) => known is not null && known == value ? known : value;

    /// <summary>True for a publication actually kept (not the default value).</summary>
    public bool Exists => _egress is not null;

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
/// <remarks>
/// The DIP retains the tracks of its last RetainedMessages messages, and whatever a track holds
/// survives every ephemeral collection while the message is recent: that copying is what the GC
/// pauses cost. So a stage entry is a small struct of references the DIP holds anyway (shared stage,
/// status and message texts, the track's own header strings, the webhook <see cref="Uri"/>, shared
/// recipient lists and recipient maps) plus its time as a number, kept inline in one array per
/// track, and is rendered to JSON only when deliveryStatus asks, by the same writer as before.
/// </remarks>
internal sealed class MessageTrack(string channel, string senderUniqueReference)
{
    // Three entries are a delivered message (Inbound, Addressing, one Outbound); more grow the array.
    private Entry[] _entries = new Entry[3];
    private Header _header = Header.None;
    private int _count;
    // The first recipient's transaction id inline (most publications have one recipient); more in a dictionary.
    private string? _firstRecipient;
    private string? _firstTransaction;
    private Dictionary<string, string>? _moreTransactions;
    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public string Channel { get; } = SharedText.Of(channel);
    public string SenderUniqueReference { get; } = senderUniqueReference;
    public string? SenderDipId => _header.SenderDipId;
    public string? EventCode => _header.EventCode;
    public string? Mpan => _header.Mpan;
    public string? CorrelationId => _header.CorrelationId;
    /// <summary>When the message was first seen, in the tracker's layout.</summary>
    public string? SentDateTime => Render(_header.SentAt);
    public string? TransactionId { get; set; }

    // The message's own fields as the entries repeat them. Immutable and shared by every entry recorded
    // while they held, so an entry keeps what it said even when the fields are described again.
    private sealed record Header(string? SenderDipId, string? EventCode, string? Mpan, string? CorrelationId, Instant? SentAt)
    {
        public static readonly Header None = new(null, null, null, null, null);
    }

    /// <summary>
    /// Sets the message's own fields. <paramref name="replace"/> false keeps any already known (the
    /// first post of a reference describes it); true replaces them all but the time first seen.
    /// </summary>
    public void Describe(string? senderDipId, string? eventCode, string? mpan, string? correlationId, Instant seenAt, bool replace)
    {
        lock (this)
        {
            var h = _header;
            var next = replace
                ? new Header(SharedText.Of(senderDipId), SharedText.Of(eventCode), mpan, correlationId, h.SentAt ?? seenAt)
                : new Header(h.SenderDipId ?? SharedText.Of(senderDipId), h.EventCode ?? SharedText.Of(eventCode), h.Mpan ?? mpan, h.CorrelationId ?? correlationId, h.SentAt ?? seenAt);
            if (next != h) _header = next;
        }
    }

    /// <summary>Records the transaction id a recipient's delivery carries.</summary>
    public void SetTransaction(string recipient, string transactionId)
    {
        lock (this)
        {
            if (_firstRecipient is null || _firstRecipient == recipient) (_firstRecipient, _firstTransaction) = (SharedText.Of(recipient), transactionId);
            else (_moreTransactions ??= new(StringComparer.Ordinal))[SharedText.Of(recipient)] = transactionId;
        }
    }

    /// <summary>The transaction id delivered to <paramref name="recipient"/>, or null.</summary>
    public string? TransactionFor(string recipient)
    {
        lock (this)
            return _firstRecipient == recipient ? _firstTransaction : _moreTransactions?.GetValueOrDefault(recipient);
    }

    // One stage outcome, with the track's header values as they were when it was recorded (PublishAsync
    // may set them again for the same reference, and an entry keeps what it said).
    private readonly record struct Entry(
        long AtTicks, string Stage, string Status, int StatusCode, int DurationMs,
        string? Recipient, string? Reason, string? Message, string? TransactionId, Uri? Uri,
        string[]? Recipients, byte[]? RecipientMap, Header Header);

    /// <summary>Adds one journal entry (a stage outcome).</summary>
    public void Add(string stage, string status, int statusCode, Instant marketTime, string? recipient = null, string? reason = null, string? message = null,
        string? transactionId = null, Uri? uri = null, JsonObject? recipientMap = null, int durationMs = 0, IReadOnlyList<string>? recipients = null)
    {
        // Rendered (and shared) outside the lock: the map is a few participant ids and roles.
        var map = recipientMap is null ? null : SharedText.Json(recipientMap);
        var list = recipients is null ? null : SharedText.List(recipients);
        lock (this)
        {
            if (_count == _entries.Length) Array.Resize(ref _entries, _count * 2);
            _entries[_count++] = new Entry(marketTime.ToUnixTimeTicks(), SharedText.Of(stage), SharedText.Of(status), statusCode, durationMs,
                SharedText.Of(recipient), reason, SharedText.Of(message), transactionId ?? TransactionId, uri, list, map, _header);
        }
    }

    // The entry's JSON, written exactly as deliveryStatus has always shown it.
    private byte[] Render(in Entry e, int rn)
    {
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(768);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer);
        w.Reset(buffer);
        void Text(string name, string? value) { if (value is null) w.WriteNull(name); else w.WriteString(name, value); }
        w.WriteStartObject();
        Text("TimeGenerated", TrackerTime(Instant.FromUnixTimeTicks(e.AtTicks), millis: true));
        Text("SenderDIPID", e.Header.SenderDipId);
        Text("Interface", Channel);
        Text("EventCode", e.Header.EventCode);
        Text("Reason", e.Reason);
        Text("SentDateTime", Render(e.Header.SentAt));
        w.WriteNumber("Duration", e.DurationMs);
        w.WriteNumber("MessageDelayInMilliSeconds", 0);
        Text("SenderUniqueReference", SenderUniqueReference);
        Text("DIPTransactionID", e.TransactionId);
        Text("DIPCorrelationID", e.Header.CorrelationId);
        Text("MPANCore", e.Header.Mpan);
        Text("DIPStage", e.Stage);
        Text("Status", e.Status);
        w.WriteNumber("StatusCode", e.StatusCode);
        Text("Message", e.Message);
        Text("Recipient", e.Recipient);
        if (e.Recipients is null) w.WriteNull("Recipients");
        else
        {
            w.WriteStartArray("Recipients");
            foreach (var r in e.Recipients) if (r is null) w.WriteNullValue(); else w.WriteStringValue(r);
            w.WriteEndArray();
        }
        w.WritePropertyName("RecipientMap");
        if (e.RecipientMap is null) w.WriteNullValue(); else w.WriteRawValue(e.RecipientMap, skipInputValidation: true);
        Text("uri", e.Uri?.ToString());
        w.WriteNumber("rn", rn);
        w.WriteEndObject();
        w.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 1 << 16) (t_buffer, t_writer) = (null, null);
        return bytes;
    }

    /// <summary>The DIPJournalRecord for one recipient: inbound and addressing stages, and that recipient's deliveries.</summary>
    public JsonObject ToJournalRecord(string recipient)
    {
        var entries = new List<JsonObject>();
        lock (this)
            for (var i = 0; i < _count; i++)
                if (_entries[i].Recipient is null || _entries[i].Recipient == recipient)
                    entries.Add(JsonNode.Parse(Render(_entries[i], entries.Count + 1))!.AsObject());
        return new JsonObject
        {
            ["SentDateTime"] = SentDateTime,
            ["Interface"] = Channel,
            ["SenderUniqueReference"] = SenderUniqueReference,
            ["DIPTransactionID"] = TransactionFor(recipient) ?? TransactionId,
            ["DIPCorrelationID"] = CorrelationId,
            ["MPANCore"] = Mpan,
            ["JournalEntries"] = new JsonArray(entries.Cast<JsonNode?>().ToArray()),
        };
    }

    private static string? Render(Instant? sent) => sent is { } at ? TrackerTime(at, millis: false) : null;

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
