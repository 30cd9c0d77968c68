using System.Text;
using Qualification.Dtn.Definitions;

namespace Qualification.Dtn.IO;

/// <summary>
/// Writes a DTN flow file line by line: each line is rebuilt from its group id and fields, closed with
/// <c>|</c>, and ended as asked. <see cref="WriteTrailer"/> counts the body lines and level-1 groups
/// written, so a file built with it always has a consistent ZPT.
/// </summary>
public sealed class DtnWriter : IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly FlowCatalog _catalog;
    private FlowDefinition? _flow;
    private string? _fileId;

    /// <summary>Writes to <paramref name="stream"/>.</summary>
    public DtnWriter(Stream stream, bool leaveOpen = false, FlowCatalog? catalog = null)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _catalog = catalog ?? FlowCatalog.Default;
    }

    /// <summary>Line terminator for lines written without one of their own.</summary>
    public LineEnding NewLine { get; init; } = LineEnding.Lf;

    /// <summary>Body lines written since the header.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Level-1 groups written since the header.</summary>
    public long FlowCount { get; private set; }

    /// <summary>Writes the ZHV header.</summary>
    public void WriteHeader(ZhvHeader header)
    {
        _flow = _catalog.Find(header.FlowAndVersion);
        _fileId = header.FileId;
        RecordCount = FlowCount = 0;
        WriteLine("ZHV", header.Fields(), NewLine, trailingPipe: true);
    }

    /// <summary>Writes one body group.</summary>
    public void WriteGroup(string groupId, IEnumerable<string?> fields) => WriteLine(groupId, fields, NewLine, trailingPipe: true);

    /// <summary>Writes the ZPT trailer with the counts of what was written.</summary>
    public void WriteTrailer(string completedAt, LineEnding? ending = null)
    {
        var trailer = new ZptTrailer { FileId = _fileId ?? "", RecordCount = RecordCount, FlowCount = FlowCount, CompletedAt = completedAt };
        WriteLine("ZPT", trailer.Fields(), ending ?? NewLine, trailingPipe: true);
    }

    /// <summary>
    /// Writes a record as read, from its group id and fields, with its own closing pipe and line ending:
    /// reading a file and writing every record back gives the same bytes.
    /// </summary>
    public void Write(DtnRecord record)
    {
        var fields = new string[record.FieldCount];
        for (var i = 0; i < fields.Length; i++) fields[i] = record.Field(i).ToString();
        if (record.GroupId == "ZHV") { _flow = _catalog.Find(record.Field(1).ToString()); _fileId = record.Field(0).ToString(); RecordCount = FlowCount = 0; }
        WriteLine(record.GroupId, fields, record.Ending, record.HasTrailingPipe);
    }

    /// <summary>Copies a whole file through the reader and this writer (the round trip).</summary>
    public static async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellation = default)
    {
        await using var writer = new DtnWriter(destination, leaveOpen: true);
        await foreach (var record in DtnReader.ReadAllAsync(source, cancellation).ConfigureAwait(false)) writer.Write(record);
    }

    private void WriteLine(string groupId, IEnumerable<string?> fields, LineEnding ending, bool trailingPipe)
    {
        if (groupId is not ("ZHV" or "ZPT"))
        {
            RecordCount++;
            if (_flow?.Find(groupId) is { Level: 1 }) FlowCount++;
        }
        var line = new StringBuilder(groupId);
        foreach (var f in fields)
        {
            if (f is not null && f.Contains('|', StringComparison.Ordinal)) throw new ArgumentException($"group {groupId}: a field value cannot contain '|': '{f}'", nameof(fields));
            line.Append('|').Append(f);
        }
        if (trailingPipe) line.Append('|');
        line.Append(ending switch { LineEnding.CrLf => "\r\n", LineEnding.Lf => "\n", _ => "" });
        _stream.Write(Encoding.Latin1.GetBytes(line.ToString()));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen) _stream.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stream.FlushAsync().ConfigureAwait(false);
        if (!_leaveOpen) await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
