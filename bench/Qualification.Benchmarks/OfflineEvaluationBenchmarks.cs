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
/// Offline evaluation throughput (issue 9) as a ratio against the parse-only floor measured in the
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
        Console.WriteLine($"journal: {path} ({messages} messages, {new FileInfo(path).Length / 1048576.0:0.0} MiB)");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPU(s), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        try
        {
            if (args.Contains("--quick")) Quick(messages);
            else
            {
                var summary = BenchmarkRunner.Run<OfflineEvaluation>(DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator));
                double Mean(string method) => summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics!.Mean;
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

    private static void Quick(long messages)
    {
        var bench = new OfflineEvaluation();
        bench.Setup();
        double Time(Func<long> action, string name)
        {
            var clock = Stopwatch.StartNew();
            var n = action();
            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{name,-12} {seconds:0.00} s  {messages / seconds:0} messages/s  ({n})");
            return seconds;
        }
        var floor = Time(bench.ParseFloor, nameof(bench.ParseFloor));
        var evaluate = Time(bench.Evaluate, nameof(bench.Evaluate));
        Console.WriteLine($"throughput ratio Evaluate / ParseFloor: {floor / evaluate:0.00} (goal >= 0.50)");
        Console.WriteLine($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB");
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

    [GlobalSetup]
    public void Setup()
    {
        _path = Environment.GetEnvironmentVariable(OfflineEvaluationBench.PathVariable) ?? throw new InvalidOperationException($"{OfflineEvaluationBench.PathVariable} is not set");
        _evaluator = new RequirementEvaluator(RequirementCatalog.Load(Path.Combine(FindRoot(), "features", "requirements.yaml")), WorkingDayCalendar.Default);
        var senders = new Dictionary<string, string>(StringComparer.Ordinal);
        OfflineJournal.ScanSenders(_path, senders);
        _candidates = OfflineJournal.InferCandidates(senders);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Qualification.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Environment.CurrentDirectory;
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
