using System.Collections.Specialized;
using Gherkin;
using Gherkin.Ast;
using Qualification.Runner.Composition;

namespace Qualification.Runner.Execution;

/// <summary>A step ready to run: keyword kind resolved, outline parameters substituted.</summary>
/// <param name="Keyword">As written ("Given ", "And ").</param>
/// <param name="Kind">Given, When or Then (And/But take the previous kind).</param>
/// <param name="Text">Step text.</param>
/// <param name="DocString">Doc string argument.</param>
/// <param name="Table">Table argument, header first.</param>
/// <param name="Line">Line in the feature file.</param>
public sealed record StepCase(string Keyword, string Kind, string Text, string? DocString, IReadOnlyList<IReadOnlyList<string>>? Table, int Line);

/// <summary>One executable scenario (an outline contributes one per example row).</summary>
public sealed record ScenarioCase
{
    /// <summary>Stable id: feature path and line (and example row).</summary>
    public required string Id { get; init; }
    /// <summary>Feature file, relative to the features folder.</summary>
    public required string FeatureFile { get; init; }
    /// <summary>Feature title.</summary>
    public required string FeatureName { get; init; }
    /// <summary>Feature description.</summary>
    public string FeatureDescription { get; init; } = "";
    /// <summary>Feature tags without '@'.</summary>
    public IReadOnlyList<string> FeatureTags { get; init; } = [];
    /// <summary>Scenario title (outline parameters substituted).</summary>
    public required string Name { get; init; }
    /// <summary>Scenario description.</summary>
    public string Description { get; init; } = "";
    /// <summary>Line of the scenario.</summary>
    public int Line { get; init; }
    /// <summary>Scenario, rule and example tags without '@' (not the feature's).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Rule block title, if any.</summary>
    public string? Rule { get; init; }
    /// <summary>Background then scenario steps.</summary>
    public required IReadOnlyList<StepCase> Steps { get; init; }
    /// <summary>Outline example values.</summary>
    public OrderedDictionary Arguments { get; init; } = new();
    /// <summary>Index of the pickle in document order.</summary>
    public int PickleIndex { get; init; }
    /// <summary>The feature file's Cucumber messages, for Reqnroll's formatters (Cucumber report).</summary>
    public Reqnroll.Formatters.RuntimeSupport.IFeatureLevelCucumberMessages? FeatureMessages { get; init; }

    /// <summary>All tags: feature's and scenario's.</summary>
    public IEnumerable<string> AllTags => FeatureTags.Concat(Tags);

    /// <summary>Requirement ids from <c>@req:ID</c> tags.</summary>
    public IReadOnlyList<string> Requirements => AllTags.Where(t => t.StartsWith("req:", StringComparison.OrdinalIgnoreCase)).Select(t => t[4..]).Distinct().ToList();

    /// <summary>Process from <c>@process:ID</c>.</summary>
    public string? Process => AllTags.FirstOrDefault(t => t.StartsWith("process:", StringComparison.OrdinalIgnoreCase))?[8..];
}

/// <summary>Reads .feature files at run time (no code generation) into executable scenarios.</summary>
public static class FeatureSuite
{
    /// <summary>Every scenario under <paramref name="folder"/>, in file and document order.</summary>
    public static IReadOnlyList<ScenarioCase> Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new InputException($"Features folder {folder} does not exist. Pass --features DIR.");
        var files = Directory.EnumerateFiles(folder, "*.feature", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InputException($"No .feature files under {folder}.");
        var errors = new List<string>();
        var cases = new List<ScenarioCase>();
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            GherkinDocument doc;
            try { doc = new Parser().Parse(file); }
            catch (CompositeParserException e)
            {
                errors.AddRange(e.Errors.Select(x => $"{relative}:{x.Location?.Line}:{x.Location?.Column}: {Clean(x.Message)}"));
                continue;
            }
            catch (ParserException e)
            {
                errors.Add($"{relative}:{e.Location?.Line}: {Clean(e.Message)}");
                continue;
            }
            catch (IOException e) { errors.Add($"{relative}: cannot read ({e.Message})"); continue; }
            if (doc.Feature is null) continue;
            var messages = new Reporting.RuntimeFeatureMessages(relative, File.ReadAllText(file), doc);
            cases.AddRange(Expand(doc.Feature, relative).Select(c => c with { FeatureMessages = messages }));
        }
        if (errors.Count > 0)
            throw new InputException("Feature files have Gherkin syntax errors:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)) +
                Environment.NewLine + "Fix them (see features/README.md for the step and tag vocabulary) and run again.");
        return cases;
    }

    // Gherkin's messages start with "(line:col): "; the location is printed separately.
    private static string Clean(string message) => System.Text.RegularExpressions.Regex.Replace(message, @"^\(\d+:\d+\): ", "");

    private static IEnumerable<ScenarioCase> Expand(Feature feature, string file)
    {
        var featureTags = feature.Tags.Select(t => t.Name.TrimStart('@')).ToList();
        var background = feature.Children.OfType<Background>().FirstOrDefault();
        var pickle = 0;
        IEnumerable<ScenarioCase> FromScenario(Scenario s, Background? ruleBackground, Rule? rule)
        {
            var baseSteps = (background?.Steps ?? []).Concat(ruleBackground?.Steps ?? []).ToList();
            var scenarioTags = (rule?.Tags ?? []).Concat(s.Tags).Select(t => t.Name.TrimStart('@')).ToList();
            var examples = s.Examples.ToList();
            if (examples.Count == 0)
            {
                yield return Case(s, rule, file, feature, featureTags, scenarioTags, baseSteps.Concat(s.Steps), new Dictionary<string, string>(), $"{file}:{s.Location.Line}", pickle++);
                yield break;
            }
            foreach (var ex in examples)
            {
                if (ex.TableHeader is null) continue;
                var header = ex.TableHeader.Cells.Select(c => c.Value).ToList();
                var exampleTags = scenarioTags.Concat(ex.Tags.Select(t => t.Name.TrimStart('@'))).ToList();
                foreach (var row in ex.TableBody)
                {
                    var values = header.Zip(row.Cells.Select(c => c.Value)).ToDictionary(p => p.First, p => p.Second);
                    yield return Case(s, rule, file, feature, featureTags, exampleTags, baseSteps.Concat(s.Steps), values, $"{file}:{row.Location.Line}", pickle++);
                }
            }
        }
        foreach (var child in feature.Children)
        {
            switch (child)
            {
                case Scenario s:
                    foreach (var c in FromScenario(s, null, null)) yield return c;
                    break;
                case Rule r:
                    var ruleBackground = r.Children.OfType<Background>().FirstOrDefault();
                    foreach (var s in r.Children.OfType<Scenario>())
                        foreach (var c in FromScenario(s, ruleBackground, r)) yield return c;
                    break;
            }
        }
    }

    private static ScenarioCase Case(Scenario s, Rule? rule, string file, Feature feature, List<string> featureTags, List<string> tags,
        IEnumerable<Step> steps, Dictionary<string, string> values, string id, int pickle)
    {
        string Sub(string text) => values.Aggregate(text, (t, kv) => t.Replace($"<{kv.Key}>", kv.Value, StringComparison.Ordinal));
        var kind = "Given";
        var stepCases = new List<StepCase>();
        foreach (var step in steps)
        {
            var k = step.Keyword.Trim();
            kind = k switch
            {
                "Given" => "Given",
                "When" => "When",
                "Then" => "Then",
                _ => step.KeywordType switch
                {
                    StepKeywordType.Context => "Given",
                    StepKeywordType.Action => "When",
                    StepKeywordType.Outcome => "Then",
                    _ => kind,
                },
            };
            string? doc = step.Argument is DocString ds ? Sub(ds.Content) : null;
            IReadOnlyList<IReadOnlyList<string>>? table = step.Argument is DataTable dt
                ? dt.Rows.Select(r => (IReadOnlyList<string>)r.Cells.Select(c => Sub(c.Value)).ToList()).ToList()
                : null;
            stepCases.Add(new StepCase(step.Keyword, kind, Sub(step.Text), doc, table, step.Location.Line));
        }
        var args = new OrderedDictionary();
        foreach (var (k, v) in values) args[k] = v;
        return new ScenarioCase
        {
            Id = id, FeatureFile = file, FeatureName = feature.Name, FeatureDescription = feature.Description?.Trim() ?? "", FeatureTags = featureTags,
            Name = Sub(s.Name), Description = s.Description?.Trim() ?? "", Line = s.Location.Line, Tags = tags, Rule = rule?.Name, Steps = stepCases,
            Arguments = args, PickleIndex = pickle,
        };
    }
}
