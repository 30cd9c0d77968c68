using System.Buffers;
using System.Runtime.CompilerServices;

namespace Qualification.Runner.Execution;

/// <summary>
/// A batch of lines of a UTF-8 file as byte ranges over one pooled buffer: no string per line, no
/// UTF-16 transcoding before JSON parsing. Dispose it when its lines have been parsed (the buffer goes
/// back to the pool); a parsed line keeps nothing of the buffer.
/// </summary>
public sealed class Utf8LineBatch : IDisposable
{
    private byte[]? _buffer;
    private readonly List<(int Start, int Length)> _lines;

    internal Utf8LineBatch(byte[] buffer, List<(int Start, int Length)> lines)
    {
        _buffer = buffer;
        _lines = lines;
    }

    /// <summary>Lines in the batch (empty lines included, so line numbers stay right).</summary>
    public int Count => _lines.Count;

    /// <summary>Line <paramref name="index"/>, without its line ending.</summary>
    public ReadOnlyMemory<byte> this[int index] => (_buffer ?? throw new ObjectDisposedException(nameof(Utf8LineBatch))).AsMemory(_lines[index].Start, _lines[index].Length);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_buffer is { } b) ArrayPool<byte>.Shared.Return(b);
        _buffer = null;
    }
}

/// <summary>Reads a UTF-8 file as batches of lines over pooled buffers (see <see cref="Utf8LineBatch"/>).</summary>
public static class Utf8LineBatches
{
    private const int BufferBytes = 1 << 20;

    /// <summary>
    /// The lines of <paramref name="path"/>, at most <paramref name="maxLines"/> per batch. Lines end
    /// at \n (a \r before it is dropped); a last line without \n counts; a UTF-8 byte order mark at the
    /// start is skipped, as a StreamReader does. A line longer than the buffer grows it.
    /// </summary>
    public static async IAsyncEnumerable<Utf8LineBatch> ReadAsync(string path, int maxLines, [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        var lines = new List<(int, int)>(maxLines);
        int filled = 0, scan = 0, lineStart = 0;
        var first = true;
        try
        {
            while (true)
            {
                var newline = buffer.AsSpan(scan, filled - scan).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var end = scan + newline;
                    var length = end - lineStart;
                    if (length > 0 && buffer[end - 1] == (byte)'\r') length--;
                    lines.Add((lineStart, length));
                    lineStart = scan = end + 1;
                    if (lines.Count < maxLines) continue;
                    yield return Cut(ref buffer, ref lines, ref filled, ref scan, ref lineStart, maxLines);
                    continue;
                }
                scan = filled;
                if (filled == buffer.Length)
                {
                    // Full: hand over the whole lines and keep the partial one; or, when one line fills it all, grow.
                    if (lines.Count > 0) { yield return Cut(ref buffer, ref lines, ref filled, ref scan, ref lineStart, maxLines); continue; }
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellation);
                if (first)
                {
                    first = false;
                    if (read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) lineStart = scan = 3;
                }
                if (read == 0)
                {
                    if (filled > lineStart)
                    {
                        var length = filled - lineStart;
                        if (buffer[filled - 1] == (byte)'\r') length--;
                        lines.Add((lineStart, length));
                    }
                    if (lines.Count > 0)
                    {
                        var last = new Utf8LineBatch(buffer, lines);
                        buffer = null!;
                        yield return last;
                    }
                    yield break;
                }
                filled += read;
            }
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Hands the lines so far to a batch that owns the current buffer; the partial line moves to a fresh buffer.
    private static Utf8LineBatch Cut(ref byte[] buffer, ref List<(int, int)> lines, ref int filled, ref int scan, ref int lineStart, int maxLines)
    {
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(BufferBytes, filled - lineStart + 1));
        buffer.AsSpan(lineStart, filled - lineStart).CopyTo(next);
        var batch = new Utf8LineBatch(buffer, lines);
        filled -= lineStart;
        scan -= lineStart;
        lineStart = 0;
        buffer = next;
        lines = new List<(int, int)>(maxLines);
        return batch;
    }
}
