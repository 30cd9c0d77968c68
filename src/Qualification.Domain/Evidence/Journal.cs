using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Qualification.Domain.Evidence;

/// <summary>What a journal record is.</summary>
public static class JournalKind
{
    /// <summary>A message a candidate (or a reference participant) sent to the harness.</summary>
    public const string Inbound = "inbound";
    /// <summary>The harness's synchronous answer to an inbound call.</summary>
    public const string Response = "response";
    /// <summary>A publication the harness delivered (one record per delivery attempt).</summary>
    public const string Push = "push";
    /// <summary>A CSS switching event the harness raised.</summary>
    public const string Css = "css";
    /// <summary>A business action the harness asked a participant to perform (driver API).</summary>
    public const string Driver = "driver";
    /// <summary>A DTN flow file exchanged through the emulated DTN gateway (either direction), with its validation findings.</summary>
    public const string Dtn = "dtn";
    /// <summary>A scenario boundary or other run marker.</summary>
    public const string Marker = "marker";
}

/// <summary>One line of the run journal.</summary>
public sealed record JournalRecord
{
    /// <summary>Position in the journal, from 1.</summary>
    [JsonPropertyName("seq")] public long Sequence { get; init; }
    /// <summary>See <see cref="JournalKind"/>.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>Real (wall-clock) time, UTC.</summary>
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }
    /// <summary>Market time when it happened, as a DIP datetime.</summary>
    [JsonPropertyName("marketTime")] public string? MarketTime { get; init; }
    /// <summary>The scenario running at the time.</summary>
    [JsonPropertyName("scenario")] public string? Scenario { get; init; }
    /// <summary>Interface id, e.g. IF-031.</summary>
    [JsonPropertyName("interfaceId")] public string? InterfaceId { get; init; }
    /// <summary>Event code, e.g. [MSApp].</summary>
    [JsonPropertyName("eventCode")] public string? EventCode { get; init; }
    /// <summary>MPAN core.</summary>
    [JsonPropertyName("mpan")] public string? Mpan { get; init; }
    /// <summary>Sender DIP id.</summary>
    [JsonPropertyName("from")] public string? From { get; init; }
    /// <summary>Recipient DIP id.</summary>
    [JsonPropertyName("to")] public string? To { get; init; }
    /// <summary>Transaction id the DIP gave the message.</summary>
    [JsonPropertyName("transactionId")] public string? TransactionId { get; init; }
    /// <summary>For a response: the sequence number of the inbound record it answers.</summary>
    [JsonPropertyName("replyTo")] public long? ReplyTo { get; init; }
    /// <summary>HTTP status of the call or delivery attempt.</summary>
    [JsonPropertyName("status")] public int? Status { get; init; }
    /// <summary>Outcome or error text.</summary>
    [JsonPropertyName("note")] public string? Note { get; init; }
    /// <summary>HTTP path or URL involved.</summary>
    [JsonPropertyName("url")] public string? Url { get; init; }
    /// <summary>The message (or response) itself; raw text when it was not JSON.</summary>
    [JsonPropertyName("body")] public JsonNode? Body { get; init; }
    /// <summary>Raw body when it could not be parsed as JSON.</summary>
    [JsonPropertyName("rawBody")] public string? RawBody { get; init; }
}

/// <summary>
/// The run's append-only journal: one JSON line per record, flushed to the operating system as it
/// is written, so a crash or kill loses nothing that was acknowledged.
/// </summary>
public sealed class Journal : IDisposable
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    // Two locks for group commit. _gate numbers a record and serialises it onto the pending batch, in
    // sequence order (short). _flushGate is held by one thread at a time while it writes and flushes
    // the whole pending batch: records appended meanwhile by other requests go out together in the
    // next write, instead of each waiting its turn for a write and flush of its own.
    private readonly object _gate = new();
    private readonly object _flushGate = new();
    private readonly FileStream _stream;
    // Records serialised straight to UTF-8 and not yet written; swapped with _spare by the writer.
    private System.Buffers.ArrayBufferWriter<byte> _pending = new(4096);
    private System.Buffers.ArrayBufferWriter<byte>? _spare = new(4096);
    private readonly Utf8JsonWriter _writer;
    private readonly List<JournalRecord> _memory = [];
    // The records of the pending batch, for _memory once they are written (kept in sequence order).
    private List<JournalRecord> _pendingRecords = [];
    private long _sequence;
    // Highest sequence number written and flushed to the operating system; and the batches whose
    // write failed (each of their appenders gets the error, as when each record was written alone).
    private long _flushed;
    private readonly List<(long From, long To, Exception Error)> _failures = [];

    private readonly bool _keepInMemory;

    /// <summary>Opens (creating or appending to) the journal at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="keepInMemory">
    /// Keep a copy of every record for <see cref="Records"/> (a run judges them at the end). A
    /// long-lived process that never reads them back (<c>qualify stubs</c>) passes false, so its memory
    /// stays flat however many messages pass (a copy per record once grew it by every message's body).
    /// </param>
    public Journal(string path, bool keepInMemory = true)
    {
        _keepInMemory = keepInMemory;
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _writer = new Utf8JsonWriter(_pending, new JsonWriterOptions { Encoder = Options.Encoder });
    }

    /// <summary>Where the journal is written.</summary>
    public string Path { get; }

    /// <summary>Raised after each record is written.</summary>
    public event Action<JournalRecord>? Written;

    /// <summary>
    /// Appends a record, numbering and time-stamping it, and returns once it is written and flushed to
    /// the operating system (possibly together with records other threads appended at the same time).
    /// </summary>
    public JournalRecord Append(JournalRecord record)
    {
        JournalRecord written;
        lock (_gate)
        {
            written = record with { Sequence = ++_sequence, At = record.At == default ? DateTimeOffset.UtcNow : record.At };
            var mark = _pending.WrittenCount;
            _writer.Reset(_pending);
            try
            {
                JsonSerializer.Serialize(_writer, written, Options);
                _writer.Flush();
            }
            catch
            {
                // A record that cannot be serialised must not leave half a line in the batch.
                var before = _pending.WrittenSpan[..mark].ToArray();
                _pending.ResetWrittenCount();
                System.Buffers.BuffersExtensions.Write(_pending, before);
                _writer.Reset(_pending);
                throw;
            }
            _pending.GetSpan(1)[0] = (byte)'\n';
            _pending.Advance(1);
            if (_keepInMemory) _pendingRecords.Add(written);
        }
        FlushThrough(written.Sequence);
        Written?.Invoke(written);
        return written;
    }

    // Returns once every record up to sequence has been flushed: by this thread, which then writes all
    // that is pending, or by the thread that held the flush lock and took this record in its batch.
    private void FlushThrough(long sequence)
    {
        lock (_flushGate)
        {
            foreach (var (from, to, error) in _failures)
                if (sequence >= from && sequence <= to) throw new IOException($"The journal {Path} could not be written: {error.Message}", error);
            if (Volatile.Read(ref _flushed) >= sequence) return;
            System.Buffers.ArrayBufferWriter<byte> batch;
            List<JournalRecord> records;
            long last;
            lock (_gate)
            {
                (batch, records, last) = (_pending, _pendingRecords, _sequence);
                _pending = _spare!;
                _spare = null;
                _pendingRecords = [];
                _writer.Reset(_pending);
            }
            try
            {
                _stream.Write(batch.WrittenSpan);
                _stream.Flush();
                lock (_gate) _memory.AddRange(records);
                Volatile.Write(ref _flushed, last);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                _failures.Add((Volatile.Read(ref _flushed) + 1, last, e));
                throw;
            }
            finally
            {
                // One very large body must not keep its buffer for the life of the journal.
                batch.ResetWrittenCount();
                _spare = batch.Capacity > 1 << 20 ? new System.Buffers.ArrayBufferWriter<byte>(4096) : batch;
            }
        }
    }

    /// <summary>Every record written so far by this process (none when opened with keepInMemory false: read the file).</summary>
    public IReadOnlyList<JournalRecord> Records
    {
        get { lock (_gate) return _memory.ToList(); }
    }

    /// <summary>How many records this process has written (cheap: no copy).</summary>
    public long Count
    {
        get { lock (_gate) return _sequence; }
    }

    /// <summary>Reads a journal file, skipping (and reporting) lines that are not whole records, such as a line cut short by a kill.</summary>
    public static IEnumerable<(JournalRecord? Record, int Line, string? Problem)> Read(string path)
    {
        // The journal may still be open for writing (a live run, `qualify stubs`, GET /harness/journal):
        // share it for writing so reading it never fails on a platform that enforces sharing.
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var n = 0;
        while (reader.ReadLine() is { } line)
        {
            n++;
            if (line.Length == 0) continue;
            JournalRecord? r = null;
            string? problem = null;
            try { r = JsonSerializer.Deserialize<JournalRecord>(line, Options); }
            catch (JsonException e) { problem = e.Message; }
            yield return (r, n, problem);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_flushGate)
        lock (_gate)
        {
            _writer.Dispose();
            _stream.Dispose();
        }
    }
}
