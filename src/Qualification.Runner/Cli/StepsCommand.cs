using Qualification.Runner.Execution;

namespace Qualification.Runner.Cli;

/// <summary><c>qualify steps</c>: the step vocabulary with an example of each, for code managers writing scenarios.</summary>
public static class StepsCommand
{
    /// <summary>Prints the catalogue as Markdown.</summary>
    public static int Execute(TextWriter output)
    {
        output.WriteLine("# Steps");
        output.WriteLine();
        foreach (var group in StepCatalog.All.GroupBy(s => s.Kind))
        {
            output.WriteLine($"## {group.Key}");
            output.WriteLine();
            foreach (var step in group)
            {
                output.WriteLine($"- {step.Summary}");
                foreach (var e in step.Examples) output.WriteLine($"    {e}");
                output.WriteLine($"    pattern: {step.Pattern}");
            }
            output.WriteLine();
        }
        return ExitCodes.Passed;
    }
}
