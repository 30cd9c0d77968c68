using System.IO.Compression;
using System.Text.Json.Nodes;
using Qualification.Runner.Reporting;
using Qualification.Tests.Support;

namespace Qualification.Tests.Reporting;

/// <summary>The signed evidence bundle: built from a real run, verified, and any changed byte caught.</summary>
[NonParallelizable]
public class EvidenceBundleTests
{
    private static async Task<(string Dir, string Key)> RunWithReportAsync()
    {
        var (dir, run, report) = await FaultyRun.GetAsync();
        Assert.That(run.ExitCode, Is.EqualTo(1), run.All);
        Assert.That(Directory.Exists(Path.Combine(dir, "allure-report")), report.All);
        return (dir, Path.Combine(Qualify.TempDir("key"), "signing-key.pem"));
    }

    [Test]
    public async Task BundleOfARunWithFailures_Verifies_AndEveryFlippedByteIsDetected()
    {
        var (dir, key) = await RunWithReportAsync();
        var bundle = Path.Combine(Qualify.TempDir("bundle"), "evidence.zip");
        var evidence = await Qualify.RunAsync(["evidence", "--run", dir, "--out", bundle, "--key", key]);
        Assert.That(evidence.ExitCode, Is.EqualTo(0), evidence.All);
        var fingerprint = evidence.Output.Split('\n').First(l => l.StartsWith("fingerprint:", StringComparison.Ordinal))["fingerprint:".Length..].Trim();
        Assert.That(fingerprint, Does.Match("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"));

        // What the assessor runs.
        var verify = await Qualify.RunAsync(["verify", bundle, "--fingerprint", fingerprint]);
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.All);
        Assert.That(verify.Output, Does.Contain("VALID").And.Contain(fingerprint));

        // The bundle holds what an assessor needs, each listed in the signed manifest.
        using (var zip = ZipFile.OpenRead(bundle))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.That(names, Is.SupersetOf(new[] { "manifest.json", "signer.pem", "summary.json", "rttm.csv", "rttm.html", "journal.jsonl", "junit.xml",
                "cucumber-messages.ndjson", "cucumber-report.html", "allure-report/index.html", "allure-report-single/index.html" }));
            Assert.That(names.Count(n => n.StartsWith("allure-results/", StringComparison.Ordinal) && n.EndsWith("-result.json", StringComparison.Ordinal)), Is.GreaterThan(0));
            using var manifest = zip.GetEntry("manifest.json")!.Open();
            var files = JsonNode.Parse(manifest)!["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).ToHashSet();
            Assert.That(files, Is.EquivalentTo(names.Where(n => n is not ("manifest.json" or "signer.pem"))));
        }

        // Any change to a byte is detected: flip bytes spread over the whole file, the first and last ones included.
        var original = await File.ReadAllBytesAsync(bundle);
        var positions = Enumerable.Range(0, 64).Select(i => (long)original.Length * i / 64)
            .Concat([0, 1, original.Length / 2, original.Length - 200, original.Length - 129, original.Length - 128, original.Length - 60, original.Length - 1]).Distinct();
        var tampered = Path.Combine(Path.GetDirectoryName(bundle)!, "tampered.zip");
        foreach (var position in positions)
        {
            var copy = (byte[])original.Clone();
            copy[position] ^= 0x01;
            await File.WriteAllBytesAsync(tampered, copy);
            var result = EvidenceBundle.Verify(tampered, fingerprint);
            Assert.That(result.Valid, Is.False, $"flipping bit 0 of byte {position} of {original.Length} went unnoticed");
        }

        // And through the command, with a plainly edited journal: exit 1, INVALID.
        var copyBytes = (byte[])original.Clone();
        copyBytes[original.Length / 3] ^= 0x80;
        await File.WriteAllBytesAsync(tampered, copyBytes);
        var bad = await Qualify.RunAsync(["verify", tampered]);
        Assert.That(bad.ExitCode, Is.EqualTo(1), bad.All);
        Assert.That(bad.Output, Does.Contain("INVALID"));
    }

    [Test]
    public async Task Verify_FailsWhenSignedByAnotherKey_ThanTheExpectedFingerprint()
    {
        var (dir, key) = await RunWithReportAsync();
        var bundle = Path.Combine(Qualify.TempDir("bundle"), "evidence.zip");
        Assert.That((await Qualify.RunAsync(["evidence", "--run", dir, "--out", bundle, "--key", key])).ExitCode, Is.EqualTo(0));
        var other = new string('0', 64);
        var result = EvidenceBundle.Verify(bundle, other);
        Assert.That(result.Valid, Is.False);
        Assert.That(result.Problems, Has.Some.Contains("not by the expected"));
        // Re-signing the same content with another key gives another fingerprint: the published one tells them apart.
        var bundle2 = Path.Combine(Qualify.TempDir("bundle"), "evidence.zip");
        Assert.That((await Qualify.RunAsync(["evidence", "--run", dir, "--out", bundle2, "--key", Path.Combine(Qualify.TempDir("key2"), "k.pem")])).ExitCode, Is.EqualTo(0));
        Assert.That(EvidenceBundle.Verify(bundle2).Fingerprint, Is.Not.EqualTo(EvidenceBundle.Verify(bundle).Fingerprint));
    }

    [Test]
    public async Task Evidence_IsRefused_ForAnInterruptedRun_OrAnUnexecutedMandatoryRequirement_SayingWhich()
    {
        var (dir, key) = await RunWithReportAsync();
        var copy = Qualify.TempDir("refused");
        foreach (var f in new[] { "summary.json", "rttm.csv", "rttm.html", "journal.jsonl" }) File.Copy(Path.Combine(dir, f), Path.Combine(copy, f));
        var summary = Qualify.Summary(copy);
        summary["interrupted"] = true;
        var target = summary["requirements"]!.AsArray().First(r => r!["id"]!.GetValue<string>() == "MHHS-DIP-IF031-VALID")!;
        target["verdict"] = "SKIPPED";
        target["judgedVerdict"] = "SKIPPED";
        target["reason"] = "no executed scenario is tagged with it";
        var observed = summary["requirements"]!.AsArray().First(r => r!["id"]!.GetValue<string>() == "MHHS-MS-IF034-RESPOND")!;
        observed["verdict"] = "NOT_OBSERVED";
        observed["judgedVerdict"] = "NOT_OBSERVED";
        await File.WriteAllTextAsync(Path.Combine(copy, "summary.json"), summary.ToJsonString());

        var bundle = Path.Combine(copy, "evidence.zip");
        var refused = await Qualify.RunAsync(["evidence", "--run", copy, "--out", bundle, "--key", key]);
        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.All);
        Assert.That(refused.Error, Does.Contain("refused").And.Contain("interrupted")
            .And.Contain("MHHS-DIP-IF031-VALID").And.Contain("not executed")
            .And.Contain("MHHS-MS-IF034-RESPOND").And.Contain("not observed"));
        Assert.That(File.Exists(bundle), Is.False, "no bundle is left behind when refused");
    }
}
