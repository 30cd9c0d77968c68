namespace Qualification.Runner.Steps;

/// <summary>
/// A sample of the step as a code manager writes it in a feature file. `qualify steps` lists these,
/// and `qualify lint` proposes the closest one for a step that matches no definition.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class StepExampleAttribute(string text) : Attribute
{
    /// <summary>The example, keyword included.</summary>
    public string Text { get; } = text;
}
