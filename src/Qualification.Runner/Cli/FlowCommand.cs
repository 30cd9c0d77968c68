using System.CommandLine;
using System.Diagnostics;
using Qualification.Dtn.Validation;

namespace Qualification.Runner.Cli;

/// <summary>
/// <c>qualify flow FILE...</c>: validates DTN flow files against their DTC 15.4 definitions and the MHHS
/// rules, printing each finding as <c>file:line: group field: message [rule]</c>. Exit 0 when no file
/// has an error (warnings allowed), 1 when one has, 2 when a file cannot be read (or --points is bad).
/// </summary>
public static class FlowCommand
{
    /// <summary>The command for Program.cs.</summary>
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Flow files (pipe-delimited, ZHV header to ZPT trailer).", Arity = ArgumentArity.OneOrMore };
        var points = new Option<string?>("--points")
        {
            Description = "Metering-point facts for the MHHS rules, CSV: mpan,status(legacy|migrating|migrated),meter(traditional|smart|advanced),duosTariffId,cumulativeRegister. Without it, rules that need them are not judged.",
        };
        var command = new Command("flow", "Validate DTN flow files (D0010, D0139, D0149, D0150, D0170, D0268, D0300, D0303, D0304, D0311, D0312). Exit 0 valid, 1 violations, 2 unreadable input.")
        {
            files, points,
        };
        command.SetAction(async (parse, cancellation) => await ExecuteAsync(parse.GetValue(files) ?? [], parse.GetValue(points), Console.Out, Console.Error, cancellation));
        return command;
    }

    /// <summary>Validates the files; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(IReadOnlyList<string> files, string? pointsFile, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        MeteringPointDirectory? points = null;
        if (pointsFile is not null)
        {
            try { points = MeteringPointDirectory.Load(pointsFile); }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"qualify flow: --points {pointsFile}: {e.Message}");
                return ExitCodes.Broken;
            }
        }
        var validator = new FlowValidator(points: points);
        bool violations = false, unreadable = false;
        foreach (var file in files)
        {
            ValidationResult result;
            var clock = Stopwatch.StartNew();
            try
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                result = await validator.ValidateAsync(stream, cancellation);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Missing file, missing folder, no permission, a folder given as a file: the input cannot be read at all.
                await error.WriteLineAsync($"{file}: cannot read: {e.Message}");
                unreadable = true;
                continue;
            }
            foreach (var finding in result.Findings) await output.WriteLineAsync($"{file}:{finding}");
            if (result.Truncated) await output.WriteLineAsync($"{file}: … {result.Errors + result.Warnings - result.Findings.Count} more finding(s) not shown");
            var what = result.FlowAndVersion is null ? "no ZHV" : $"{result.FlowAndVersion}{(result.FlowName is null ? "" : " " + result.FlowName)}";
            var verdict = result.IsValid ? "valid" : $"{result.Errors} error(s)";
            await output.WriteLineAsync($"{file}: {what}, {result.Lines} line(s): {verdict}{(result.Warnings > 0 ? $", {result.Warnings} warning(s)" : "")} ({clock.Elapsed.TotalSeconds:0.###} s)");
            violations |= !result.IsValid;
        }
        return unreadable ? ExitCodes.Broken : violations ? ExitCodes.Failed : ExitCodes.Passed;
    }
}
