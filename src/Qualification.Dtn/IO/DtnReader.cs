using System.Runtime.CompilerServices;
using System.Text;

namespace Qualification.Dtn.IO;

/// <summary>A flow file that cannot be read as lines at all (not a validation finding).</summary>
public sealed class DtnReadException(string message) : IOException(message);

/// <summary>
/// Reads a DTN flow file as records, one per line, streaming: memory stays bounded by the buffer and
/// the longest line whatever the file size. Bytes are read as Latin-1, so every byte maps to one
/// character and a file written back is byte-for-byte what was read. LF and CRLF endings are both
/// accepted and remembered per line.
/// </summary>
public sealed class DtnReader : IDisposable
{
    /// <summary>The longest line accepted; DTN lines are a few hundred characters.</summary>
    public const int MaxLineLength = 1 << 20;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer;
    private int _start, _end;
    private bool _eof;
    private long _lineNumber;

    /// <summary>Reads from <paramref name="stream"/>.</summary>
    public DtnReader(Stream stream, bool leaveOpen = false, int bufferSize = 64 * 1024)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Lines read so far.</summary>
    public long LinesRead => _lineNumber;

    /// <summary>The next record, or null at the end of the file.</summary>
    public DtnRecord? Read()
    {
        while (true)
        {
            if (TryTakeLine(out var record)) return record;
            if (_eof) return TakeRest();
            MakeRoom();
            Fill(_stream.Read(_buffer, _end, _buffer.Length - _end));
        }
    }

    /// <summary>The next record, or null at the end of the file.</summary>
    public async ValueTask<DtnRecord?> ReadAsync(CancellationToken cancellation = default)
    {
        while (true)
        {
            if (TryTakeLine(out var record)) return record;
            if (_eof) return TakeRest();
            MakeRoom();
            Fill(await _stream.ReadAsync(_buffer.AsMemory(_end, _buffer.Length - _end), cancellation).ConfigureAwait(false));
        }
    }

    /// <summary>Every record of <paramref name="stream"/>, streamed.</summary>
    public static async IAsyncEnumerable<DtnRecord> ReadAllAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        using var reader = new DtnReader(stream, leaveOpen: true);
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false) is { } record) yield return record;
    }

    /// <summary>Every record of <paramref name="stream"/>, streamed.</summary>
    public static IEnumerable<DtnRecord> ReadAll(Stream stream)
    {
        using var reader = new DtnReader(stream, leaveOpen: true);
        while (reader.Read() is { } record) yield return record;
    }

    /// <summary>Every record of a text (tests and small files).</summary>
    public static IReadOnlyList<DtnRecord> ReadAll(string text) => ReadAll(new MemoryStream(Encoding.Latin1.GetBytes(text))).ToList();

    private bool TryTakeLine(out DtnRecord? record)
    {
        var window = _buffer.AsSpan(_start, _end - _start);
        var newline = window.IndexOf((byte)'\n');
        if (newline < 0)
        {
            record = null;
            return false;
        }
        var crlf = newline > 0 && window[newline - 1] == (byte)'\r';
        var content = window[..(crlf ? newline - 1 : newline)];
        record = DtnRecord.Parse(Encoding.Latin1.GetString(content), ++_lineNumber, crlf ? LineEnding.CrLf : LineEnding.Lf);
        _start += newline + 1;
        return true;
    }

    private DtnRecord? TakeRest()
    {
        if (_start == _end) return null;
        var record = DtnRecord.Parse(Encoding.Latin1.GetString(_buffer, _start, _end - _start), ++_lineNumber, LineEnding.None);
        _start = _end;
        return record;
    }

    // Records what a read into _buffer[_end..] brought; zero bytes means the end of the file.
    private void Fill(int read)
    {
        if (read == 0) _eof = true;
        _end += read;
    }

    // Moves the unread tail to the front and grows the buffer when one line fills it.
    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineLength) throw new DtnReadException($"line {_lineNumber + 1} is longer than {MaxLineLength} bytes; this is not a DTN flow file");
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineLength));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
