using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Runner.Composition;
using Qualification.Runner.Execution;
using Qualification.Runner.Reporting;

namespace Qualification.Runner.Cli;

/// <summary>Options of <c>qualify evaluate</c>.</summary>
public sealed record EvaluateOptions
{
    /// <summary>Journals: harness run journals or one DIP message per line.</summary>
    public required IReadOnlyList<string> Journals { get; init; }
    /// <summary>Output folder; default reports/evaluate-&lt;time&gt;.</summary>
    public string? OutDir { get; init; }
    /// <summary>ROLE:DIPID of each candidate; empty to infer them from the senders.</summary>
    public IReadOnlyList<string> CandidateRoles { get; init; } = [];
    /// <summary>Features folder (requirements.yaml; feature files map run-journal scenarios to requirements).</summary>
    public string FeaturesDir { get; init; } = "features";
    /// <summary>Bank holidays file (GOV.UK layout).</summary>
    public string? CalendarFile { get; init; }
    /// <summary>Idle window closing an MPAN session, in market days.</summary>
    public double IdleDays { get; init; } = 10;
    /// <summary>Partitions evaluated in parallel (default: all cores).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
    /// <summary>Gate threshold, 0–1.</summary>
    public double MinPassRate { get; init; } = 1.0;
    /// <summary>Partitions per NRules session (see <see cref="OfflineSettings.PartitionsPerSession"/>).</summary>
    public int PartitionsPerSession { get; init; } = 8;
    /// <summary>Evaluate the slow way, for checking: group by MPAN on disk, then each MPAN one by one in one session.</summary>
    public bool Reference { get; init; }
    /// <summary>Run id to write (merge uses it); default evaluate-&lt;time&gt;.</summary>
    public string? RunId { get; init; }
    /// <summary>Time scale of the run that wrote the journal (merge); 0 offline.</summary>
    public double TimeScale { get; init; }
    /// <summary>Gate: requirements that must pass whatever the pass rate (as <c>qualify run --must-pass</c>).</summary>
    public IReadOnlyList<string> MustPass { get; init; } = [];
    /// <summary>Gate: waiver file (as <c>qualify run --waivers</c>).</summary>
    public string? WaiversFile { get; init; }
    /// <summary>Gate: waivers already read (merge carries the shards' own); expired ones are dropped with a warning.</summary>
    public IReadOnlyList<Waiver> Waivers { get; init; } = [];
}

/// <summary>
/// <c>qualify evaluate --journal FILE...</c>: the requirement rules over recorded traffic, with no
/// candidate running. Streams the journals, partitions them (scenario, or MPAN session), evaluates
/// partitions in parallel and writes the reports <c>qualify run</c> writes. See docs/scaling.md.
/// </summary>
public static class EvaluateCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The command for Program.cs.</summary>
    public static Command Create()
    {
        var journal = new Option<string[]>("--journal") { Description = "A journal: a qualify run's journal.jsonl, or one DIP message per line ({\"payload\":{...}} with D0). Repeatable.", Required = true, AllowMultipleArgumentsPerToken = false };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default reports/evaluate-<time>)." };
        var roles = new Option<string[]>("--candidate-role") { Description = "A candidate as ROLE:DIPID or ROLE:DIPID:MPID, e.g. SUP:2300000501:ABCD (repeatable; the MPID judges its DTN flows). Default: every sender that is not a harness party, with its S1 role." };
        var features = new Option<string>("--features") { Description = "Folder with requirements.yaml (and the feature files that ran, for run journals).", DefaultValueFactory = _ => "features" };
        var calendar = new Option<string?>("--calendar") { Description = "England & Wales bank holidays in GOV.UK bank-holidays.json layout." };
        var idle = new Option<double>("--idle-days") { Description = "Plain DIP messages: an MPAN's scope closes when market time runs this many days past its last message (longer than any SLA).", DefaultValueFactory = _ => 10 };
        var workers = new Option<int>("--workers") { Description = "Partitions evaluated in parallel.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var minPassRate = new Option<double>("--min-pass-rate") { Description = "Gate: fraction of judged requirements that must pass (0–1).", DefaultValueFactory = _ => 1.0 };
        var mustPass = new Option<string[]>("--must-pass") { Description = "Gate: a requirement that must pass whatever the rate (repeatable).", AllowMultipleArgumentsPerToken = false };
        var waivers = new Option<string?>("--waivers") { Description = "Gate: waiver file (YAML: requirement, reason, expires); waived failures show as WAIVED and never count as passed." };
        var perSession = new Option<int>("--partitions-per-session") { Description = "Partitions evaluated together in one NRules session (tuning).", DefaultValueFactory = _ => 8, Hidden = true };
        var reference = new Option<bool>("--reference") { Description = "Check mode: group by MPAN on disk, then evaluate each MPAN one by one (slow).", Hidden = true };
        var command = new Command("evaluate", "Judge recorded traffic with the requirement rules, without a candidate: run journals or DIP message journals. Exit 0 gate passed, 1 failed, 2 broken input.")
        {
            journal, outDir, roles, features, calendar, idle, workers, minPassRate, mustPass, waivers, reference, perSession,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                return await ExecuteAsync(new EvaluateOptions
                {
                    Journals = parse.GetValue(journal) ?? [], OutDir = parse.GetValue(outDir), CandidateRoles = parse.GetValue(roles) ?? [], FeaturesDir = parse.GetValue(features)!,
                    CalendarFile = parse.GetValue(calendar), IdleDays = parse.GetValue(idle), Workers = parse.GetValue(workers), MinPassRate = parse.GetValue(minPassRate),
                    Reference = parse.GetValue(reference), PartitionsPerSession = Math.Max(1, parse.GetValue(perSession)),
                    MustPass = parse.GetValue(mustPass) ?? [], WaiversFile = parse.GetValue(waivers),
                }, Console.Out, cancellation);
            }
            catch (InputException e)
            {
                await Console.Error.WriteLineAsync("qualify evaluate: " + e.Message);
                return ExitCodes.Broken;
            }
        });
        return command;
    }

    /// <summary>Evaluates and writes the reports; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(EvaluateOptions options, TextWriter output, CancellationToken cancellation)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var runId = options.RunId ?? "evaluate-" + startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var dir = Path.GetFullPath(options.OutDir ?? Path.Combine("reports", runId));
        if (options.Journals.Count == 0) throw new InputException("give at least one --journal FILE.");
        foreach (var j in options.Journals)
            if (!File.Exists(j)) throw new InputException($"--journal {j}: no such file.");
        if (options.IdleDays <= 0) throw new InputException($"--idle-days {options.IdleDays}: give a positive number of market days.");
        if (options.MinPassRate is < 0 or > 1) throw new InputException($"--min-pass-rate {options.MinPassRate}: give a fraction between 0 and 1 (e.g. 0.95).");
        var catalogPath = Path.Combine(options.FeaturesDir, "requirements.yaml");
        RequirementCatalog catalog;
        try { catalog = RequirementCatalog.Load(catalogPath); }
        catch (Exception e) when (e is FormatException or FileNotFoundException or DirectoryNotFoundException) { throw new InputException(e.Message); }
        var calendar = WorkingDayCalendar.Default;
        if (options.CalendarFile is { } cal)
        {
            try { calendar = WorkingDayCalendar.FromGovUkJson(File.ReadAllText(cal), cal); }
            catch (Exception e) when (e is FormatException or IOException) { throw new InputException($"--calendar {cal}: {e.Message}"); }
        }

        // The gate's input is checked before the (possibly long) evaluation, exactly as `qualify run` checks it.
        var gate = Gate(options, catalog, DateOnly.FromDateTime(DateTime.UtcNow));
        foreach (var warning in gate.Warnings) output.WriteLine("qualify: warning: " + warning);

        var (candidates, candidatesFrom) = Candidates(options);
        output.WriteLine($"qualify: evaluate {string.Join(", ", options.Journals)}");
        output.WriteLine($"  candidates {(candidates.Count == 0 ? "(none found)" : string.Join(", ", candidates.Select(c => $"{c.Role}:{c.DipId}")))} ({candidatesFrom})");
        output.WriteLine($"  results    {dir}");

        var evaluator = new RequirementEvaluator(catalog, calendar);
        var settings = new OfflineSettings { Candidates = candidates, IdleWindow = Duration.FromTicks((long)(options.IdleDays * NodaConstants.TicksPerDay)), Workers = options.Workers, PartitionsPerSession = options.PartitionsPerSession };
        var outcome = options.Reference
            ? ReferenceEvaluation.Run(options.Journals, evaluator, settings, Path.Combine(dir, ".reference-buckets"))
            : await new PartitionedEvaluation(evaluator, settings).RunAsync(options.Journals, cancellation);
        var elapsed = clock.Elapsed;

        // Scope: run-journal scenarios keep their feature tags when the features are at hand; otherwise a
        // requirement's scopes are the partitions (scenario or MPAN session) that produced findings.
        var cases = TryLoadCases(options.FeaturesDir);
        var scenarioResults = outcome.Scenarios
            .Where(p => cases.ContainsKey(p.Scope))
            .Select(p => new ScenarioResult(cases[p.Scope], ParseOutcome(p.Outcome), [], p.StartedAt ?? startedAt, p.EndedAt ?? p.StartedAt ?? startedAt,
                p.Outcome is null ? "no scenario-ended marker: the run was interrupted" : null, p.MarkerStart ?? p.First, p.MarkerEnd ?? p.Last))
            .ToList();
        IReadOnlyDictionary<string, IReadOnlyList<string>> scopes = scenarioResults.Count > 0
            ? scenarioResults.Where(r => r.Outcome != Outcome.Skipped).SelectMany(r => r.Case.Requirements.Select(req => (req, r.Case.Id)))
                .GroupBy(x => x.req).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(x => x.Id).Distinct().ToList())
            : outcome.Tally.Scopes();
        var roles = candidates.Select(c => c.Role).ToHashSet();
        var requirements = evaluator.Assess(outcome.Tally.Sample(), scopes, roles)
            .Select(r => Counted(r, outcome.Tally.Counts(r.Requirement.Id))).ToList();

        var interrupted = outcome.UnfinishedScenarios.Count > 0 || (outcome.Records > 0 && outcome.Scenarios.Count == outcome.UnfinishedScenarios.Count) || cancellation.IsCancellationRequested;
        var report = new RunReport
        {
            RunId = runId, Candidate = candidates.Count == 1 ? candidates[0].Name : $"offline evaluation of {candidates.Count} candidate(s)",
            Candidates = candidates.Select(c => (c.Name, c.Role, c.DipId)).ToList(), StartedAt = startedAt,
            CandidateMpids = candidates.Where(c => c.Mpid is not null).GroupBy(c => c.DipId).ToDictionary(g => g.Key, g => g.First().Mpid!), FinishedAt = DateTimeOffset.UtcNow, TimeScale = options.TimeScale,
            Interrupted = interrupted, Scenarios = scenarioResults, Requirements = requirements, MinPassRate = options.MinPassRate,
            MustPass = gate.MustPass, Waivers = gate.Waivers, GateWarnings = gate.Warnings,
        };
        report.WriteAll(dir, outcome.KeptRecords);
        var summary = report.Summary();
        summary["offline"] = Offline(options, outcome, candidatesFrom, catalog, elapsed, interrupted);
        await File.WriteAllTextAsync(Path.Combine(dir, "summary.json"), summary.ToJsonString(Indented), cancellation);

        output.WriteLine($"  read       {outcome.Lines} line(s): {outcome.Records} journal record(s), {outcome.Messages} DIP message(s), {outcome.Problems} skipped");
        foreach (var (file, line, problem) in outcome.ProblemList.Take(10)) output.WriteLine($"  skipped    {file}:{line}: {problem}");
        output.WriteLine($"  evaluated  {outcome.Partitions} partition(s) in {elapsed.TotalSeconds:0.0} s ({(outcome.Lines / Math.Max(elapsed.TotalSeconds, 1e-3)):0} lines/s), peak {outcome.PeakOpenPartitions} open; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MiB");
        output.WriteLine($"  cpu        parse {outcome.ParseTicks / (double)Stopwatch.Frequency:0.0} s, rules {outcome.EvaluateTicks / (double)Stopwatch.Frequency:0.0} s (summed over threads); {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC heap now {GC.GetTotalMemory(false) / 1048576} MiB, collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen 0/1/2), paused {GC.GetTotalPauseDuration().TotalSeconds:0.0} s, allocated {GC.GetTotalAllocatedBytes() / 1048576} MiB");
        if (interrupted) output.WriteLine("  interrupted: " + (outcome.UnfinishedScenarios.Count > 0 ? "scenarios without an end marker: " + string.Join(", ", outcome.UnfinishedScenarios.Take(5)) : "no scenario-ended marker"));
        RunConsole.PrintSummary(report, dir, output);
        // As `qualify run` (and so a merge of shards as the unsharded run): a scenario that ended broken
        // (harness fault) or with undefined steps makes the exit code 2, whatever the verdicts.
        var broken = outcome.Scenarios.Where(p => Enum.TryParse<Outcome>(p.Outcome, true, out var o) && o is Outcome.Broken or Outcome.Undefined).Select(p => p.Scope).ToList();
        if (broken.Count > 0)
        {
            output.WriteLine($"Broken input: {broken.Count} scenario(s) ended broken or with undefined steps in the journal: {string.Join(", ", broken.Take(5))}");
            return ExitCodes.Broken;
        }
        return report.GateFailures.Count == 0 ? ExitCodes.Passed : ExitCodes.Failed;
    }

    /// <summary>
    /// The gate's input: --must-pass and --waivers read as <c>qualify run</c> reads them, plus waivers
    /// already read (a merge's shards), which get the same checks: expiry, catalogue id, must-pass.
    /// </summary>
    private static GateInput Gate(EvaluateOptions options, RequirementCatalog catalog, DateOnly today)
    {
        string? Id(string id) => catalog.Find(id)?.Id ?? catalog.All.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase))?.Id;
        var fromFile = GateInput.Load(options.MustPass, options.WaiversFile, Id, today);
        if (options.Waivers.Count == 0) return fromFile;
        var waivers = fromFile.Waivers.ToList();
        var warnings = fromFile.Warnings.ToList();
        foreach (var w in options.Waivers)
        {
            if (!w.ActiveOn(today)) { warnings.Add($"waiver for {w.RequirementId} expired on {w.Expires:yyyy-MM-dd}; ignored (\"{w.Reason}\")"); continue; }
            if (Id(w.RequirementId) is not { } id) { warnings.Add($"waiver for {w.RequirementId}: no such requirement in the catalogue; ignored"); continue; }
            if (fromFile.MustPass.Contains(id, StringComparer.OrdinalIgnoreCase)) warnings.Add($"waiver for {id} does not apply: it is a must-pass requirement");
            if (!waivers.Any(x => string.Equals(x.RequirementId, id, StringComparison.OrdinalIgnoreCase))) waivers.Add(w with { RequirementId = id });
        }
        return new GateInput(fromFile.MustPass, waivers, warnings);
    }

    private static (IReadOnlyList<Candidate> Candidates, string From) Candidates(EvaluateOptions options)
    {
        if (options.CandidateRoles.Count > 0)
        {
            var list = new List<Candidate>();
            foreach (var text in options.CandidateRoles)
            {
                var parts = text.Split(':', 3);
                if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length != 10 || parts.Length == 3 && parts[2].Length != 4)
                    throw new InputException($"--candidate-role {text}: give ROLE:DIPID or ROLE:DIPID:MPID, e.g. SUP:2300000501 or SUP:2300000501:ABCD (a 10-character DIP id, a 4-character MPID).");
                // The reference participants' MPIDs are known; another candidate's DTN flows are judged only when its MPID is given.
                var mpid = parts.Length == 3 ? parts[2].ToUpperInvariant() : OfflineJournal.ReferenceMpids.GetValueOrDefault(parts[1]);
                list.Add(new Candidate(parts[1], parts[0].ToUpperInvariant(), $"{parts[0].ToUpperInvariant()} {parts[1]}") { Mpid = mpid });
            }
            return (list, "--candidate-role");
        }
        var senders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var j in options.Journals) OfflineJournal.ScanSenders(j, senders);
        return (OfflineJournal.InferCandidates(senders), "inferred: senders that are not harness parties");
    }

    // Assess saw a bounded sample of findings: the verdict is the same (every verdict present is in
    // the sample), but "N observation(s) passed" must count them all.
    private static RequirementResult Counted(RequirementResult r, IReadOnlyDictionary<Verdict, long> counts) =>
        r.Verdict is Verdict.Passed or Verdict.Warning ? r with { Reason = $"{counts.GetValueOrDefault(Verdict.Passed)} observation(s) passed" }
        : r.Verdict is Verdict.Skipped && r.Scenarios.Count == 0 && r.Findings.Count == 0 && !r.Requirement.Planned && r.Reason.StartsWith("no executed scenario", StringComparison.Ordinal)
            ? r with { Reason = "nothing in the journal triggers it (no scenario tagged with it, no finding)" } : r;

    private static Outcome ParseOutcome(string? text) => Enum.TryParse<Outcome>(text, true, out var o) ? o : Outcome.Broken;

    private static Dictionary<string, ScenarioCase> TryLoadCases(string features)
    {
        try { return FeatureSuite.Load(features).GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal); }
        catch (InputException) { return new Dictionary<string, ScenarioCase>(StringComparer.Ordinal); }
    }

    private static JsonObject Offline(EvaluateOptions options, OfflineOutcome o, string candidatesFrom, RequirementCatalog catalog, TimeSpan elapsed, bool interrupted) => new()
    {
        ["mode"] = options.Reference ? "evaluate --reference (each MPAN one by one)" : "evaluate",
        ["scope"] = "No candidate ran: each harness scenario of a run journal is a scope, and each MPAN session of DIP messages "
            + $"(an MPAN's messages until market time runs {options.IdleDays} days past its last one) is a scope named mpan:MPAN@first-market-time. "
            + "A requirement's 'scenarios' are the scopes tagged with it (run journals with their feature files) or else the scopes that produced findings (first 200).",
        ["journals"] = new JsonArray(options.Journals.Select(j => (JsonNode)Path.GetFullPath(j)).ToArray()),
        ["candidatesFrom"] = candidatesFrom,
        ["lines"] = o.Lines,
        ["records"] = o.Records,
        ["messages"] = o.Messages,
        ["partitions"] = o.Partitions,
        ["peakOpenPartitions"] = o.PeakOpenPartitions,
        ["lateMessages"] = o.LateMessages,
        ["skippedLines"] = o.Problems,
        ["problems"] = new JsonArray(o.ProblemList.Select(p => (JsonNode)new JsonObject { ["file"] = p.File, ["line"] = p.Line, ["problem"] = p.Problem }).ToArray()),
        ["interrupted"] = interrupted,
        ["unfinishedScenarios"] = new JsonArray(o.UnfinishedScenarios.Select(s => (JsonNode)s).ToArray()),
        ["evidencePerVerdict"] = 20,
        ["findingCounts"] = new JsonObject(catalog.All.Select(r => new KeyValuePair<string, JsonNode?>(r.Id,
            new JsonObject(o.Tally.Counts(r.Id).OrderBy(kv => kv.Key).Select(kv => new KeyValuePair<string, JsonNode?>(RunReport.VerdictText(kv.Key), kv.Value)))))),
        ["scopeCounts"] = new JsonObject(catalog.All.Select(r => new KeyValuePair<string, JsonNode?>(r.Id, o.Tally.ScopeCount(r.Id)))),
        ["elapsedSeconds"] = Math.Round(elapsed.TotalSeconds, 3),
        ["linesPerSecond"] = Math.Round(o.Lines / Math.Max(elapsed.TotalSeconds, 1e-3)),
        ["recordsKeptForAllure"] = o.KeptRecords.Count,
        ["recordsTruncated"] = o.RecordsTruncated,
    };
}
