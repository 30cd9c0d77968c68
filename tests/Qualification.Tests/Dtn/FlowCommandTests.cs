using Qualification.Tests.Support;

namespace Qualification.Tests.Dtn;

/// <summary>`qualify flow` run as a process, as a user runs it.</summary>
public class FlowCommandTests
{
    [Test]
    public async Task ValidFiles_ExitZero()
    {
        var result = await Qualify.RunAsync(["flow", Samples.PathOf("D0010_valid.flow"), Samples.PathOf("D0311_valid.flow")]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.All);
        Assert.That(result.Output, Does.Contain("D0010_valid.flow: D0010002 Meter Readings, 5 line(s): valid"));
    }

    [Test]
    public async Task Violations_ArePrintedAsFileLineGroupField_AndExitOne()
    {
        var file = Samples.PathOf("D0010_broken.flow");
        var result = await Qualify.RunAsync(["flow", file, Samples.PathOf("D0010_valid.flow")]);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain($"{file}:5: 030 J0016 Reading Date & Time: expected DATETIME ccyymmddhhmmss, got '20261304000000' [DTN-FORMAT]"));
        Assert.That(result.Output, Does.Contain($"{file}:7: ZPT Record Count: expected 5"));
    }

    [Test]
    public async Task MhhsRules_UseThePointsFile()
    {
        var file = Samples.PathOf("D0311-PC_fail.flow");
        var without = await Qualify.RunAsync(["flow", file]);
        var with = await Qualify.RunAsync(["flow", file, "--points", Samples.PathOf("points.csv")]);
        Assert.That(without.ExitCode, Is.EqualTo(0), without.All);
        Assert.That(with.ExitCode, Is.EqualTo(1), with.All);
        Assert.That(with.Output, Does.Contain($"{file}:2: 05D J0071 Profile Class Id: MPAN 2300000000019 is an MHHS point with a Smart meter").And.Contain("[REC-DTN-D0311-PC]"));
    }

    [Test]
    public async Task UnreadableInput_ExitsTwo_EvenBesideAValidFile()
    {
        var missing = Path.Combine(Qualify.TempDir("flow"), "missing.flow");
        var result = await Qualify.RunAsync(["flow", missing, Samples.PathOf("D0010_valid.flow")]);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain($"{missing}: cannot read"));
        Assert.That(result.Output, Does.Contain("D0010_valid.flow: D0010002"));
    }

    [Test]
    public async Task BadPointsFile_ExitsTwo()
    {
        var points = Path.Combine(Qualify.TempDir("flow"), "points.csv");
        await File.WriteAllTextAsync(points, "2300000000018,migrated,smart,,\n");
        var result = await Qualify.RunAsync(["flow", Samples.PathOf("D0010_valid.flow"), "--points", points]);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("check digit"));
    }
}
