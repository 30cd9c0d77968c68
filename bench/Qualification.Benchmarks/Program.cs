using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Qualification.Dtn.IO;
using Qualification.Dtn.Validation;

// Validation throughput of a generated D0010 file, as a ratio against the floor of reading the same
// file's lines and doing nothing else, measured in the same run.
//   dotnet run -c Release --project bench/Qualification.Benchmarks -- [--size 256MB|1GB|...] [--quick] [--keep]
// --size   file size (default 256MB); the file is generated into the temp folder, never committed.
// --quick  one timed pass of each, without BenchmarkDotNet, plus the peak working set of validation.
// --keep   leave the generated file for the next run.
// Offline journal evaluation has its own entry: OfflineEvaluationBenchmarks.cs.
// --soak: the DIP soak, SoakBench.cs.
if (args.Contains("--evaluate")) { OfflineEvaluationBench.Run(args); return; }
// Soak of the emulated DIP with a receiving webhook: SoakBench.cs.
if (args.Contains("--soak")) { Environment.ExitCode = await SoakBench.RunAsync(args); return; }
// The emulated DIP against a bare Kestrel endpoint: throughput ratio and added p99 latency (EmulatorLatencyBench.cs).
if (args.Contains("--emulator")) { Environment.ExitCode = await EmulatorLatencyBench.RunAsync(args); return; }
// The default suite's wall time and the harness overhead per scenario (SuiteBench.cs).
if (args.Contains("--suite")) { Environment.ExitCode = await SuiteBench.RunAsync(args); return; }
var size = ParseSize(Option("--size") ?? "256MB");
var path = Path.Combine(Path.GetTempPath(), "qualify-bench", $"D0010-{size}.flow");
Environment.SetEnvironmentVariable(D0010Validation.PathVariable, path);
await EnsureFileAsync(path, size);
Console.WriteLine($"D0010 file: {path} ({new FileInfo(path).Length / 1048576.0:0.0} MiB)");
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPU(s), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
try
{
    if (args.Contains("--quick")) Quick(path);
    else
    {
        // In-process: the measured code is the same either way, and nothing has to find this project's csproj.
        var job = Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job).WithArtifactsPath(Path.Combine(Path.GetDirectoryName(path)!, "artifacts"));
        var summary = BenchmarkRunner.Run<D0010Validation>(config);
        var bytes = new FileInfo(path).Length;
        double Mean(string method) => summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics?.Mean
            ?? throw new InvalidOperationException($"{method} produced no measurements; see the log above"); // ns
        var floor = Mean(nameof(D0010Validation.ReadLines));
        Console.WriteLine();
        foreach (var method in new[] { nameof(D0010Validation.ReadLines), nameof(D0010Validation.ReadRecords), nameof(D0010Validation.Validate) })
        {
            var ns = Mean(method);
            Console.WriteLine($"{method,-12} {bytes / (ns / 1e9) / 1048576:0.0} MiB/s   ratio to ReadLines {ns / floor:0.00}");
        }
    }
}
finally
{
    if (!args.Contains("--keep")) File.Delete(path);
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static long ParseSize(string text)
{
    var t = text.Trim().ToUpperInvariant();
    long unit = t.EndsWith("GB", StringComparison.Ordinal) ? 1L << 30 : t.EndsWith("MB", StringComparison.Ordinal) ? 1L << 20 : t.EndsWith("KB", StringComparison.Ordinal) ? 1L << 10 : 1;
    return (long)(double.Parse(unit == 1 ? t : t[..^2], CultureInfo.InvariantCulture) * unit);
}

static async Task EnsureFileAsync(string path, long size)
{
    if (File.Exists(path) && new FileInfo(path).Length >= size) return;
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    var clock = Stopwatch.StartNew();
    await SyntheticD0010.WriteFileAsync(path, size);
    Console.WriteLine($"generated {path} in {clock.Elapsed.TotalSeconds:0.0} s");
}

static void Quick(string path)
{
    var bytes = new FileInfo(path).Length;
    var bench = new D0010Validation();
    bench.Setup();
    double Time(Func<long> action, string name)
    {
        var clock = Stopwatch.StartNew();
        var n = action();
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-12} {seconds:0.00} s  {bytes / seconds / 1048576:0.0} MiB/s  ({n} lines)");
        return seconds;
    }
    var floor = Time(bench.ReadLines, nameof(bench.ReadLines));
    var parse = Time(bench.ReadRecords, nameof(bench.ReadRecords));
    var validate = Time(bench.Validate, nameof(bench.Validate));
    Console.WriteLine($"ratio to ReadLines: ReadRecords {parse / floor:0.00}, Validate {validate / floor:0.00}");
    Console.WriteLine($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB; GC heap now {GC.GetTotalMemory(true) / 1048576.0:0.0} MiB");
}

/// <summary>The three measurements over the same generated file.</summary>
[MemoryDiagnoser]
public class D0010Validation
{
    /// <summary>Environment variable naming the file (set by Program before the run).</summary>
    public const string PathVariable = "QUALIFY_BENCH_D0010";

    private string _path = "";

    [GlobalSetup]
    public void Setup() => _path = Environment.GetEnvironmentVariable(PathVariable) ?? throw new InvalidOperationException($"{PathVariable} is not set");

    private FileStream Open() => new(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    /// <summary>The floor: read every line and do nothing else.</summary>
    [Benchmark(Baseline = true)]
    public long ReadLines()
    {
        using var reader = new StreamReader(Open(), System.Text.Encoding.Latin1, false, 1 << 16);
        long n = 0;
        while (reader.ReadLine() is not null) n++;
        return n;
    }

    /// <summary>Read and split into records (the DTN reader alone).</summary>
    [Benchmark]
    public long ReadRecords()
    {
        using var reader = new DtnReader(Open());
        long n = 0;
        while (reader.Read() is not null) n++;
        return n;
    }

    /// <summary>Full validation against the DTC definition and the MHHS rules.</summary>
    [Benchmark]
    public long Validate()
    {
        using var stream = Open();
        var result = new FlowValidator().Validate(stream);
        if (result.Errors != 0) throw new InvalidOperationException($"the generated file should be valid: {result.Findings[0]}");
        return result.Lines;
    }
}
