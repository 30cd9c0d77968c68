using Qualification.Runner.Execution;
using Qualification.Tests.Support;

namespace Qualification.Tests.Scale;

/// <summary>`qualify run --shard i/n` and `qualify merge`.</summary>
[TestFixture]
public class ShardingTests
{
    [Test]
    public void Shards_split_scenarios_deterministically_and_completely()
    {
        // FNV-1a 64 reference values: the split must not depend on the process or machine.
        Assert.That(ReferenceEvaluation.StableHash("a"), Is.EqualTo(0xaf63dc4c8601ec8cUL));
        Assert.That(ReferenceEvaluation.StableHash(""), Is.EqualTo(14695981039346656037UL));
        var ids = Enumerable.Range(1, 500).Select(i => $"supplier/x.feature:{i}").ToList();
        var shards = Enumerable.Range(1, 4).Select(i => Shard.Parse($"{i}/4")).ToList();
        foreach (var id in ids) Assert.That(shards.Count(s => s.Selects(id)), Is.EqualTo(1), id);
        Assert.That(shards.Select(s => ids.Count(s.Selects)), Has.All.GreaterThan(75));
        Assert.That(() => Shard.Parse("0/2"), Throws.TypeOf<FormatException>());
        Assert.That(() => Shard.Parse("3/2"), Throws.TypeOf<FormatException>());
    }

    [Test]
    public async Task Sharded_runs_merged_give_the_unsharded_verdicts()
    {
        const string tags = "@role:SUP or @process:metering-service-appointment";
        var dir = Qualify.TempDir("scale-shards");
        string[] common = ["--time-scale", "3600", "--tags", tags, "--reference-fault", "ignore-reminders"];
        var whole = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "whole"), .. common]);
        var one = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "s1"), "--shard", "1/2", .. common]);
        var two = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "s2"), "--shard", "2/2", .. common]);
        var merge = await Qualify.RunAsync(["merge", Path.Combine(dir, "s1"), Path.Combine(dir, "s2"), "--out", Path.Combine(dir, "merged")]);

        int Total(string d) => Qualify.Summary(Path.Combine(dir, d))["scenarios"]!["total"]!.GetValue<int>();
        Assert.That(Total("s1") + Total("s2"), Is.EqualTo(Total("whole")), one.All + two.All);
        Assert.That(Total("s1"), Is.GreaterThan(0).And.LessThan(Total("whole")), "both shards should have work for this selection");
        var expected = Qualify.Verdicts(Qualify.Summary(Path.Combine(dir, "whole")));
        Assert.That(expected.Values, Does.Contain("FAILED").And.Contain("PASSED"), whole.All);
        var merged = Qualify.Summary(Path.Combine(dir, "merged"));
        Assert.That(Qualify.Verdicts(merged), Is.EqualTo(expected), merge.All);
        Assert.That(merged["scenarios"]!["total"]!.GetValue<int>(), Is.EqualTo(Total("whole")));
        Assert.That(merge.ExitCode, Is.EqualTo(whole.ExitCode), merge.All);
        Assert.That(Directory.EnumerateFiles(Path.Combine(dir, "merged", "allure-results"), "*-result.json").Count(), Is.EqualTo(expected.Count));
        // Sequence numbers stay unique in the merged journal.
        var seqs = File.ReadLines(Path.Combine(dir, "merged", "journal.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["seq"]!.GetValue<long>()).ToList();
        Assert.That(seqs, Is.Unique);
    }

    [Test]
    public async Task Sharded_default_suite_merged_gates_as_the_unsharded_run_with_waivers_and_must_pass()
    {
        // The fault fails MHHS-IF045-ACTION; the waiver accepts it, and a must-pass requirement that
        // passes keeps the gate open: the unsharded run exits 0 only because the gate options apply.
        var dir = Qualify.TempDir("scale-shard-gate");
        var waivers = Path.Combine(dir, "waivers.yaml");
        var expires = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(waivers, $"waivers:\n  - requirement: MHHS-IF045-ACTION\n    reason: reminders handled manually until the next release\n    expires: {expires}\n");
        string[] gate = ["--reference-fault", "ignore-reminders", "--waivers", waivers, "--must-pass", "REC-MO-22.6.1", "--min-pass-rate", "0.5"];
        var whole = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "whole"), .. gate]);
        var one = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "s1"), "--shard", "1/2", .. gate]);
        var two = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "s2"), "--shard", "2/2", .. gate]);
        // Gate carried from the shards' summaries.
        var merge = await Qualify.RunAsync(["merge", Path.Combine(dir, "s1"), Path.Combine(dir, "s2"), "--out", Path.Combine(dir, "merged")]);
        // Gate given to the merge, as the unsharded run had it.
        var given = await Qualify.RunAsync(["merge", Path.Combine(dir, "s1"), Path.Combine(dir, "s2"), "--out", Path.Combine(dir, "given"),
            "--waivers", waivers, "--must-pass", "REC-MO-22.6.1", "--min-pass-rate", "0.5"]);
        // Must-pass beats a waiver: the merged gate fails exactly as an unsharded run with that option would.
        var strict = await Qualify.RunAsync(["merge", Path.Combine(dir, "s1"), Path.Combine(dir, "s2"), "--out", Path.Combine(dir, "strict"),
            "--must-pass", "MHHS-IF045-ACTION"]);

        var wholeSummary = Qualify.Summary(Path.Combine(dir, "whole"));
        var expected = Qualify.Verdicts(wholeSummary);
        Assert.That(expected["MHHS-IF045-ACTION"], Is.EqualTo("WAIVED"), whole.All);
        Assert.That(wholeSummary["gate"]!["passed"]!.GetValue<bool>(), Is.True, whole.All);
        int Total(string d) => Qualify.Summary(Path.Combine(dir, d))["scenarios"]!["total"]!.GetValue<int>();
        Assert.That(Total("s1"), Is.GreaterThan(0).And.LessThan(Total("whole")), one.All + two.All);
        Assert.That(Total("s1") + Total("s2"), Is.EqualTo(Total("whole")));
        foreach (var (name, result) in new[] { ("merged", merge), ("given", given) })
        {
            var summary = Qualify.Summary(Path.Combine(dir, name));
            Assert.That(Qualify.Verdicts(summary), Is.EqualTo(expected), result.All);
            Assert.That(result.ExitCode, Is.EqualTo(whole.ExitCode), result.All);
            Assert.That(Gate(summary), Is.EqualTo(Gate(wholeSummary)), result.All);
            Assert.That(summary["scenarios"]!["total"]!.GetValue<int>(), Is.EqualTo(Total("whole")));
        }
        Assert.That(strict.ExitCode, Is.Not.EqualTo(0), strict.All);
        var strictGate = Qualify.Summary(Path.Combine(dir, "strict"))["gate"]!;
        Assert.That(strictGate["passed"]!.GetValue<bool>(), Is.False);
        Assert.That(strictGate["reasons"]!.AsArray().Select(r => r!.GetValue<string>()), Has.Some.StartsWith("MHHS-IF045-ACTION FAILED"), strict.All);
        // Shards that ran with different gates cannot be merged without saying which gate applies.
        var other = await Qualify.RunAsync(["run", "--results", Path.Combine(dir, "s2-other"), "--shard", "2/2", "--tags", "@process:supplier-agent-appointment", "--reference-fault", "ignore-reminders"]);
        var mixed = await Qualify.RunAsync(["merge", Path.Combine(dir, "s1"), Path.Combine(dir, "s2-other"), "--out", Path.Combine(dir, "mixed")]);
        Assert.That(mixed.ExitCode, Is.EqualTo(2), other.All + mixed.All);
        Assert.That(mixed.Error, Does.Contain("different --must-pass").And.Contain("give --must-pass to the merge"));
        var unknown = await Qualify.RunAsync(["merge", Path.Combine(dir, "s1"), Path.Combine(dir, "s2"), "--out", Path.Combine(dir, "unknown"), "--must-pass", "NO-SUCH-REQUIREMENT"]);
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.All);
        Assert.That(unknown.Error, Does.Contain("--must-pass NO-SUCH-REQUIREMENT: no such requirement in the catalogue"));
    }

    // What decides the exit code: passed, the reasons, the pass rate, and which waivers applied.
    private static string Gate(System.Text.Json.Nodes.JsonObject summary)
    {
        var gate = summary["gate"]!;
        return string.Join(" | ", new[]
        {
            $"passed={gate["passed"]}", $"minPassRate={gate["minPassRate"]}", $"mustPass={gate["mustPass"]!.ToJsonString()}", $"passRate={summary["passRate"]}",
            "reasons=" + string.Join(";", gate["reasons"]!.AsArray().Select(r => r!.GetValue<string>())),
            "waivers=" + string.Join(";", gate["waivers"]!.AsArray().Select(w => $"{w!["requirement"]}:{w["applied"]}")),
        });
    }
}
