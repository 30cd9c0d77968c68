using Qualification.Runner.Execution;

namespace Qualification.Tests.Dtn;

/// <summary>What the rules learn from a journalled flow's text: its MPAN cores and, for D0010, readings per MPAN.</summary>
public class FlowContentsTests
{
    [Test]
    public void D0010_CountsRegisterReadingsPerMpan()
    {
        const string text = "ZHV|F000000101|D0010002|M|REFM|X|REFS|20260202100000||||TR01|\n"
                            + "026|1900012374324|U|\n028|E21Z000001|F|\n030|01|20260202100000|12345.6|||T|P|\n028|E21Z000002|I|\n030|01|20260202100000|0.0|||T|P|\n"
                            + "026|2300000000019|U|\n028|E21Z000003|I|\n"
                            + "ZPT|F000000101|7||2|20260202100000|\n";
        var (mpans, readings) = FlowContents.Read("D0010002", text);
        Assert.That(mpans, Is.EqualTo(new[] { "1900012374324", "2300000000019" }));
        Assert.That(readings.GetValueOrDefault("1900012374324"), Is.EqualTo(2));
        Assert.That(readings.GetValueOrDefault("2300000000019"), Is.EqualTo(0));
    }

    [TestCase("D0268002", "01A|1900012374324|20260202|5|2|F||415|3|A||")]
    [TestCase("D0170001", "350|20260202|06|MTDS NOT RECEIVED|REFM||\n351|1900012374324|")]
    public void MpanIsFoundWhereTheFlowLayoutPutsIt(string flow, string body)
    {
        var text = $"ZHV|F000000102|{flow}|M|REFM|M|INCM|20260202100000||||TR01|\n{body}\nZPT|F000000102|1||1|20260202100000|\n";
        Assert.That(FlowContents.Read(flow, text).Mpans, Is.EqualTo(new[] { "1900012374324" }));
    }

    [Test]
    public void TextNotJournalledOrUnknownFlow_GivesNothing()
    {
        Assert.That(FlowContents.Read("D0010002", "(12000000 characters, not journalled)").Mpans, Is.Empty);
        Assert.That(FlowContents.Read("D9999001", "ZHV|X|D9999001|M|A|X|B|20260202100000||||TR01|\n").Mpans, Is.Empty);
    }
}
