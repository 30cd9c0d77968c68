using System.Reflection;
using System.Text.RegularExpressions;
using Qualification.Runner.Steps;
using Reqnroll;

namespace Qualification.Runner.Execution;

/// <summary>One step definition: its keyword, pattern, description and examples.</summary>
/// <param name="Kind">Given, When or Then.</param>
/// <param name="Pattern">The regular expression it matches.</param>
/// <param name="Summary">What it does (from its documentation).</param>
/// <param name="Examples">How to write it.</param>
/// <param name="Method">The binding method.</param>
public sealed record StepDefinition(string Kind, Regex Pattern, string Summary, IReadOnlyList<string> Examples, string Method);

/// <summary>The step vocabulary, read from the [Binding] classes by reflection.</summary>
public static class StepCatalog
{
    /// <summary>Every step definition in the runner.</summary>
    public static IReadOnlyList<StepDefinition> All { get; } = Load();

    private static List<StepDefinition> Load()
    {
        var list = new List<StepDefinition>();
        foreach (var type in typeof(StepCatalog).Assembly.GetTypes().Where(t => t.GetCustomAttribute<BindingAttribute>() is not null))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                var examples = method.GetCustomAttributes<StepExampleAttribute>().Select(e => e.Text).ToList();
                foreach (var attribute in method.GetCustomAttributes<StepDefinitionBaseAttribute>())
                {
                    var kind = attribute switch { GivenAttribute => "Given", WhenAttribute => "When", ThenAttribute => "Then", _ => "Step" };
                    var expression = attribute.Expression ?? "";
                    list.Add(new StepDefinition(kind, new Regex(expression, RegexOptions.CultureInvariant), Humanize(method.Name), examples, $"{type.Name}.{method.Name}"));
                }
            }
        }
        return list.OrderBy(s => s.Kind switch { "Given" => 0, "When" => 1, _ => 2 }).ThenBy(s => s.Method).ToList();
    }

    private static string Humanize(string methodName) =>
        Regex.Replace(Regex.Replace(methodName, "^(Given|When|Then)", ""), "(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ").Trim().ToLowerInvariant();

    /// <summary>The definitions matching a step's text (Reqnroll matches regardless of keyword kind within Given/When/Then).</summary>
    public static IReadOnlyList<StepDefinition> Matching(StepCase step) =>
        All.Where(d => d.Kind == step.Kind && d.Pattern.IsMatch(step.Text)).ToList();

    /// <summary>The example closest to <paramref name="text"/> (edit distance), to suggest a fix.</summary>
    public static string? Closest(string kind, string text)
    {
        var candidates = All.Where(d => d.Kind == kind).SelectMany(d => d.Examples).Select(e => Regex.Replace(e, "^(Given|When|Then|And|But) ", "")).ToList();
        return candidates.Count == 0 ? null : candidates.OrderBy(c => Distance(c, text)).First();
    }

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
