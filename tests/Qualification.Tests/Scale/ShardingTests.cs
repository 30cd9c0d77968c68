using Qualification.Runner.Execution;
using Qualification.Tests.Support;

namespace Qualification.Tests.Scale;

/// <summary>`qualify run --shard i/n` and `qualify merge` (issue 9).</summary>
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
}
