using System.Globalization;
using System.Reflection;
using Reqnroll;
using Qualification.Runner.Composition;

namespace Qualification.Runner.Execution;

/// <summary>
/// Runs scenarios through Reqnroll's runtime exactly as generated test code would, but from
/// feature files read at run time, so new scenarios need no rebuild.
/// </summary>
public sealed class ScenarioExecutor(Harness harness, Action<ScenarioResult>? onScenarioFinished = null, Action<ScenarioCase>? onScenarioStarting = null)
{
    private static readonly Assembly Bindings = typeof(ScenarioExecutor).Assembly;

    // Reqnroll announces its plugin and configuration on the console while it builds its global
    // container, before any plugin can replace its trace listener; a run's console is the user's.
    private static async Task StartReqnrollQuietlyAsync()
    {
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try { await TestRunnerManager.OnTestRunStartAsync(Bindings); }
        finally { Console.SetOut(console); }
    }

    /// <summary>Runs the scenarios in order and returns their results.</summary>
    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(IReadOnlyList<ScenarioCase> scenarios, CancellationToken cancellation)
    {
        var results = new List<ScenarioResult>();
        await StartReqnrollQuietlyAsync();
        try
        {
            foreach (var feature in scenarios.GroupBy(s => s.FeatureFile))
            {
                var first = feature.First();
                var featureInfo = new FeatureInfo(new CultureInfo("en-GB"), Path.GetDirectoryName(first.FeatureFile) ?? "", first.FeatureName, first.FeatureDescription,
                    ProgrammingLanguage.CSharp, first.FeatureTags.ToArray(), first.FeatureMessages);
                foreach (var scenario in feature)
                {
                    if (cancellation.IsCancellationRequested) break;
                    onScenarioStarting?.Invoke(scenario);
                    var result = await RunScenarioAsync(featureInfo, scenario);
                    results.Add(result);
                    onScenarioFinished?.Invoke(result);
                }
                await TestRunnerManager.ReleaseFeatureAsync(featureInfo, Bindings);
            }
        }
        finally
        {
            await TestRunnerManager.OnTestRunEndAsync(Bindings);
        }
        return results;
    }

    private async Task<ScenarioResult> RunScenarioAsync(FeatureInfo featureInfo, ScenarioCase scenario)
    {
        var runner = TestRunnerManager.GetTestRunnerForAssembly(Bindings, featureHint: featureInfo);
        var start = DateTimeOffset.UtcNow;
        harness.BeginScenario(scenario.Id);
        var marketStart = harness.Clock.GetCurrentInstant();
        var steps = new List<StepResult>();
        string? error = null;
        try
        {
            if (runner.FeatureContext != null && !ReferenceEquals(runner.FeatureContext.FeatureInfo, featureInfo)) await runner.OnFeatureEndAsync();
            if (runner.FeatureContext == null) await runner.OnFeatureStartAsync(featureInfo);
            var rule = scenario.Rule is null ? null : new RuleInfo(scenario.Rule, "", []);
            runner.OnScenarioInitialize(new ScenarioInfo(scenario.Name, scenario.Description, scenario.Tags.ToArray(), scenario.Arguments,
                scenario.FeatureTags.ToArray(), scenario.PickleIndex.ToString(CultureInfo.InvariantCulture)), rule);
            await runner.OnScenarioStartAsync();
            foreach (var step in scenario.Steps)
            {
                var before = runner.ScenarioContext.ScenarioExecutionStatus;
                var stepStart = DateTimeOffset.UtcNow;
                Table? table = null;
                if (step.Table is { Count: > 0 } rows)
                {
                    table = new Table(rows[0].ToArray());
                    foreach (var row in rows.Skip(1)) table.AddRow(row.ToArray());
                }
                var call = step.Kind switch
                {
                    "When" => runner.WhenAsync(step.Text, step.DocString, table, step.Keyword),
                    "Then" => runner.ThenAsync(step.Text, step.DocString, table, step.Keyword),
                    _ => runner.GivenAsync(step.Text, step.DocString, table, step.Keyword),
                };
                await call;
                var after = runner.ScenarioContext.ScenarioExecutionStatus;
                var stepStop = DateTimeOffset.UtcNow;
                if (before != ScenarioExecutionStatus.OK)
                    steps.Add(new StepResult(step, Outcome.Skipped, stepStart, stepStop, null));
                else if (after == ScenarioExecutionStatus.OK)
                    steps.Add(new StepResult(step, Outcome.Passed, stepStart, stepStop, null));
                else if (after == ScenarioExecutionStatus.UndefinedStep)
                    steps.Add(new StepResult(step, Outcome.Undefined, stepStart, stepStop, $"no step definition matches \"{step.Text}\""));
                else
                {
                    var e = runner.ScenarioContext.TestError;
                    steps.Add(new StepResult(step, Classify(e), stepStart, stepStop, Describe(e)));
                }
            }
            try { await runner.CollectScenarioErrorsAsync(); }
            catch (Exception e) { error ??= Describe(e); }
        }
        catch (Exception e)
        {
            // A hook or the runtime itself failed: the harness is at fault, not the candidate.
            error = "harness fault: " + Describe(e);
            steps.Add(new StepResult(new StepCase("", "Given", "(runtime)", null, null, scenario.Line), Outcome.Broken, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, error));
        }
        finally
        {
            try { await runner.OnScenarioEndAsync(); }
            catch (Exception e) { error ??= "harness fault in scenario clean-up: " + Describe(e); }
            TestRunnerManager.ReleaseTestRunner(runner);
        }
        var outcome = steps.Any(s => s.Outcome == Outcome.Undefined) ? Outcome.Undefined
            : steps.Any(s => s.Outcome == Outcome.Broken) ? Outcome.Broken
            : steps.Any(s => s.Outcome == Outcome.Failed) ? Outcome.Failed
            : steps.All(s => s.Outcome == Outcome.Skipped) && steps.Count > 0 ? Outcome.Skipped
            // A step that could not be carried out (no driver for the action, run interrupted) skips the scenario.
            : steps.Any(s => s.Outcome == Outcome.Skipped && s.Error is not null) ? Outcome.Skipped
            : Outcome.Passed;
        if (outcome != Outcome.Passed) error = steps.FirstOrDefault(s => s.Error is not null)?.Error ?? error;
        // Let in-flight deliveries of this scenario land before the next one starts.
        await Task.Delay(150);
        var marketEnd = harness.EndScenario(scenario.Id, outcome.ToString().ToLowerInvariant());
        return new ScenarioResult(scenario, outcome, steps, start, DateTimeOffset.UtcNow, error, marketStart, marketEnd);
    }

    private static Outcome Classify(Exception? e) => e switch
    {
        ExpectationFailedException => Outcome.Failed,
        ScenarioSkippedException => Outcome.Skipped,
        OperationCanceledException => Outcome.Skipped,   // the user interrupted the run
        _ => Outcome.Broken,
    };

    private static string Describe(Exception? e) => e switch
    {
        null => "unknown error",
        ExpectationFailedException or InputException => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
