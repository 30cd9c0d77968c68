using System.Diagnostics;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Running;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Runner.Execution;

/// <summary>
/// Offline evaluation throughput as a ratio against the parse-only floor measured in the
/// same run: System.Text.Json parsing every line of the same generated journal and doing nothing else.
///   dotnet run -c Release --project bench/Qualification.Benchmarks -- --evaluate [--messages 1000000] [--quick] [--keep]
/// </summary>
public static class OfflineEvaluationBench
{
    /// <summary>Environment variable naming the journal (inherited by BenchmarkDotNet's processes).</summary>
    public const string PathVariable = "QUALIFY_BENCH_JOURNAL";

    /// <summary>Entry point for --evaluate.</summary>
    public static void Run(string[] args)
    {
        var messages = long.Parse(Option(args, "--messages") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.Combine(Path.GetTempPath(), "qualify-bench", $"journal-{messages}.jsonl");
        if (!File.Exists(path))
        {
            var clock = Stopwatch.StartNew();
            JournalGenerator.Write(path, messages, Math.Max(1, messages / 10));
            Console.WriteLine($"generated {path} in {clock.Elapsed.TotalSeconds:0.0} s");
        }
        Environment.SetEnvironmentVariable(PathVariable, path);
        // BenchmarkDotNet's child process runs from its own bin folder: tell it where the catalogue is.
        Environment.SetEnvironmentVariable(OfflineEvaluation.FeaturesVariable, Path.Combine(OfflineEvaluation.FindRoot(), "features"));
        Console.WriteLine($"journal: {path} ({messages} messages, {new FileInfo(path).Length / 1048576.0:0.0} MiB)");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPU(s), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}{(System.Runtime.GCSettings.IsServerGC ? "" : " (qualify runs with the server GC: unset DOTNET_gcServer to measure as it runs)")}");
        try
        {
            if (args.Contains("--sessions")) Sessions();
            else if (args.Contains("--quick")) Quick(messages);
            else
            {
                var summary = BenchmarkRunner.Run<OfflineEvaluation>(DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator));
                double Mean(string method) => summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics?.Mean
                    ?? throw new InvalidOperationException($"{method} did not run; see the BenchmarkDotNet log above.");
                var floor = Mean(nameof(OfflineEvaluation.ParseFloor));
                Console.WriteLine();
                foreach (var method in new[] { nameof(OfflineEvaluation.ParseFloor), nameof(OfflineEvaluation.Evaluate) })
                    Console.WriteLine($"{method,-12} {messages / (Mean(method) / 1e9):0} messages/s   throughput ratio to ParseFloor {floor / Mean(method):0.00}");
            }
        }
        finally
        {
            if (!args.Contains("--keep")) File.Delete(path);
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    // The NRules session's fixed cost and its cost per partition, without parsing (to size PartitionsPerSession).
    private static void Sessions()
    {
        var bench = new OfflineEvaluation();
        bench.Setup();
        var evaluator = bench.Evaluator;
        var candidates = bench.Candidates;
        for (var round = 0; round < 2; round++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 2000; i++) evaluator.Evaluate([], candidates, []);
            Console.WriteLine($"empty session: {clock.Elapsed.TotalMilliseconds * 1000 / 2000:0} µs, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 2000 / 1024.0:0.0} KiB allocated");
        }
        // 2000 partitions of the journal, evaluated 1 and 8 per session.
        var (partitions, _) = Partitions(20_000);
        var byId = candidates.ToDictionary(c => c.DipId, StringComparer.Ordinal);
        // Parsing: the floor against qualify's line parser (fields, custom block clone, facts), one thread.
        var lines = File.ReadLines(Environment.GetEnvironmentVariable(PathVariable)!).Take(100_000).ToList();
        for (var round = 0; round < 2; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var l in lines) { using var d = JsonDocument.Parse(l); }
            var floor = clock.Elapsed.TotalMilliseconds * 1000 / lines.Count;
            clock.Restart();
            var i = 0;
            foreach (var l in lines) OfflineJournal.Parse(0, ++i, l);
            Console.WriteLine($"parse per message: JsonDocument {floor:0.0} µs, OfflineJournal.Parse {clock.Elapsed.TotalMilliseconds * 1000 / lines.Count:0.0} µs");
        }
        var evaluation = new PartitionedEvaluation(evaluator, new OfflineSettings { Candidates = candidates });
        foreach (var per in new[] { 1, 8, 1, 4, 8, 16, 32, 64 })
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            long findings = 0;
            foreach (var chunk in partitions.Chunk(per)) findings += evaluation.Evaluate(chunk, byId).Count;
            Console.WriteLine($"{per,2} partition(s) per session:   {clock.Elapsed.TotalMilliseconds * 1000 / partitions.Count:0} µs and {(GC.GetAllocatedBytesForCurrentThread() - allocated) / partitions.Count / 1024.0:0.0} KiB allocated per partition of {partitions.Average(p => p.Messages.Count):0.0} facts ({partitions.Count} partitions, {findings} findings)");
        }
    }

    // The journal's first lines grouped into MPAN partitions, facts built, windows set: what the rules get.
    private static (List<Partition> Partitions, int Lines) Partitions(int lines)
    {
        var partitions = new List<Partition>();
        var read = 0;
        foreach (var group in File.ReadLines(Environment.GetEnvironmentVariable(PathVariable)!).Take(lines).Select((l, i) => { read++; return OfflineJournal.Parse(0, i + 1, l).Message!; }).GroupBy(m => m.Mpan))
        {
            var p = new Partition { Scope = "", Mpan = group.Key };
            foreach (var m in group) PartitionedEvaluation.Add(p, m);
            p.Scope = "mpan:" + group.Key;
            p.Window = new ObservationWindow(p.Scope, p.First, p.Last + NodaTime.Duration.FromDays(10));
            partitions.Add(p);
        }
        return (partitions, read);
    }

    // The rule engine alone, one thread: partitions prebuilt, as many per session as the evaluation puts
    // together. Two warm-up passes, then the fastest of three: the least disturbed by other load.
    private static double RulesAloneMicrosecondsPerLine(OfflineEvaluation bench)
    {
        var (partitions, lines) = Partitions(100_000);
        var settings = new OfflineSettings { Candidates = bench.Candidates };
        var evaluation = new PartitionedEvaluation(bench.Evaluator, settings);
        var byId = bench.Candidates.ToDictionary(c => c.DipId, StringComparer.Ordinal);
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var chunk in partitions.Chunk(settings.PartitionsPerSession)) evaluation.Evaluate(chunk, byId, new MessagePasses(compact: true));
            if (round >= 2) best = Math.Min(best, clock.Elapsed.TotalMilliseconds * 1000 / lines);
        }
        return best;
    }

    private static void Quick(long messages)
    {
        var bench = new OfflineEvaluation();
        bench.Setup();
        // Wall time and CPU time of the process: on a shared machine the CPU time is the steadier figure.
        (double Wall, double Cpu) Time(Func<long> action, string name)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var n = action();
            var seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine($"{name,-12} {seconds:0.00} s wall, {cpuSeconds:0.00} s CPU  {messages / seconds:0} messages/s  ({n})");
            return (seconds, cpuSeconds);
        }
        var floor = Time(bench.ParseFloor, nameof(bench.ParseFloor));
        var evaluate = Time(bench.Evaluate, nameof(bench.Evaluate));
        Console.WriteLine($"throughput ratio Evaluate / ParseFloor (wall, this run): {floor.Wall / evaluate.Wall:0.00} (goal >= 0.50)");
        Console.WriteLine($"CPU cost ratio ParseFloor / Evaluate: {floor.Cpu / evaluate.Cpu:0.00}; on {Environment.ProcessorCount} idle core(s) that is a throughput ratio of about {floor.Cpu / (evaluate.Cpu / Environment.ProcessorCount):0.00}");
        Console.WriteLine($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB");
        // The ceiling: an evaluation has to parse every line (the floor's own work) and run the rules.
        // Even if nothing else cost anything (fact building, partitioning, garbage collection) and both
        // ran on every core in perfect parallel, it could not go faster than this.
        var rules = RulesAloneMicrosecondsPerLine(bench);
        var floorPerLine = floor.Wall * 1e6 / messages;
        Console.WriteLine($"rule engine alone (NRules, partitions prebuilt, one thread, fastest of 3): {rules:0.0} µs per message against the floor's {floorPerLine:0.0} µs");
        Console.WriteLine($"ceiling of the throughput ratio on {Environment.ProcessorCount} core(s), floor's parse + rules and nothing else, perfectly parallel: {floorPerLine / ((floorPerLine + rules) / Environment.ProcessorCount):0.00}");
        Console.WriteLine($"  (rules alone, with parsing free: {floorPerLine / (rules / Environment.ProcessorCount):0.00})");
    }
}

/// <summary>The two measurements over the same generated journal.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class OfflineEvaluation
{
    private string _path = "";
    private RequirementEvaluator _evaluator = null!;
    private IReadOnlyList<Candidate> _candidates = [];

    /// <summary>The evaluator set up by <see cref="Setup"/>.</summary>
    public RequirementEvaluator Evaluator => _evaluator;
    /// <summary>The candidates found in the journal.</summary>
    public IReadOnlyList<Candidate> Candidates => _candidates;

    [GlobalSetup]
    public void Setup()
    {
        _path = Environment.GetEnvironmentVariable(OfflineEvaluationBench.PathVariable) ?? throw new InvalidOperationException($"{OfflineEvaluationBench.PathVariable} is not set");
        var features = Environment.GetEnvironmentVariable(FeaturesVariable) ?? Path.Combine(FindRoot(), "features");
        _evaluator = new RequirementEvaluator(RequirementCatalog.Load(Path.Combine(features, "requirements.yaml")), WorkingDayCalendar.Default);
        var senders = new Dictionary<string, string>(StringComparer.Ordinal);
        OfflineJournal.ScanSenders(_path, senders);
        _candidates = OfflineJournal.InferCandidates(senders);
    }

    /// <summary>Environment variable naming the features folder (requirements.yaml).</summary>
    public const string FeaturesVariable = "QUALIFY_BENCH_FEATURES";

    /// <summary>The repository root: above the working directory, else above the binaries.</summary>
    public static string FindRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            var dir = new DirectoryInfo(start);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Qualification.sln"))) dir = dir.Parent;
            if (dir is not null) return dir.FullName;
        }
        return Environment.CurrentDirectory;
    }

    /// <summary>The floor: parse every line with System.Text.Json and do nothing else.</summary>
    [Benchmark(Baseline = true)]
    public long ParseFloor()
    {
        using var reader = new StreamReader(_path, System.Text.Encoding.UTF8, false, 1 << 16);
        long n = 0;
        while (reader.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            n++;
        }
        return n;
    }

    /// <summary>`qualify evaluate` without the reports: stream, partition by MPAN session, rules on every core.</summary>
    [Benchmark]
    public long Evaluate()
    {
        var outcome = new PartitionedEvaluation(_evaluator, new OfflineSettings { Candidates = _candidates }).RunAsync([_path], CancellationToken.None).GetAwaiter().GetResult();
        return outcome.Partitions;
    }
}
