using Qualification.Dtn.IO;
using Qualification.Dtn.Validation;

namespace Qualification.Tests.Dtn;

public class StreamingTests
{
    /// <summary>Passes a stream through, sampling the live heap (after a full collection) every few megabytes.</summary>
    private sealed class HeapSampler(Stream inner, long everyBytes) : Stream
    {
        private readonly long _every = everyBytes;
        private long _read, _next = everyBytes;
        public long Baseline { get; private set; } = -1;
        public long Peak { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            _read += n;
            if (_read >= _next)
            {
                _next += _every;
                var live = GC.GetTotalMemory(forceFullCollection: true);
                if (Baseline < 0) Baseline = live; // after the first chunk: validator and catalogue warmed up
                Peak = Math.Max(Peak, live);
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Test]
    public void ValidatingA64MegabyteFile_KeepsTheLiveHeapFlat()
    {
        const long size = 64L << 20;
        var source = new SyntheticD0010(size);
        var sampler = new HeapSampler(source, 4L << 20);
        var result = new FlowValidator().Validate(sampler);

        Assert.That(result.Findings, Is.Empty, string.Join("\n", result.Findings.Take(5)));
        Assert.That(result.Lines, Is.EqualTo(source.MeteringPoints * 4 + 2));
        Assert.That(sampler.Position, Is.GreaterThanOrEqualTo(size));
        // Holding the file (or its records) would grow the heap by well over 64 MB; streaming keeps it to buffers.
        var growth = sampler.Peak - sampler.Baseline;
        Assert.That(growth, Is.LessThan(8L << 20), $"live heap grew {growth / 1024} KiB while validating {size >> 20} MiB");
    }

    [Test]
    public async Task AsyncValidation_OfTheSyntheticFile_MatchesTheSynchronousOne()
    {
        var sync = new FlowValidator().Validate(new SyntheticD0010(1 << 20));
        var async = await new FlowValidator().ValidateAsync(new SyntheticD0010(1 << 20));
        Assert.That((async.Lines, async.Errors, async.FlowAndVersion), Is.EqualTo((sync.Lines, sync.Errors, sync.FlowAndVersion)));
        Assert.That(sync.Errors, Is.Zero);
    }

    [Test]
    public void ManyErrors_AreCountedButOnlyTheFirstThousandKept()
    {
        // Every reading broken: 2 format findings per metering point.
        var text = new StreamReader(new SyntheticD0010(200_000)).ReadToEnd().Replace("|T|N|", "|Y|N|", StringComparison.Ordinal);
        var result = new FlowValidator().Validate(text);
        Assert.That(result.Findings, Has.Count.EqualTo(FlowValidator.MaxFindingsKept));
        Assert.That(result.Errors, Is.GreaterThan(FlowValidator.MaxFindingsKept));
        Assert.That(result.Truncated, Is.True);
    }
}
