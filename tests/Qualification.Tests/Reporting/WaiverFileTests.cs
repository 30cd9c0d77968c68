using Qualification.Runner.Composition;
using Qualification.Runner.Reporting;
using Qualification.Tests.Support;

namespace Qualification.Tests.Reporting;

/// <summary>The waiver file: active and expired waivers, and bad entries named precisely.</summary>
public class WaiverFileTests
{
    private static string Write(string yaml)
    {
        var path = Path.Combine(Qualify.TempDir("waivers"), "waivers.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Test]
    public void ExpiryDayIsInclusive_AndTheDayAfterIsExpiredWithAWarning()
    {
        var path = Write("""
            waivers:
              - { requirement: A-1, reason: "agreed", expires: 2026-11-30 }
            """);
        var (active, warnings) = WaiverFile.Load(path, new DateOnly(2026, 11, 30));
        Assert.That(active.Select(w => w.RequirementId), Is.EqualTo(new[] { "A-1" }));
        Assert.That(warnings, Is.Empty);
        (active, warnings) = WaiverFile.Load(path, new DateOnly(2026, 12, 1));
        Assert.That(active, Is.Empty);
        Assert.That(warnings.Single(), Does.Contain("A-1 expired on 2026-11-30; ignored"));
    }

    [TestCase("waivers:\n  - { requirement: A-1, reason: x, expires: 31/12/2026 }", "expires '31/12/2026' is not a date")]
    [TestCase("waivers:\n  - { requirement: A-1, expires: 2026-12-31 }", "waiver 1 needs requirement, reason and expires")]
    [TestCase("waivers: [ {", "Expected: waivers:")]
    public void MalformedFile_IsBrokenInput_SayingWhere(string yaml, string message)
    {
        var e = Assert.Throws<InputException>(() => WaiverFile.Load(Write(yaml), new DateOnly(2026, 1, 1)));
        Assert.That(e!.Message, Does.Contain(message));
    }
}
