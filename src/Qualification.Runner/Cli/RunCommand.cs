using System.Globalization;
using NodaTime;
using Qualification.Domain.Market;
using Qualification.ReferenceParticipants;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;
using Qualification.Runner.Composition;
using Qualification.Runner.Execution;
using Qualification.Runner.Reporting;
using Qualification.Runner.Steps;

namespace Qualification.Runner.Cli;

/// <summary>Options of <c>qualify run</c>.</summary>
public sealed record RunOptions
{
    /// <summary>Candidate profile; null runs the reference participants.</summary>
    public string? CandidateFile { get; init; }
    /// <summary>Features folder (with requirements.yaml).</summary>
    public string FeaturesDir { get; init; } = "features";
    /// <summary>Cucumber tag expression.</summary>
    public string? Tags { get; init; }
    /// <summary>Output folder; default reports/&lt;run-id&gt;.</summary>
    public string? ResultsDir { get; init; }
    /// <summary>Market seconds per real second.</summary>
    public double TimeScale { get; init; } = 600;
    /// <summary>Gate threshold, 0–1.</summary>
    public double MinPassRate { get; init; } = 1.0;
    /// <summary>Bank holidays file (GOV.UK layout).</summary>
    public string? CalendarFile { get; init; }
    /// <summary>Faults for the reference supplier.</summary>
    public IReadOnlyList<string> SupplierFaults { get; init; } = [];
    /// <summary>Faults for the reference metering service.</summary>
    public IReadOnlyList<string> MeteringServiceFaults { get; init; } = [];
    /// <summary>Requirements that must pass whatever the pass rate (--must-pass).</summary>
    public IReadOnlyList<string> MustPass { get; init; } = [];
    /// <summary>Waiver file (YAML: requirement, reason, expires); expired waivers are ignored with a warning.</summary>
    public string? WaiversFile { get; init; }
    /// <summary>Run only this shard's share of the scenarios (--shard i/n); null runs them all.</summary>
    public Execution.Shard? Shard { get; init; }
    /// <summary>Start the candidate from this container image (--candidate-image; overrides the profile's image).</summary>
    public string? CandidateImage { get; init; }
}

/// <summary>Exit codes of qualify.</summary>
public static class ExitCodes
{
    /// <summary>The gate passed.</summary>
    public const int Passed = 0;
    /// <summary>A candidate requirement failed or the pass rate is too low.</summary>
    public const int Failed = 1;
    /// <summary>The harness or its input is broken.</summary>
    public const int Broken = 2;
}

/// <summary><c>qualify run</c>: one qualification run, start to evidence.</summary>
public static class RunCommand
{
    /// <summary>Runs and returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(RunOptions options, TextWriter output, CancellationToken cancellation)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var runId = startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        var resultsDir = Path.GetFullPath(options.ResultsDir ?? Path.Combine("reports", runId));

        // Everything the user gave us is checked before anything starts.
        CandidateProfile? profile = options.CandidateFile is null ? null : CandidateProfile.Load(options.CandidateFile);
        if (options.CandidateImage is not null && profile is null)
            throw new InputException($"--candidate-image {options.CandidateImage} needs --candidate: the profile says who the candidate is and where it listens.");
        if (options.TimeScale <= 0) throw new InputException($"--time-scale {options.TimeScale}: give a positive number of market seconds per real second (e.g. 600).");
        if (options.MinPassRate is < 0 or > 1) throw new InputException($"--min-pass-rate {options.MinPassRate}: give a fraction between 0 and 1 (e.g. 0.95).");
        var calendar = options.CalendarFile is null ? WorkingDayCalendar.Default : LoadCalendar(options.CalendarFile);
        var catalog = LoadCatalog(Path.Combine(options.FeaturesDir, "requirements.yaml"));
        var all = FeatureSuite.Load(options.FeaturesDir);
        TagExpression? filter = null;
        if (options.Tags is not null)
        {
            try { filter = TagExpression.Parse(options.Tags); }
            catch (FormatException e) { throw new InputException("--tags: " + e.Message); }
        }
        var scenarios = all.Where(s => (filter is null || filter.Matches(s.AllTags)) && (options.Shard is null || options.Shard.Selects(s.Id))).ToList();
        var unknown = scenarios.SelectMany(s => s.Requirements.Where(r => catalog.Find(r) is null).Select(r => $"{s.Id}: @req:{r} is not in {catalog.Source}")).ToList();
        if (unknown.Count > 0) throw new InputException("Scenarios name unknown requirements:" + Environment.NewLine + string.Join(Environment.NewLine, unknown.Select(u => "  " + u)));
        ParticipantFaults faults, serviceFaults;
        try { faults = ParticipantFaults.Parse(options.SupplierFaults); serviceFaults = ParticipantFaults.Parse(options.MeteringServiceFaults); }
        catch (FormatException e) { throw new InputException("--reference-fault: " + e.Message); }

        var gateInput = GateInput.Load(options.MustPass, options.WaiversFile, id => catalog.Find(id)?.Id ?? catalog.All.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase))?.Id,
            DateOnly.FromDateTime(DateTime.UtcNow));
        foreach (var warning in gateInput.Warnings) output.WriteLine("qualify: warning: " + warning);

        Directory.CreateDirectory(resultsDir);
        // Reqnroll's formatters write the Cucumber messages and HTML report into the run folder.
        CucumberFormatters.Configure(resultsDir);
        var journalPath = Path.Combine(resultsDir, "journal.jsonl");
        output.WriteLine($"qualify: run {runId}");
        output.WriteLine($"  candidate  {profile?.Name ?? "built-in reference participants"}");
        output.WriteLine($"  features   {Path.GetFullPath(options.FeaturesDir)} ({scenarios.Count} of {all.Count} scenarios{(filter is null ? "" : " matching " + filter.Text)})");
        output.WriteLine($"  results    {resultsDir}");
        output.WriteLine($"  time scale 1 s = {options.TimeScale:0.##} market s");

        await using var harness = await Harness.StartAsync(new HarnessOptions
        {
            Candidate = profile, TimeScale = options.TimeScale, JournalPath = journalPath, Calendar = calendar, SupplierFaults = faults, MeteringServiceFaults = serviceFaults,
            CandidateImage = options.CandidateImage,
        });
        output.WriteLine($"  DIP        {harness.Dip.Url}    CSS {harness.Css.Url}    DTN {harness.Dtn.Url} (inbox {Path.Combine(resultsDir, "dtn", "inbox")})");
        ScenarioWorld.Current = harness;
        ScenarioWorld.Cancellation = cancellation;
        var progress = 0;
        // A live display on a terminal, the plain lines in CI logs.
        var results = await RunConsole.WithProgressAsync(output, scenarios.Count,
            r => $"  [{++progress}/{scenarios.Count}] {Symbol(r.Outcome)} {r.Case.Name}  ({r.Case.Id}){(r.Error is null ? "" : Environment.NewLine + "        " + r.Error)}",
            (started, finished) => new ScenarioExecutor(harness, onScenarioFinished: finished, onScenarioStarting: started).RunAsync(scenarios, cancellation));
        ScenarioWorld.Current = null;
        // A containerised candidate stops here, so its logs are in the run folder with the reports.
        await harness.StopCandidateContainerAsync();

        var undefined = results.SelectMany(r => r.Steps.Where(s => s.Outcome == Outcome.Undefined).Select(s => (r.Case, s.Step))).ToList();

        // Judge: stubs recorded, rules decide.
        var facts = Observation.Facts(harness.Journal.Records);
        var windows = results.Select(r => new ObservationWindow(r.Case.Id, r.MarketStart, r.MarketEnd)).ToList();
        var candidates = harness.Candidates.Select(c => new Candidate(c.DipId, c.Role, c.Name) { Mpid = c.Mpid }).ToList();
        var evaluator = new RequirementEvaluator(catalog, calendar);
        var findings = evaluator.Evaluate(facts, candidates, windows, Observation.Actions(harness.Journal.Records), Observation.Flows(harness.Journal.Records),
            Observation.SupplierFacts(harness.Journal.Records));
        var scenariosByRequirement = results.Where(r => r.Outcome != Outcome.Skipped)
            .SelectMany(r => r.Case.Requirements.Select(req => (req, r.Case.Id)))
            .GroupBy(x => x.req).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(x => x.Id).Distinct().ToList());
        var requirements = evaluator.Assess(findings, scenariosByRequirement, candidates.Select(c => c.Role).ToHashSet());

        var report = new RunReport
        {
            RunId = runId, Candidate = harness.CandidateName, Candidates = harness.Candidates.Select(c => (c.Name, c.Role, c.DipId)).ToList(),
            CandidateMpids = candidates.Where(c => c.Mpid is not null).GroupBy(c => c.DipId).ToDictionary(g => g.Key, g => g.First().Mpid!),
            StartedAt = startedAt, FinishedAt = DateTimeOffset.UtcNow, TimeScale = options.TimeScale, Interrupted = cancellation.IsCancellationRequested,
            Scenarios = results, Requirements = requirements, MinPassRate = options.MinPassRate,
            MustPass = gateInput.MustPass, Waivers = gateInput.Waivers, GateWarnings = gateInput.Warnings,
        };
        report.WriteAll(resultsDir, harness.Journal.Records);
        PrintSummary(report, resultsDir, output);

        if (undefined.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Broken input: steps with no definition (run `qualify steps` for the vocabulary):");
            foreach (var (c, s) in undefined) output.WriteLine($"  {Path.Combine(options.FeaturesDir, c.FeatureFile)}:{s.Line}: {s.Keyword.Trim()} {s.Text}");
            return ExitCodes.Broken;
        }
        if (results.Any(r => r.Outcome == Outcome.Broken)) return ExitCodes.Broken;
        return report.GateFailures.Count == 0 ? ExitCodes.Passed : ExitCodes.Failed;
    }

    private static string Symbol(Outcome o) => o switch
    {
        Outcome.Passed => "PASSED ",
        Outcome.Failed => "FAILED ",
        Outcome.Broken => "BROKEN ",
        Outcome.Skipped => "SKIPPED",
        _ => "UNDEFINED",
    };

    // The summary (counts, failing requirements, waivers, where the reports are, the gate) lives with the reporting code.
    private static void PrintSummary(RunReport report, string dir, TextWriter output) => RunConsole.PrintSummary(report, dir, output);

    private static RequirementCatalog LoadCatalog(string path)
    {
        try { return RequirementCatalog.Load(path); }
        catch (Exception e) when (e is FormatException or FileNotFoundException) { throw new InputException(e.Message); }
    }

    private static WorkingDayCalendar LoadCalendar(string path)
    {
        try { return WorkingDayCalendar.FromGovUkJson(File.ReadAllText(path), path); }
        catch (FormatException e) { throw new InputException(e.Message); }
        catch (IOException e) { throw new InputException($"--calendar {path}: {e.Message}"); }
    }
}
