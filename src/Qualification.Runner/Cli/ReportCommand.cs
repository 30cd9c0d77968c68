using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Qualification.Runner.Composition;

namespace Qualification.Runner.Cli;

/// <summary>
/// <c>qualify report</c>: builds the Allure 3 HTML report of a run (multi-file, plus a single-file
/// variant that opens from disk), keeps Allure's history across runs in reports/, and runs the
/// Allure quality gate with the run's --min-pass-rate as the success-rate threshold.
/// </summary>
public static class ReportCommand
{
    /// <summary>Allure 3's history file, kept beside the run folders so trends span runs.</summary>
    public const string HistoryFile = "allure-history.jsonl";

    /// <summary>The command for Program.cs.</summary>
    public static Command Create()
    {
        var results = new Option<string?>("--results") { Description = "Run folder (reports/<run-id>) or its allure-results/ (default: the latest run under reports/)." };
        var output = new Option<string?>("--out") { Description = "Report folder (default <run>/allure-report); the single-file variant goes to <out>-single/index.html." };
        var minPassRate = new Option<double?>("--min-pass-rate") { Description = "Quality-gate success rate (default: the run's --min-pass-rate from summary.json)." };
        var command = new Command("report", "Build the Allure HTML report of a run (and a single-file copy) and run the Allure quality gate. Exit 0 built and gate passed, 1 gate failed, 2 cannot build.")
        {
            results, output, minPassRate,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try { return await ExecuteAsync(parse.GetValue(results), parse.GetValue(output), parse.GetValue(minPassRate), Console.Out, cancellation); }
            catch (InputException e)
            {
                Console.Error.WriteLine("qualify report: " + e.Message);
                return ExitCodes.Broken;
            }
        });
        return command;
    }

    /// <summary>Builds the report; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(string? results, string? outDir, double? minPassRate, TextWriter output, CancellationToken cancellation)
    {
        var (runDir, resultsDir) = Locate(results);
        var reportsRoot = Path.GetDirectoryName(runDir) ?? runDir;
        var outMulti = Path.GetFullPath(outDir ?? Path.Combine(runDir, "allure-report"));
        var outSingle = outMulti.TrimEnd(Path.DirectorySeparatorChar) + "-single";
        var threshold = minPassRate ?? ReadMinPassRate(runDir) ?? 1.0;
        if (threshold is < 0 or > 1) throw new InputException($"--min-pass-rate {threshold}: give a fraction between 0 and 1.");
        var summary = File.Exists(Path.Combine(runDir, "summary.json")) ? JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(runDir, "summary.json"), cancellation)) : null;
        var name = $"MHHS qualification: {summary?["candidate"]?.GetValue<string>() ?? "run"} ({summary?["runId"]?.GetValue<string>() ?? Path.GetFileName(runDir)})";

        var (node, cli, config) = FindAllure();
        // Node 20 lacks Iterator.prototype.toArray, which Allure's quality gate uses; the shim adds it.
        var shim = Path.Combine(Path.GetDirectoryName(config)!, "allure-node20.mjs");
        string[] prefix = File.Exists(shim) ? ["--import", new Uri(shim).AbsoluteUri, cli] : [cli];
        var history = Path.Combine(reportsRoot, HistoryFile);
        var env = new Dictionary<string, string>
        {
            ["QUALIFY_REPORT_NAME"] = name,
            ["QUALIFY_REPORT_OUTPUT"] = outMulti,
            ["QUALIFY_REPORT_HISTORY"] = history,
            ["QUALIFY_MIN_PASS_RATE"] = threshold.ToString(CultureInfo.InvariantCulture),
            ["QUALIFY_SINGLE_FILE"] = "0",
            ["QUALIFY_APPEND_HISTORY"] = "1",
        };
        // Multi-file (served over HTTP) first: it appends this run to the history file.
        await RunNodeAsync(node, [.. prefix, "generate", resultsDir, "--config", config], env, output, cancellation, mustSucceed: true);
        // Single-file copy: same history shown, not appended a second time.
        env["QUALIFY_REPORT_OUTPUT"] = outSingle;
        env["QUALIFY_SINGLE_FILE"] = "1";
        env["QUALIFY_APPEND_HISTORY"] = "0";
        await RunNodeAsync(node, [.. prefix, "generate", resultsDir, "--config", config], env, output, cancellation, mustSucceed: true);
        // `generate` does not evaluate the gate; the quality-gate command does (exit 1 when a rule fails).
        var gate = await RunNodeAsync(node, [.. prefix, "quality-gate", resultsDir, "--config", config], env, output, cancellation, mustSucceed: false);

        output.WriteLine($"Allure report:      {outMulti}/index.html  (serve it over HTTP, e.g. `npx allure open {outMulti}`)");
        output.WriteLine($"Single-file report: {outSingle}/index.html  (opens from disk)");
        output.WriteLine($"History:            {history}");
        output.WriteLine(gate == 0
            ? $"ALLURE QUALITY GATE PASSED (success rate >= {threshold:0.###})"
            : $"ALLURE QUALITY GATE FAILED (success rate < {threshold:0.###}; requirement results are counted, waived and skipped ones excluded)");
        return gate == 0 ? ExitCodes.Passed : ExitCodes.Failed;
    }

    /// <summary>The run folder and its allure-results folder from --results (or the latest run).</summary>
    public static (string RunDir, string ResultsDir) Locate(string? results)
    {
        if (results is null)
        {
            var root = Path.GetFullPath("reports");
            var latest = Directory.Exists(root)
                ? Directory.EnumerateDirectories(root).Where(d => Directory.Exists(Path.Combine(d, "allure-results"))).Order(StringComparer.Ordinal).LastOrDefault()
                : null;
            results = latest ?? throw new InputException("no run under reports/ has allure-results/; run `qualify run` first or pass --results DIR.");
        }
        var full = Path.GetFullPath(results);
        if (Directory.Exists(Path.Combine(full, "allure-results"))) return (full, Path.Combine(full, "allure-results"));
        // A killed run (SIGKILL, power loss) leaves its journal but no summary or Allure results.
        if (File.Exists(Path.Combine(full, "journal.jsonl")) && !File.Exists(Path.Combine(full, "summary.json")))
            throw new InputException($"--results {results}: the run has a journal but no summary.json or allure-results/, so it was stopped before writing its evidence (killed). "
                + $"Judge its journal first: `qualify evaluate --journal {Path.Combine(full, "journal.jsonl")} --out {full}` (marks it interrupted), then run `qualify report --results {results}` again.");
        if (Directory.Exists(full) && Directory.EnumerateFiles(full, "*-result.json").Any()) return (Path.GetDirectoryName(full)!, full);
        throw new InputException($"--results {results}: neither a run folder with allure-results/ nor an allure-results folder.");
    }

    private static double? ReadMinPassRate(string runDir)
    {
        var path = Path.Combine(runDir, "summary.json");
        if (!File.Exists(path)) return null;
        return JsonNode.Parse(File.ReadAllText(path))?["gate"]?["minPassRate"]?.GetValue<double>();
    }

    /// <summary>
    /// Node, Allure 3's CLI and allurerc.mjs: from $QUALIFY_HOME, else the first folder above the
    /// working directory or the qualify binary that has node_modules/allure (./build.sh setup runs npm ci).
    /// </summary>
    public static (string Node, string Cli, string Config) FindAllure()
    {
        var starts = new[] { Environment.GetEnvironmentVariable("QUALIFY_HOME"), Environment.CurrentDirectory, AppContext.BaseDirectory }.Where(s => !string.IsNullOrEmpty(s));
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start!); dir is not null; dir = dir.Parent)
            {
                var cli = Path.Combine(dir.FullName, "node_modules", "allure", "cli.js");
                var config = Path.Combine(dir.FullName, "allurerc.mjs");
                if (File.Exists(cli) && File.Exists(config)) return (FindNode(), cli, config);
            }
        }
        throw new InputException("Allure 3 is not installed: run `npm ci` in the repository root (./build.sh setup does it), or set QUALIFY_HOME to a folder with node_modules/allure and allurerc.mjs.");
    }

    private static string FindNode()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "node.exe" : "node");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InputException("node is not on PATH; Allure 3 needs Node.js 20 or later (Debian: apt-get install nodejs npm).");
    }

    private static async Task<int> RunNodeAsync(string node, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> env, TextWriter output, CancellationToken cancellation, bool mustSucceed)
    {
        var info = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info) ?? throw new InputException($"cannot start {node}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        var text = (await stdout + await stderr).Trim();
        if (text.Length > 0) output.WriteLine(string.Join(Environment.NewLine, text.Split('\n').Select(l => "  allure: " + l.TrimEnd())));
        if (mustSucceed && process.ExitCode != 0)
            throw new InputException($"allure {args.FirstOrDefault(a => a is "generate" or "quality-gate")} failed with exit code {process.ExitCode} (see the lines above).");
        return process.ExitCode;
    }
}
