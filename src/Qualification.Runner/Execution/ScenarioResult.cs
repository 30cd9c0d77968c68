namespace Qualification.Runner.Execution;

/// <summary>Outcome of a step or scenario, in Allure's vocabulary.</summary>
public enum Outcome
{
    /// <summary>Everything held.</summary>
    Passed,
    /// <summary>The candidate did not do what the step expects.</summary>
    Failed,
    /// <summary>The harness or its input failed (not the candidate's fault).</summary>
    Broken,
    /// <summary>Not run.</summary>
    Skipped,
    /// <summary>No step definition matches the text.</summary>
    Undefined,
}

/// <summary>What happened to one step.</summary>
public sealed record StepResult(StepCase Step, Outcome Outcome, DateTimeOffset Start, DateTimeOffset Stop, string? Error);

/// <summary>What happened to one scenario.</summary>
public sealed record ScenarioResult(ScenarioCase Case, Outcome Outcome, IReadOnlyList<StepResult> Steps, DateTimeOffset Start, DateTimeOffset Stop,
    string? Error, NodaTime.Instant MarketStart, NodaTime.Instant MarketEnd);

/// <summary>A step's expectation about the candidate did not hold: the scenario FAILED (not broken).</summary>
public sealed class ExpectationFailedException(string message) : Exception(message);
