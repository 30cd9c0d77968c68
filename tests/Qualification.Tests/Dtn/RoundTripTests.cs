using System.Text;
using Qualification.Dtn.IO;
using Qualification.Dtn.Validation;

namespace Qualification.Tests.Dtn;

public class RoundTripTests
{
    private static IEnumerable<string> ValidFiles() => Samples.Valid();

    [TestCaseSource(nameof(ValidFiles))]
    public async Task ReadThenWrite_IsByteIdentical(string name)
    {
        var original = Samples.Bytes(name);
        using var output = new MemoryStream();
        await DtnWriter.CopyAsync(new MemoryStream(original), output);
        Assert.That(output.ToArray(), Is.EqualTo(original));
    }

    [Test]
    public void CrlfFile_KeepsCrlfEndings_AndAFileWithoutFinalNewlineStaysSo()
    {
        var crlf = Samples.Bytes("D0010_valid_crlf.flow");
        Assert.That(Encoding.ASCII.GetString(crlf), Does.Contain("|\r\n"), "the sample really is CRLF");
        var noFinalNewline = Encoding.ASCII.GetString(Samples.Bytes("D0010_valid.flow")).TrimEnd('\n');
        foreach (var bytes in new[] { crlf, Encoding.ASCII.GetBytes(noFinalNewline) })
        {
            using var output = new MemoryStream();
            using (var writer = new DtnWriter(output, leaveOpen: true))
                foreach (var record in DtnReader.ReadAll(new MemoryStream(bytes))) writer.Write(record);
            Assert.That(output.ToArray(), Is.EqualTo(bytes));
        }
    }

    [Test]
    public void Reader_SplitsFieldsAndKeepsEmptyOnes()
    {
        var records = DtnReader.ReadAll("ZHV|F1|D0010002|D|DCAA|X|SUPA|20260105101500||||TR01|\n030|01|20260104000000|4512.0|||T|N|\n");
        var reading = records[1];
        Assert.That((reading.LineNumber, reading.GroupId, reading.FieldCount, reading.HasTrailingPipe), Is.EqualTo((2L, "030", 7, true)));
        Assert.That(reading.Fields(), Is.EqualTo(new[] { "01", "20260104000000", "4512.0", "", "", "T", "N" }));
        Assert.That(reading.Text(3), Is.Null);
    }

    [Test]
    public void Reader_HandlesLinesAcrossBufferBoundaries()
    {
        // A 16-byte buffer forces every line to straddle reads and the buffer to grow for long lines.
        var text = Encoding.ASCII.GetString(Samples.Bytes("D0268_valid.flow"));
        using var reader = new DtnReader(new MemoryStream(Encoding.ASCII.GetBytes(text)), bufferSize: 16);
        var lines = new List<string>();
        while (reader.Read() is { } record) lines.Add(record.Line);
        Assert.That(lines, Is.EqualTo(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Test]
    public void Writer_BuildsAFileWhoseTrailerCountsValidate()
    {
        using var output = new MemoryStream();
        using (var writer = new DtnWriter(output, leaveOpen: true))
        {
            writer.WriteHeader(new ZhvHeader
            {
                FileId = "W000000001", FlowAndVersion = "D0010002", FromRole = "N", FromMpid = "SDSA", ToRole = "X", ToMpid = "SUPA",
                CreatedAt = "20260105101500", TestDataFlag = "TR01",
            });
            foreach (var mpan in new[] { "2300000000019", "1400001234565" })
            {
                writer.WriteGroup("026", [mpan, "V"]);
                writer.WriteGroup("028", ["E21Z000123", "R"]);
                writer.WriteGroup("030", ["01", "20260104000000", "4512.0", null, null, "T", "N"]);
            }
            writer.WriteTrailer("20260105101501");
        }
        var text = Encoding.ASCII.GetString(output.ToArray());
        Assert.That(text, Does.EndWith("ZPT|W000000001|6||2|20260105101501|\n"));
        var result = new FlowValidator().Validate(text);
        Assert.That(result.Findings, Is.Empty, string.Join("\n", result.Findings));
    }

    [Test]
    public void Writer_RefusesAPipeInsideAField()
    {
        using var output = new MemoryStream();
        using var writer = new DtnWriter(output, leaveOpen: true);
        Assert.Throws<ArgumentException>(() => writer.WriteGroup("027", ["01", "a|b"]));
    }
}
