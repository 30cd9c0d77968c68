using System.CommandLine;
using System.Diagnostics;
using Qualification.Runner.Execution;

namespace Qualification.Runner.Cli;

/// <summary><c>qualify generate-journal</c> (hidden): a DIP message journal of N messages over M MPANs, for scale tests and benchmarks.</summary>
public static class GenerateJournalCommand
{
    /// <summary>The command for Program.cs.</summary>
    public static Command Create()
    {
        var outFile = new Option<string>("--out") { Description = "File to write.", Required = true };
        var messages = new Option<long>("--messages") { Description = "Number of messages.", DefaultValueFactory = _ => 20_000 };
        var mpans = new Option<long>("--mpans") { Description = "Number of MPANs (default messages / 10).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var command = new Command("generate-journal", "Write a generated DIP message journal (one egress item per line) for scale tests.") { outFile, messages, mpans, seed };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var n = parse.GetValue(messages);
            var m = parse.GetValue(mpans) is > 0 and var given ? given : Math.Max(1, n / 10);
            var clock = Stopwatch.StartNew();
            JournalGenerator.Write(parse.GetValue(outFile)!, n, m, parse.GetValue(seed));
            Console.WriteLine($"generated {n} message(s) over {m} MPAN(s) in {clock.Elapsed.TotalSeconds:0.0} s: {parse.GetValue(outFile)} ({new FileInfo(parse.GetValue(outFile)!).Length / 1048576.0:0.0} MiB)");
            return 0;
        });
        return command;
    }
}
