using Qualification.Tests.Support;

namespace Qualification.Tests.EndToEnd;

/// <summary>`qualify lint` is clean on the shipped features and catches each mistake it lists, with file:line.</summary>
public class LintTests
{
    private static string Features(string catalogueExtra, string feature)
    {
        var dir = Qualify.TempDir("lint");
        File.WriteAllText(Path.Combine(dir, "requirements.yaml"), File.ReadAllText(Path.Combine(Qualify.RepoRoot, "features", "requirements.yaml")) + catalogueExtra);
        File.WriteAllText(Path.Combine(dir, "x.feature"), feature);
        return dir;
    }

    [Test]
    public async Task ShippedFeatures_AreClean()
    {
        var run = await Qualify.RunAsync(["lint", "--features", Path.Combine(Qualify.RepoRoot, "features")]);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.All);
        Assert.That(run.Output, Does.Contain("is clean"));
    }

    [Test]
    public async Task EachMistake_IsReportedWithFileAndLine()
    {
        var dir = Features("""

              - id: NEW-REQ-1
                title: A requirement nobody wrote a rule or scenario for
                process: test
                source: test
                interfaces: [IF-999]
            """, """
            Feature: Mistakes
              Scenario: No requirement tag
                Given the market time is 2026-01-05 09:00

              @req:NOT-IN-CATALOGUE
              Scenario: Unknown step and unknown requirement
                Given the market time is 2026-01-05 09:00
                When a switch of 2300000000019 to the supplier effectiv 2026-01-20 becomes pending
            """);
        var run = await Qualify.RunAsync(["lint", "--features", dir]);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.All);
        var feature = Path.Combine(dir, "x.feature");
        Assert.That(run.Output, Does.Contain($"{feature}:2: scenario \"No requirement tag\" has no @req:<ID> tag"));
        Assert.That(run.Output, Does.Contain($"{feature}:6: @req:NOT-IN-CATALOGUE is not in"));
        Assert.That(run.Output, Does.Contain($"{feature}:8: no step definition matches").And.Contain("closest known: \"a switch of 2300000000019 to the supplier effective 2026-01-20 becomes pending\""));
        Assert.That(run.Output, Does.Contain("NEW-REQ-1: interface 'IF-999' is neither a DIP interface"));
        Assert.That(run.Output, Does.Contain("NEW-REQ-1 has no rule judging it"));
        Assert.That(run.Output, Does.Contain("NEW-REQ-1 has no scenario"));
    }

    [Test]
    public async Task Steps_ListsEveryStepWithAnExample()
    {
        var run = await Qualify.RunAsync(["steps"]);
        Assert.That(run.ExitCode, Is.EqualTo(0));
        Assert.That(run.Output, Does.Contain("When the metering service exchanges the meter at 2300000000019"));
        Assert.That(run.Output, Does.Contain("Given the market time is 2026-01-05 09:00"));
    }
}
