using System.Text.RegularExpressions;
using Qualification.Rules;
using Qualification.Rules.Catalogue;
using Qualification.Runner.Composition;
using Qualification.Runner.Execution;
using Qualification.Stubs.Dip;

namespace Qualification.Runner.Cli;

/// <summary>
/// <c>qualify lint</c>: checks feature files and the requirement catalogue without running
/// anything, reporting each problem as file:line: message. Exit 0 clean, 2 on errors.
/// </summary>
public static partial class LintCommand
{
    [GeneratedRegex(@"^D\d{4}$")] private static partial Regex DtnFlow();

    /// <summary>Lints <paramref name="featuresDir"/>; returns the problems found.</summary>
    public static IReadOnlyList<string> Lint(string featuresDir)
    {
        var problems = new List<string>();
        var catalogPath = Path.Combine(featuresDir, "requirements.yaml");
        RequirementCatalog? catalog = null;
        try { catalog = RequirementCatalog.Load(catalogPath); }
        catch (Exception e) when (e is FormatException or FileNotFoundException) { problems.Add(e.Message); }

        IReadOnlyList<ScenarioCase> scenarios = [];
        try { scenarios = FeatureSuite.Load(featuresDir); }
        catch (InputException e) { problems.Add(e.Message); }

        foreach (var s in scenarios)
        {
            var where = Path.Combine(featuresDir, s.FeatureFile);
            if (s.Requirements.Count == 0) problems.Add($"{where}:{s.Line}: scenario \"{s.Name}\" has no @req:<ID> tag; tag it with the requirements it proves");
            if (catalog is not null)
                foreach (var id in s.Requirements.Where(id => catalog.Find(id) is null))
                    problems.Add($"{where}:{s.Line}: @req:{id} is not in {catalogPath}");
            foreach (var step in s.Steps)
            {
                var matches = StepCatalog.Matching(step);
                if (matches.Count == 0)
                {
                    var closest = StepCatalog.Closest(step.Kind, step.Text);
                    problems.Add($"{where}:{step.Line}: no step definition matches \"{step.Keyword.Trim()} {step.Text}\"{(closest is null ? "" : $"; closest known: \"{closest}\"")} (see `qualify steps`)");
                }
                else if (matches.Count > 1)
                    problems.Add($"{where}:{step.Line}: \"{step.Text}\" matches {matches.Count} step definitions ({string.Join(", ", matches.Select(m => m.Method))})");
            }
        }

        if (catalog is not null)
        {
            var ruled = RequirementEvaluator.Rules.Values.ToHashSet();
            var tagged = scenarios.SelectMany(s => s.Requirements).ToHashSet();
            var interfaces = DipSchemaCatalog.Embedded.Interfaces;
            foreach (var r in catalog.All)
            {
                foreach (var i in r.Interfaces.Where(i => !interfaces.Contains(i) && !DtnFlow().IsMatch(i)))
                    problems.Add($"{catalogPath}: {r.Id}: interface '{i}' is neither a DIP interface of API description {DipSchemaCatalog.Embedded.Version} nor a DTN flow (Dnnnn)");
                if (r.Planned) continue;
                if (!ruled.Contains(r.Id)) problems.Add($"{catalogPath}: {r.Id} has no rule judging it; add a rule class with [Requirement(\"{r.Id}\")] or mark it planned: true");
                if (!tagged.Contains(r.Id)) problems.Add($"{catalogPath}: {r.Id} has no scenario; tag a scenario with @req:{r.Id} or mark it planned: true");
            }
            foreach (var (rule, id) in RequirementEvaluator.Rules.Where(kv => catalog.Find(kv.Value) is null))
                problems.Add($"rule {rule.Name} judges {id}, which is not in {catalogPath}");
        }
        return problems;
    }

    /// <summary>Prints the problems and returns the exit code.</summary>
    public static int Execute(string featuresDir, TextWriter output)
    {
        var problems = Lint(featuresDir);
        foreach (var p in problems) output.WriteLine(p);
        output.WriteLine(problems.Count == 0 ? $"qualify lint: {featuresDir} is clean" : $"qualify lint: {problems.Count} problem(s)");
        return problems.Count == 0 ? ExitCodes.Passed : ExitCodes.Broken;
    }
}
