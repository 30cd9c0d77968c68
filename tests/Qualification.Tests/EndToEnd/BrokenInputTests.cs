using Qualification.Tests.Support;

namespace Qualification.Tests.EndToEnd;

/// <summary>Broken input gets exit code 2 and a message that says what, where and what to do.</summary>
public class BrokenInputTests
{
    private static string FeaturesWith(string featureText)
    {
        var dir = Qualify.TempDir("features");
        File.Copy(Path.Combine(Qualify.RepoRoot, "features", "requirements.yaml"), Path.Combine(dir, "requirements.yaml"));
        File.WriteAllText(Path.Combine(dir, "bad.feature"), featureText);
        return dir;
    }

    [Test]
    public async Task ProfileWithMissingAndWrongFields_NamesEachField()
    {
        var dir = Qualify.TempDir("bad-profile");
        var profile = Path.Combine(dir, "profile.yaml");
        File.WriteAllText(profile, "participant: { name: X, role: DS, dipId: \"123\", mpid: abcd }\nendpoints: {}\n");
        var run = await Qualify.RunAsync(["run", "--candidate", profile]);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("participant.role is 'DS'").And.Contain("participant.dipId is '123'")
            .And.Contain("participant.mpid is 'abcd'").And.Contain("endpoints.callbackUrl is required").And.Contain(profile));
    }

    [Test]
    public async Task GherkinSyntaxError_NamesFileAndLine()
    {
        var features = FeaturesWith("Feature: Broken\n  Scenario: x\n    Given the market time is 2026-01-05\n    this line is not a step\n");
        var run = await Qualify.RunAsync(["run", "--features", features]);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.All);
        Assert.That(run.Error, Does.Contain("bad.feature:4"));
    }

    [Test]
    public async Task UndefinedStep_IsBrokenInput_WithFileAndLine()
    {
        var features = FeaturesWith("Feature: Unknown step\n  @req:REC-MO-22.6.1\n  Scenario: x\n    Given the market time is 2026-01-05\n    When the moon is full\n");
        var results = Qualify.TempDir("undefined");
        var run = await Qualify.RunAsync(["run", "--features", features, "--results", results]);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.All);
        Assert.That(run.Output, Does.Contain("bad.feature:5: When the moon is full"));
    }

    [Test]
    public async Task UnknownRequirementTag_IsBrokenInput()
    {
        var features = FeaturesWith("Feature: Unknown requirement\n  @req:NOPE-1\n  Scenario: x\n    Given the market time is 2026-01-05\n");
        var run = await Qualify.RunAsync(["run", "--features", features]);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.All);
        Assert.That(run.Error, Does.Contain("@req:NOPE-1 is not in"));
    }
}
