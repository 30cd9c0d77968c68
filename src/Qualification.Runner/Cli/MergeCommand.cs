using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qualification.Runner.Composition;
using Qualification.Runner.Reporting;

namespace Qualification.Runner.Cli;

/// <summary>
/// <c>qualify merge DIR... --out DIR</c>: joins the results of sharded runs (<c>qualify run --shard i/n</c>)
/// into one. The journals are concatenated (sequence numbers shifted so they stay unique), then the
/// merged journal is re-evaluated with the rules, which writes summary.json, the RTTM and the Allure
/// results as one run would. Scenarios never span shards, so the verdicts equal an unsharded run's.
/// The gate (--must-pass, --waivers, --min-pass-rate) is the shards' own, read from their summaries,
/// unless given here; so a sharded run gates exactly as the same run unsharded.
/// </summary>
public static class MergeCommand
{
    /// <summary>The command for Program.cs.</summary>
    public static Command Create()
    {
        var dirs = new Argument<string[]>("results") { Description = "Result folders of the shards (each with journal.jsonl and summary.json).", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "Folder for the merged results.", Required = true };
        var features = new Option<string>("--features") { Description = "Folder of .feature files and requirements.yaml used by the shards.", DefaultValueFactory = _ => "features" };
        var mustPass = new Option<string[]>("--must-pass") { Description = "Gate: a requirement that must pass whatever the rate (repeatable). Default: the shards' own --must-pass.", AllowMultipleArgumentsPerToken = false };
        var waivers = new Option<string?>("--waivers") { Description = "Gate: waiver file (YAML: requirement, reason, expires). Default: the waivers the shards ran with." };
        var minPassRate = new Option<double?>("--min-pass-rate") { Description = "Gate: fraction of judged requirements that must pass (0–1). Default: the shards' own." };
        var command = new Command("merge", "Merge sharded run results into one (journal, summary, RTTM, Allure), re-judged by the rules and gated as the unsharded run. Exit codes as `run`.")
        {
            dirs, outDir, features, mustPass, waivers, minPassRate,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                var gate = new MergeGate(parse.GetValue(mustPass) is { Length: > 0 } ids ? ids : null, parse.GetValue(waivers), parse.GetValue(minPassRate));
                return await ExecuteAsync(parse.GetValue(dirs) ?? [], parse.GetValue(outDir)!, parse.GetValue(features)!, Console.Out, cancellation, gate);
            }
            catch (InputException e)
            {
                await Console.Error.WriteLineAsync("qualify merge: " + e.Message);
                return ExitCodes.Broken;
            }
        });
        return command;
    }

    /// <summary>Merges; returns the exit code. <paramref name="gate"/>: options given to the merge (null: all from the shards).</summary>
    public static async Task<int> ExecuteAsync(IReadOnlyList<string> dirs, string outDir, string featuresDir, TextWriter output, CancellationToken cancellation, MergeGate? gate = null)
    {
        gate ??= new MergeGate(null, null, null);
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
            .Select(c => $"{c["role"]?.GetValue<string>()}:{c["dipId"]?.GetValue<string>()}{(c["mpid"]?.GetValue<string>() is { } mpid ? ":" + mpid : "")}").Distinct().ToList();
        var first = summaries[0];
        var (mustPass, waivers, minPassRate, gateFrom) = Gate(gate, dirs, summaries);
        output.WriteLine($"qualify: merge gate: min pass rate {minPassRate:0.###}, must pass [{string.Join(", ", mustPass)}], {waivers.Count} waiver(s){(gate.WaiversFile is null ? "" : " + " + gate.WaiversFile)} ({gateFrom})");
        var code = await EvaluateCommand.ExecuteAsync(new EvaluateOptions
        {
            Journals = [merged], OutDir = outDir, FeaturesDir = featuresDir, CandidateRoles = roles,
            MinPassRate = minPassRate, MustPass = mustPass, Waivers = waivers, WaiversFile = gate.WaiversFile,
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
            ["gateFrom"] = gateFrom,
            ["note"] = "Verdicts re-judged from the concatenated journals; the gate is the shards' own unless given to the merge.",
        };
        await File.WriteAllTextAsync(path, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), cancellation);
        return code;
    }

    // Each gate option not given to the merge is the shards' own (summary.json "gate"); shards that
    // disagree cannot be gated as one run, so that is broken input unless the merge says which gate.
    private static (IReadOnlyList<string> MustPass, IReadOnlyList<Waiver> Waivers, double MinPassRate, string From) Gate(MergeGate gate, IReadOnlyList<string> dirs, IReadOnlyList<JsonObject> summaries)
    {
        T Agreed<T>(string option, Func<JsonObject, T> read, Func<T, string> show)
        {
            var values = summaries.Select(read).ToList();
            var texts = values.Select(show).ToList();
            if (texts.Distinct(StringComparer.Ordinal).Count() > 1)
                throw new InputException($"the shards ran with different {option} ({string.Join("; ", dirs.Select((d, i) => $"{d}: {texts[i]}"))}); give {option} to the merge to say which gate applies.");
            return values[0];
        }
        static JsonObject? GateOf(JsonObject s) => s["gate"] as JsonObject;
        var mustPass = gate.MustPass ?? Agreed("--must-pass",
            s => (IReadOnlyList<string>)(GateOf(s)?["mustPass"] as JsonArray ?? []).Select(x => x?.GetValue<string>() ?? "").Order(StringComparer.OrdinalIgnoreCase).ToList(),
            l => l.Count == 0 ? "none" : string.Join(",", l));
        IReadOnlyList<Waiver> waivers = gate.WaiversFile is not null ? [] : Agreed("--waivers",
            s => (IReadOnlyList<Waiver>)(GateOf(s)?["waivers"] as JsonArray ?? []).OfType<JsonObject>().Select(w => ReadWaiver(w, s)).OrderBy(w => w.RequirementId, StringComparer.OrdinalIgnoreCase).ToList(),
            l => l.Count == 0 ? "none" : string.Join(",", l.Select(w => $"{w.RequirementId} until {w.Expires:yyyy-MM-dd}")));
        var rate = gate.MinPassRate ?? Agreed("--min-pass-rate", s => GateOf(s)?["minPassRate"]?.GetValue<double>() ?? 1.0, r => r.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture));
        var given = new[] { gate.MustPass is null ? null : "--must-pass", gate.WaiversFile is null ? null : "--waivers", gate.MinPassRate is null ? null : "--min-pass-rate" }.OfType<string>().ToList();
        return (mustPass, waivers, rate, given.Count == 0 ? "the shards' gate" : given.Count == 3 ? "given to merge" : $"{string.Join(", ", given)} given to merge, the rest from the shards");
    }

    private static Waiver ReadWaiver(JsonObject w, JsonObject summary)
    {
        var id = w["requirement"]?.GetValue<string>();
        var reason = w["reason"]?.GetValue<string>();
        if (id is null || reason is null || !DateOnly.TryParseExact(w["expires"]?.GetValue<string>(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var expires))
            throw new InputException($"summary.json of run {summary["runId"]}: gate.waivers has an entry without requirement, reason and expires (YYYY-MM-DD); give --waivers to the merge.");
        return new Waiver(id, reason, expires);
    }
}

/// <summary>Gate options given to <c>qualify merge</c>; null where the shards' own apply.</summary>
/// <param name="MustPass">--must-pass ids (null: the shards' own).</param>
/// <param name="WaiversFile">--waivers file (null: the waivers the shards ran with).</param>
/// <param name="MinPassRate">--min-pass-rate (null: the shards').</param>
public sealed record MergeGate(IReadOnlyList<string>? MustPass, string? WaiversFile, double? MinPassRate);
