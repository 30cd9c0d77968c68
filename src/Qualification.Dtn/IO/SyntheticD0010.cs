using System.Globalization;
using System.Text;
using Qualification.Domain;

namespace Qualification.Dtn.IO;

/// <summary>
/// A valid D0010 (Meter Readings) file of any size, made on the fly for benchmarks and memory tests:
/// a ZHV, then one metering point after another (026 MPAN with a correct check digit, 028 meter,
/// two 030 register readings), until the size is reached, then a ZPT with matching counts. Reading it
/// as a <see cref="Stream"/> never holds more than one metering point's text, so nothing large is
/// ever written to disk unless the caller copies it there.
/// </summary>
public sealed class SyntheticD0010 : Stream
{
    private readonly long _targetBytes;
    private byte[] _pending = [];
    private int _offset;
    private long _produced, _points, _records;
    private bool _trailerWritten;

    /// <summary>A file of about <paramref name="targetBytes"/> bytes (it stops at the first metering point past the target).</summary>
    public SyntheticD0010(long targetBytes)
    {
        _targetBytes = targetBytes;
        _pending = Encoding.ASCII.GetBytes("ZHV|SYN0000001|D0010002|D|DCAA|X|SUPA|20260105101500||||TR01|\n");
    }

    /// <summary>Metering points (026 groups) generated so far.</summary>
    public long MeteringPoints => _points;

    /// <summary>Writes a whole file of about <paramref name="targetBytes"/> to <paramref name="path"/>.</summary>
    public static async Task WriteFileAsync(string path, long targetBytes, CancellationToken cancellation = default)
    {
        await using var source = new SyntheticD0010(targetBytes);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        await source.CopyToAsync(file, 1 << 20, cancellation);
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (_offset == _pending.Length && !Next()) break;
            var n = Math.Min(buffer.Length - written, _pending.Length - _offset);
            _pending.AsSpan(_offset, n).CopyTo(buffer[written..]);
            _offset += n;
            written += n;
        }
        _produced += written;
        return written;
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    private bool Next()
    {
        if (_trailerWritten) return false;
        _offset = 0;
        if (_produced >= _targetBytes && _points > 0)
        {
            _pending = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"ZPT|SYN0000001|{_records}||{_points}|20260105101501|\n"));
            _trailerWritten = true;
            return true;
        }
        _points++;
        var mpan = MpanCore.FromFirst12(("10" + (_points % 10_000_000_000).ToString("D10", CultureInfo.InvariantCulture))).Value;
        var reading = (_points * 7 % 99_999_999).ToString(CultureInfo.InvariantCulture);
        _pending = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"026|{mpan}|V|\n028|M{_points % 1_000_000_000:D9}|R|\n030|01|20260104000000|{reading}.0|||T|N|\n030|02|20260104000000|{reading}.5|||T|N|\n"));
        _records += 4;
        return true;
    }

    /// <inheritdoc />
    public override bool CanRead => true;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => false;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => _produced; set => throw new NotSupportedException(); }
    /// <inheritdoc />
    public override void Flush() { }
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
