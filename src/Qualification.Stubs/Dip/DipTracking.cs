using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;

namespace Qualification.Stubs.Dip;

/// <summary>One delivery the emulated DIP made (or recorded) to one recipient: what replay and requeue serve again.</summary>
internal sealed record Publication(string Channel, string Recipient, DipMessage Egress, Instant At, string TransactionId);

/// <summary>
/// The DIP's message tracker for one sender unique reference on one channel: the stages it went
/// through (Inbound, Addressing, Outbound per recipient and attempt), shaped as the description's
/// DIPJournalRecord / JournalEntry so deliveryStatus can return it as is.
/// </summary>
internal sealed class MessageTrack(string channel, string senderUniqueReference)
{
    private readonly List<JsonObject> _entries = [];

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
            _entries.Add(new JsonObject
            {
                ["TimeGenerated"] = TrackerTime(marketTime, millis: true),
                ["SenderDIPID"] = SenderDipId,
                ["Interface"] = Channel,
                ["EventCode"] = EventCode,
                ["Reason"] = reason,
                ["SentDateTime"] = SentDateTime,
                ["Duration"] = durationMs,
                ["MessageDelayInMilliSeconds"] = 0,
                ["SenderUniqueReference"] = SenderUniqueReference,
                ["DIPTransactionID"] = transactionId ?? TransactionId,
                ["DIPCorrelationID"] = CorrelationId,
                ["MPANCore"] = Mpan,
                ["DIPStage"] = stage,
                ["Status"] = status,
                ["StatusCode"] = statusCode,
                ["Message"] = message,
                ["Recipient"] = recipient,
                ["Recipients"] = recipients is null ? null : new JsonArray(recipients.Select(r => (JsonNode?)r).ToArray()),
                ["RecipientMap"] = recipientMap,
                ["uri"] = uri?.ToString(),
                ["rn"] = _entries.Count + 1,
            });
        }
    }

    /// <summary>The DIPJournalRecord for one recipient: inbound and addressing stages, and that recipient's deliveries.</summary>
    public JsonObject ToJournalRecord(string recipient)
    {
        List<JsonObject> entries;
        lock (_entries) entries = _entries.Where(e => e["Recipient"] is null || e["Recipient"]!.GetValue<string>() == recipient).Select(e => (JsonObject)e.DeepClone()).ToList();
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
