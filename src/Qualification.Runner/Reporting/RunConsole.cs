using Qualification.Rules;
using Qualification.Runner.Composition;
using Qualification.Runner.Execution;
using Spectre.Console;

namespace Qualification.Runner.Reporting;

/// <summary>The gate's extra inputs: requirements that must pass whatever the rate, and waivers.</summary>
/// <param name="MustPass">Requirement ids (--must-pass), as the catalogue spells them.</param>
/// <param name="Waivers">Waivers in force today.</param>
/// <param name="Warnings">Expired waivers, waivers that cannot apply.</param>
public sealed record GateInput(IReadOnlyList<string> MustPass, IReadOnlyList<Waiver> Waivers, IReadOnlyList<string> Warnings)
{
    /// <summary>Checks --must-pass ids against the catalogue and reads the waiver file; bad input throws <see cref="InputException"/>.</summary>
    public static GateInput Load(IReadOnlyList<string> mustPass, string? waiverFile, Func<string, string?> catalogId, DateOnly today)
    {
        var ids = new List<string>();
        foreach (var m in mustPass.SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            ids.Add(catalogId(m) ?? throw new InputException($"--must-pass {m}: no such requirement in the catalogue (requirements.yaml)."));
        if (waiverFile is null) return new GateInput(ids, [], []);
        var (active, warnings) = WaiverFile.Load(waiverFile, today);
        var list = new List<string>(warnings);
        var kept = new List<Waiver>();
        foreach (var w in active)
        {
            var id = catalogId(w.RequirementId);
            if (id is null) { list.Add($"waiver for {w.RequirementId}: no such requirement in the catalogue; ignored"); continue; }
            if (ids.Contains(id, StringComparer.OrdinalIgnoreCase)) list.Add($"waiver for {id} does not apply: it is a must-pass requirement");
            kept.Add(w with { RequirementId = id });
        }
        return new GateInput(ids, kept, list);
    }
}

/// <summary>
/// What `qualify run` shows while running and at the end: a live display on a terminal
/// (Spectre.Console), the existing plain lines elsewhere (CI logs), and the closing summary.
/// </summary>
public static class RunConsole
{
    /// <summary>
    /// True when the live display can be used: the run writes to the process's console (not a
    /// caller's StringWriter), the console is a terminal, and CI is not set. Console.Out itself is
    /// not compared: it is replaced when the output encoding changes.
    /// </summary>
    public static bool Interactive(TextWriter output) =>
        output is not StringWriter && !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="run"/> with progress: it receives the started/finished callbacks to
    /// give the executor. Each finished scenario is also printed as <paramref name="line"/> says.
    /// </summary>
    public static async Task<T> WithProgressAsync<T>(TextWriter output, int total, Func<ScenarioResult, string> line,
        Func<Action<ScenarioCase>, Action<ScenarioResult>, Task<T>> run)
    {
        if (!Interactive(output))
            return await run(_ => { }, r => output.WriteLine(line(r)));
        T result = default!;
        await AnsiConsole.Progress().AutoClear(true).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: Math.Max(total, 1));
                int passed = 0, failed = 0, other = 0;
                result = await run(
                    s => task.Description = Markup.Escape($"{passed} passed, {failed} failed, {other} other · {Shorten(s.Name, 60)}"),
                    r =>
                    {
                        if (r.Outcome == Outcome.Passed) passed++; else if (r.Outcome == Outcome.Failed) failed++; else other++;
                        var colour = r.Outcome switch { Outcome.Passed => "green", Outcome.Failed => "red", Outcome.Skipped => "grey", _ => "yellow" };
                        AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape(line(r))}[/]");
                        task.Increment(1);
                        task.Description = Markup.Escape($"{passed} passed, {failed} failed, {other} other");
                    });
            });
        return result;
    }

    private static string Shorten(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    /// <summary>
    /// The closing summary: every requirement's shown verdict with its one-line reason, counts,
    /// waivers and warnings, where the evidence and reports are, then the gate and its reasons.
    /// </summary>
    public static void PrintSummary(RunReport report, string dir, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Requirements ({report.InScope.Count} judged, {report.Requirements.Count - report.InScope.Count} skipped, pass rate {report.PassRate:P0}" +
            $"{(report.InScope.Count != report.Counted.Count ? $" over {report.Counted.Count}; {report.InScope.Count - report.Counted.Count} waived not counted" : "")}):");
        foreach (var r in report.Requirements)
        {
            var tags = (report.MustPass.Contains(r.Requirement.Id, StringComparer.OrdinalIgnoreCase) ? " [must-pass]" : "") + (r.Requirement.Mandatory ? "" : " [optional]");
            output.WriteLine($"  {report.Shown(r),-13} {r.Requirement.Id,-24} {r.Reason}{tags}");
        }
        var byVerdict = report.Requirements.GroupBy(report.Shown).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        output.WriteLine($"Counts: {string.Join(", ", byVerdict)}");
        var counts = report.ScenarioCounts.Where(kv => kv.Value > 0).Select(kv => $"{kv.Value} {kv.Key}");
        output.WriteLine($"Scenarios: {string.Join(", ", counts)} of {report.Scenarios.Count}");
        var failing = report.Requirements.Where(r => r.Verdict is Verdict.Failed or Verdict.NotObserved or Verdict.Review && report.WaiverFor(r) is null).ToList();
        if (failing.Count > 0)
        {
            output.WriteLine("Failing requirements:");
            foreach (var r in failing) output.WriteLine($"  - {r.Requirement.Id} {RunReport.VerdictText(r.Verdict)}: {OneLine(r.Reason)}");
        }
        var waived = report.Requirements.Where(r => report.WaiverFor(r) is not null).ToList();
        if (waived.Count > 0)
        {
            output.WriteLine("Waived (not counted as passed):");
            foreach (var r in waived) output.WriteLine($"  - {r.Requirement.Id} judged {RunReport.VerdictText(r.Verdict)}; waived until {report.WaiverFor(r)!.Expires:yyyy-MM-dd}: {report.WaiverFor(r)!.Reason}");
        }
        foreach (var w in report.GateWarnings) output.WriteLine($"Warning: {w}");
        output.WriteLine($"Evidence: {dir}  (summary.json, rttm.html, journal.jsonl, junit.xml, {CucumberFormatters.HtmlFile}, allure-results/)");
        output.WriteLine($"Report:   qualify report --results {dir}   then   qualify evidence --run {dir}");
        var failures = report.GateFailures;
        output.WriteLine(failures.Count == 0
            ? $"GATE PASSED (min pass rate {report.MinPassRate:P0}{(report.MustPass.Count > 0 ? $", must pass: {string.Join(", ", report.MustPass)}" : "")})"
            : "GATE FAILED:" + Environment.NewLine + string.Join(Environment.NewLine, failures.Select(f => "  - " + OneLine(f))));
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
