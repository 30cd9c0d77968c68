using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qualification.Runner.Composition;

namespace Qualification.Runner.Cli;

/// <summary>
/// <c>qualify merge DIR... --out DIR</c>: joins the results of sharded runs (<c>qualify run --shard i/n</c>)
/// into one. The journals are concatenated (sequence numbers shifted so they stay unique), then the
/// merged journal is re-evaluated with the rules, which writes summary.json, the RTTM and the Allure
/// results as one run would. Scenarios never span shards, so the verdicts equal an unsharded run's.
/// </summary>
public static class MergeCommand
{
    /// <summary>The command for Program.cs.</summary>
    public static Command Create()
    {
        var dirs = new Argument<string[]>("results") { Description = "Result folders of the shards (each with journal.jsonl and summary.json).", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "Folder for the merged results.", Required = true };
        var features = new Option<string>("--features") { Description = "Folder of .feature files and requirements.yaml used by the shards.", DefaultValueFactory = _ => "features" };
        var command = new Command("merge", "Merge sharded run results into one (journal, summary, RTTM, Allure), re-judged by the rules. Exit codes as `run`.")
        {
            dirs, outDir, features,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try { return await ExecuteAsync(parse.GetValue(dirs) ?? [], parse.GetValue(outDir)!, parse.GetValue(features)!, Console.Out, cancellation); }
            catch (InputException e)
            {
                await Console.Error.WriteLineAsync("qualify merge: " + e.Message);
                return ExitCodes.Broken;
            }
        });
        return command;
    }

    /// <summary>Merges; returns the exit code.</summary>
    public static async Task<int> ExecuteAsync(IReadOnlyList<string> dirs, string outDir, string featuresDir, TextWriter output, CancellationToken cancellation)
    {
        if (dirs.Count == 0) throw new InputException("give the shards' result folders.");
        var summaries = new List<JsonObject>();
        foreach (var d in dirs)
        {
            var s = Path.Combine(d, "summary.json");
            var j = Path.Combine(d, "journal.jsonl");
            if (!File.Exists(j)) throw new InputException($"{d}: no journal.jsonl; is it a `qualify run` result folder?");
            summaries.Add(File.Exists(s) && JsonNode.Parse(await File.ReadAllTextAsync(s, cancellation)) is JsonObject o ? o : new JsonObject());
        }
        Directory.CreateDirectory(outDir);
        var merged = Path.Combine(outDir, "journal.jsonl");
        long offset = 0, copied = 0, unreadable = 0;
        await using (var writer = new StreamWriter(merged, false, new UTF8Encoding(false)))
        {
            foreach (var d in dirs)
            {
                long max = 0;
                foreach (var line in File.ReadLines(Path.Combine(d, "journal.jsonl")))
                {
                    if (line.Length == 0) continue;
                    JsonObject? o = null;
                    try { o = JsonNode.Parse(line) as JsonObject; } catch (JsonException) { }
                    if (o is null) { unreadable++; await writer.WriteLineAsync(line); continue; } // evaluate reports it with its line number
                    var seq = o["seq"]?.GetValue<long>() ?? 0;
                    max = Math.Max(max, seq);
                    o["seq"] = seq + offset;
                    if (o["replyTo"] is JsonValue reply) o["replyTo"] = reply.GetValue<long>() + offset;
                    await writer.WriteLineAsync(o.ToJsonString());
                    copied++;
                }
                offset += max;
            }
        }
        output.WriteLine($"qualify: merge {dirs.Count} shard(s): {copied} journal record(s){(unreadable > 0 ? $", {unreadable} unreadable line(s) kept for the report" : "")} → {merged}");

        // The shards' own candidates, not a guess from the senders.
        var roles = summaries.SelectMany(s => s["candidates"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => $"{c["role"]?.GetValue<string>()}:{c["dipId"]?.GetValue<string>()}").Distinct().ToList();
        var first = summaries[0];
        var code = await EvaluateCommand.ExecuteAsync(new EvaluateOptions
        {
            Journals = [merged], OutDir = outDir, FeaturesDir = featuresDir, CandidateRoles = roles,
            MinPassRate = first["gate"]?["minPassRate"]?.GetValue<double>() ?? 1.0,
            RunId = "merged-" + string.Join("+", summaries.Select(s => s["runId"]?.GetValue<string>() ?? "?")),
            TimeScale = first["timeScale"]?.GetValue<double>() ?? 0,
        }, output, cancellation);

        var path = Path.Combine(outDir, "summary.json");
        var summary = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(path, cancellation))!;
        summary["merged"] = new JsonObject
        {
            ["from"] = new JsonArray(dirs.Select((d, i) => (JsonNode)new JsonObject
            {
                ["dir"] = Path.GetFullPath(d), ["runId"] = summaries[i]["runId"]?.DeepClone(), ["shard"] = summaries[i]["shard"]?.DeepClone(),
                ["scenarios"] = summaries[i]["scenarios"]?.DeepClone(), ["gatePassed"] = summaries[i]["gate"]?["passed"]?.DeepClone(),
            }).ToArray()),
            ["note"] = "Verdicts re-judged from the concatenated journals; --must-pass and waivers of the shards are not carried over.",
        };
        await File.WriteAllTextAsync(path, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), cancellation);
        return code;
    }
}
