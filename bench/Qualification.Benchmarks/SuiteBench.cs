using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Xml.Linq;

/// <summary>
/// Wall time of the default suite (`qualify run` with no arguments: every scenario against the
/// reference participants) and the harness's own cost per scenario, against baselines measured in the
/// same run:
/// - the empty run: `qualify run` selecting no scenario (process start, emulators, reports), the fixed cost;
/// - the suite at two time scales: wall = fixed + harness work + market waits / scale, so the market
///   waits and the scale-independent part are separated; what is left per scenario after the fixed
///   cost is the harness overhead (step bindings, Reqnroll, settling, journal, rules).
///   dotnet run -c Release --project bench/Qualification.Benchmarks -- --suite [--scales 600,2400] [--rounds 1]
/// Runs the qualify.dll built beside this benchmark, as separate processes, from the repository root.
/// </summary>
public static class SuiteBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
        var scales = (Option("--scales") ?? "600,2400").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var rounds = int.Parse(Option("--rounds") ?? "1", CultureInfo.InvariantCulture);
        var root = OfflineEvaluation.FindRoot();
        var dll = Path.Combine(AppContext.BaseDirectory, "qualify.dll");
        var folder = Path.Combine(Path.GetTempPath(), "qualify-suite-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Console.WriteLine($"Default suite: {dll} run, from {root}; time scales {string.Join(", ", scales)} (default 600), {rounds} round(s)");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPU(s), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");

        var empty = new List<Run>();
        var suite = scales.ToDictionary(s => s, _ => new List<Run>());
        for (var round = 1; round <= rounds; round++)
        {
            // No scenario matches this tag: the fixed cost of a run.
            empty.Add(await RunAsync(dll, root, Path.Combine(folder, $"empty-{round}"), ["--tags", "@no-scenario-has-this-tag"]));
            Console.WriteLine($"  round {round} empty run        {empty[^1]}");
            foreach (var scale in scales)
            {
                suite[scale].Add(await RunAsync(dll, root, Path.Combine(folder, $"suite-{scale}-{round}"), ["--time-scale", scale.ToString(CultureInfo.InvariantCulture)]));
                Console.WriteLine($"  round {round} suite at {scale,6:0}  {suite[scale][^1]}");
            }
        }

        Console.WriteLine();
        var baseline = empty.Min(r => r.Wall);
        var atDefault = suite[scales[0]].MinBy(r => r.Wall)!;
        Console.WriteLine($"empty run (baseline, fixed cost): {baseline:0.0} s");
        Console.WriteLine($"default suite at {scales[0]:0}: {atDefault.Wall:0.0} s wall, {atDefault.Scenarios} scenarios, {atDefault.Outcomes}; ratio to the empty run {atDefault.Wall / baseline:0.0}; goal <= 60 s on 2 cores: {(atDefault.Wall <= 60 ? "met" : "NOT met")}");
        Console.WriteLine($"  inside scenarios (sum of JUnit testcase times) {atDefault.InScenarios:0.0} s, outside ({atDefault.Wall - atDefault.InScenarios:0.0} s) = start, rules, reports; per scenario {atDefault.InScenarios / Math.Max(1, atDefault.Scenarios) * 1000:0} ms");
        if (scales.Length >= 2)
        {
            var (s1, s2) = (scales[0], scales[1]);
            var (w1, w2) = (suite[s1].Min(r => r.Wall), suite[s2].Min(r => r.Wall));
            var (i1, i2) = (suite[s1].Min(r => r.InScenarios), suite[s2].Min(r => r.InScenarios));
            // wall = A + W / scale; two scales give W (market seconds waited) and A.
            var waited = (i1 - i2) / (1 / s1 - 1 / s2);
            var harness = i1 - waited / s1;
            var n = Math.Max(1, atDefault.Scenarios);
            Console.WriteLine($"suite at {s2:0}: {w2:0.0} s wall ({suite[s2].MinBy(r => r.Wall)!.Outcomes}); wall ratio {s1:0}/{s2:0} = {w1 / w2:0.00}");
            // A negative or tiny estimate means the wall time does not depend on the scale: the harness advances market time itself.
            if (waited / s1 < 0.5)
                Console.WriteLine($"scenario time split (from the two scales): market waits negligible (estimate {waited / s1:0.0} s at {s1:0}): wall time does not depend on the time scale; all {i1:0.0} s inside scenarios is harness work = {i1 / n * 1000:0} ms per scenario");
            else
            {
                Console.WriteLine($"scenario time split (from the two scales): market waits {waited / 3600:0.0} market hours = {waited / s1:0.0} s at {s1:0}; harness work inside scenarios {harness:0.0} s = {harness / n * 1000:0} ms per scenario");
                Console.WriteLine($"harness overhead / market waits at {s1:0}: {harness / (waited / s1):0.00}");
            }
            Console.WriteLine($"per scenario, whole run: ({w1:0.0} s - empty run {baseline:0.0} s) / {n} = {(w1 - baseline) / n * 1000:0} ms; fixed cost / whole run: {baseline / w1:0.00}");
            var spread = suite.Values.SelectMany(r => r).Select(r => r.Wall).ToList();
            Console.WriteLine($"suite wall times over all runs: {string.Join(", ", spread.Select(w => w.ToString("0.0", CultureInfo.InvariantCulture)))} s (the best of each scale is used above)");
        }
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return 0;
    }

    /// <summary>One `qualify run`: wall time, scenario count, outcomes and the time spent inside scenarios.</summary>
    public sealed record Run(double Wall, int ExitCode, int Scenarios, string Outcomes, double InScenarios, string Slowest)
    {
        /// <inheritdoc/>
        public override string ToString() => $"{Wall,6:0.0} s wall, exit {ExitCode}, {Scenarios} scenario(s) ({Outcomes}), {InScenarios:0.0} s inside scenarios{(Slowest.Length > 0 ? "; slowest: " + Slowest : "")}";
    }

    private static async Task<Run> RunAsync(string dll, string root, string results, string[] extra)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["CI"] = "1"; // plain progress lines, no live display
        foreach (var a in new[] { dll, "run", "--results", results }.Concat(extra)) info.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var wall = clock.Elapsed.TotalSeconds;
        var summaryPath = Path.Combine(results, "summary.json");
        if (!File.Exists(summaryPath)) throw new InvalidOperationException($"qualify run wrote no summary (exit {process.ExitCode}):\n{await output}\n{await error}");
        var summary = JsonNode.Parse(await File.ReadAllTextAsync(summaryPath))!;
        var counts = summary["scenarios"]!.AsObject().Where(kv => kv.Key != "total" && kv.Value!.GetValue<int>() > 0).Select(kv => $"{kv.Value} {kv.Key}");
        var junit = Path.Combine(results, "junit.xml");
        var cases = File.Exists(junit)
            ? XDocument.Load(junit).Descendants("testcase").Select(t => (Name: (string?)t.Attribute("name") ?? "?", Time: double.Parse((string?)t.Attribute("time") ?? "0", CultureInfo.InvariantCulture))).ToList()
            : [];
        var slowest = string.Join(", ", cases.OrderByDescending(c => c.Time).Take(2).Select(c => $"{c.Name} {c.Time:0.0} s"));
        return new Run(wall, process.ExitCode, summary["scenarios"]!["total"]!.GetValue<int>(), string.Join(", ", counts), cases.Sum(c => c.Time), slowest);
    }
}
