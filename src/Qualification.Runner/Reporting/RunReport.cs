using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Runner.Execution;

namespace Qualification.Runner.Reporting;

/// <summary>Everything a finished (or interrupted) run produced, ready to be written out.</summary>
public sealed record RunReport
{
    /// <summary>Run id (the folder name under reports/).</summary>
    public required string RunId { get; init; }
    /// <summary>What was qualified.</summary>
    public required string Candidate { get; init; }
    /// <summary>The participants judged.</summary>
    public required IReadOnlyList<(string Name, string Role, string DipId)> Candidates { get; init; }
    /// <summary>Candidates' MPIDs by DIP id (DTN flows name the sender by MPID; offline evaluation and merge read them back).</summary>
    public IReadOnlyDictionary<string, string> CandidateMpids { get; init; } = new Dictionary<string, string>();
    /// <summary>Start, real time.</summary>
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>End, real time.</summary>
    public required DateTimeOffset FinishedAt { get; init; }
    /// <summary>Market seconds per real second.</summary>
    public double TimeScale { get; init; }
    /// <summary>True when the run was stopped before every scenario ran.</summary>
    public bool Interrupted { get; init; }
    /// <summary>Scenario results.</summary>
    public required IReadOnlyList<ScenarioResult> Scenarios { get; init; }
    /// <summary>Requirement verdicts.</summary>
    public required IReadOnlyList<RequirementResult> Requirements { get; init; }
    /// <summary>Minimum pass rate for the gate, 0–1.</summary>
    public double MinPassRate { get; init; } = 1.0;
    /// <summary>Requirements that must pass whatever the rate (--must-pass); waivers do not apply to them.</summary>
    public IReadOnlyList<string> MustPass { get; init; } = [];
    /// <summary>Waivers in force for this run (expired ones were dropped with a warning).</summary>
    public IReadOnlyList<Waiver> Waivers { get; init; } = [];
    /// <summary>Warnings about the gate's input (expired waivers, waivers on must-pass requirements).</summary>
    public IReadOnlyList<string> GateWarnings { get; init; } = [];

    /// <summary>Requirements judged (not skipped), waived ones included.</summary>
    public IReadOnlyList<RequirementResult> InScope => Requirements.Where(r => r.Verdict != Verdict.Skipped).ToList();

    /// <summary>The waiver that turns this requirement's result into WAIVED, if any: only a judged, not-passed requirement that is not must-pass.</summary>
    public Waiver? WaiverFor(RequirementResult r) =>
        r.Verdict is Verdict.Passed or Verdict.Warning or Verdict.Skipped || MustPass.Contains(r.Requirement.Id, StringComparer.OrdinalIgnoreCase)
            ? null
            : Waivers.FirstOrDefault(w => string.Equals(w.RequirementId, r.Requirement.Id, StringComparison.OrdinalIgnoreCase));

    /// <summary>The verdict every report shows: WAIVED for a waived result, else <see cref="VerdictText"/>.</summary>
    public string Shown(RequirementResult r) => WaiverFor(r) is null ? VerdictText(r.Verdict) : "WAIVED";

    /// <summary>Judged requirements the pass rate counts: waived ones neither pass nor fail, so they are left out.</summary>
    public IReadOnlyList<RequirementResult> Counted => InScope.Where(r => WaiverFor(r) is null).ToList();

    /// <summary>Share of counted requirements that passed (warnings count as passed; waived ones are not counted).</summary>
    public double PassRate => Counted.Count == 0 ? 0 : (double)Counted.Count(r => r.Verdict is Verdict.Passed or Verdict.Warning) / Counted.Count;

    /// <summary>True when the requirement binds one of the candidates' roles (a SKIPPED one that does not is not applicable).</summary>
    public bool Applies(RequirementResult r) => r.Requirement.Roles.Count == 0 || r.Requirement.Roles.Any(role => Candidates.Any(c => c.Role == role));

    /// <summary>Why the gate fails; empty when it passes.</summary>
    public IReadOnlyList<string> GateFailures
    {
        get
        {
            var reasons = new List<string>();
            if (InScope.Count == 0) reasons.Add("no requirement was judged (no scenario ran, or none is tagged with a catalogue requirement)");
            foreach (var r in InScope.Where(r => r.Requirement.Mandatory && r.Verdict is Verdict.Failed or Verdict.NotObserved && WaiverFor(r) is null))
                reasons.Add($"{r.Requirement.Id} {VerdictText(r.Verdict)}: {r.Reason}");
            foreach (var id in MustPass)
            {
                var r = Requirements.FirstOrDefault(x => string.Equals(x.Requirement.Id, id, StringComparison.OrdinalIgnoreCase));
                if (r is null) reasons.Add($"must-pass {id} is not in the catalogue");
                else if (r.Verdict is not (Verdict.Passed or Verdict.Warning) && !(r.Requirement.Mandatory && r.Verdict is Verdict.Failed or Verdict.NotObserved))
                    reasons.Add($"must-pass {r.Requirement.Id} {VerdictText(r.Verdict)}: {r.Reason}");
            }
            if (InScope.Count > 0 && Counted.Count == 0) reasons.Add("every judged requirement is waived: nothing passed");
            else if (InScope.Count > 0 && PassRate < MinPassRate) reasons.Add($"pass rate {PassRate:P0} is below the minimum {MinPassRate:P0}");
            // A scenario that failed only through a waived requirement does not fail the gate by itself.
            var waived = Requirements.Where(r => WaiverFor(r) is not null).Select(r => r.Requirement.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var failedScenarios = Scenarios.Count(s => s.Outcome == Outcome.Failed && !s.Case.Requirements.Any(waived.Contains));
            if (failedScenarios > 0 && reasons.Count == 0) reasons.Add($"{failedScenarios} scenario(s) failed");
            if (Interrupted) reasons.Add("the run was interrupted");
            return reasons;
        }
    }

    /// <summary>Scenario counts by outcome.</summary>
    public IReadOnlyDictionary<string, int> ScenarioCounts => Enum.GetValues<Outcome>().ToDictionary(o => o.ToString().ToLowerInvariant(), o => Scenarios.Count(s => s.Outcome == o));

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>summary.json: the machine-readable outcome of the run.</summary>
    public JsonObject Summary() => new()
    {
        ["runId"] = RunId,
        ["candidate"] = Candidate,
        ["candidates"] = new JsonArray(Candidates.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["role"] = c.Role, ["dipId"] = c.DipId, ["mpid"] = CandidateMpids.GetValueOrDefault(c.DipId) }).ToArray()),
        ["startedAt"] = StartedAt.ToString("O", CultureInfo.InvariantCulture),
        ["finishedAt"] = FinishedAt.ToString("O", CultureInfo.InvariantCulture),
        ["timeScale"] = TimeScale,
        ["interrupted"] = Interrupted,
        ["passRate"] = Math.Round(PassRate, 4),
        ["gate"] = new JsonObject
        {
            ["minPassRate"] = MinPassRate,
            ["mustPass"] = new JsonArray(MustPass.Select(m => (JsonNode)m).ToArray()),
            ["waivers"] = new JsonArray(Waivers.Select(w => (JsonNode)new JsonObject
            {
                ["requirement"] = w.RequirementId, ["reason"] = w.Reason, ["expires"] = w.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["applied"] = Requirements.Any(r => WaiverFor(r) == w),
            }).ToArray()),
            ["warnings"] = new JsonArray(GateWarnings.Select(x => (JsonNode)x).ToArray()),
            ["passed"] = GateFailures.Count == 0,
            ["reasons"] = new JsonArray(GateFailures.Select(r => (JsonNode)r).ToArray()),
        },
        ["scenarios"] = new JsonObject(ScenarioCounts.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value)).Append(new("total", Scenarios.Count))),
        ["coverage"] = new JsonObject
        {
            ["requirements"] = Requirements.Count,
            ["executed"] = Requirements.Count(r => r.Scenarios.Count > 0),
            ["ratio"] = Requirements.Count == 0 ? 0 : Math.Round((double)Requirements.Count(r => r.Scenarios.Count > 0) / Requirements.Count, 4),
        },
        ["requirements"] = new JsonArray(Requirements.Select(r => (JsonNode)new JsonObject
        {
            ["id"] = r.Requirement.Id,
            ["title"] = r.Requirement.Title,
            ["process"] = r.Requirement.Process,
            ["source"] = r.Requirement.Source,
            ["interfaces"] = new JsonArray(r.Requirement.Interfaces.Select(i => (JsonNode)i).ToArray()),
            ["mandatory"] = r.Requirement.Mandatory,
            ["applicable"] = Applies(r),
            ["planned"] = r.Requirement.Planned,
            ["mustPass"] = MustPass.Contains(r.Requirement.Id, StringComparer.OrdinalIgnoreCase),
            ["verdict"] = Shown(r),
            ["judgedVerdict"] = VerdictText(r.Verdict),
            ["waiver"] = WaiverFor(r) is { } w ? new JsonObject { ["reason"] = w.Reason, ["expires"] = w.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) } : null,
            ["reason"] = r.Reason,
            ["scenarios"] = new JsonArray(r.Scenarios.Select(s => (JsonNode)s).ToArray()),
            ["evidence"] = new JsonArray(r.Findings.Select(f => (JsonNode)new JsonObject
            {
                ["scenario"] = f.Scenario,
                ["mpan"] = f.Mpan,
                ["verdict"] = VerdictText(f.Verdict),
                ["summary"] = f.Summary,
                ["messages"] = new JsonArray(f.Evidence.Select(e => (JsonNode)new JsonObject
                {
                    ["id"] = e.MessageId, ["description"] = e.Description, ["marketTime"] = MarketTime.ToDip(e.MarketTime),
                }).ToArray()),
            }).ToArray()),
        }).ToArray()),
        ["journal"] = "journal.jsonl",
    };

    /// <summary>PASSED, FAILED, NOT_OBSERVED …</summary>
    public static string VerdictText(Verdict v) => v switch
    {
        Verdict.NotObserved => "NOT_OBSERVED",
        _ => v.ToString().ToUpperInvariant(),
    };

    /// <summary>Writes summary.json, rttm.csv, rttm.html, allure-results/ and junit.xml into <paramref name="dir"/>.</summary>
    public void WriteAll(string dir, IReadOnlyList<JournalRecord> journal)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "summary.json"), Summary().ToJsonString(Indented));
        File.WriteAllText(Path.Combine(dir, "rttm.csv"), RttmCsv());
        File.WriteAllText(Path.Combine(dir, "rttm.html"), RttmHtml());
        new AllureWriter(this, journal).Write(Path.Combine(dir, "allure-results"));
        File.WriteAllText(Path.Combine(dir, "junit.xml"), JUnitWriter.Write(this));
    }

    /// <summary>Requirement → scenarios → verdict → evidence, as CSV.</summary>
    public string RttmCsv()
    {
        static string Q(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
        var sb = new StringBuilder("requirement_id,title,process,source,roles,interfaces,sla,mandatory,verdict,scenarios,evidence\n");
        foreach (var r in Requirements)
        {
            var q = r.Requirement;
            sb.AppendJoin(',', Q(q.Id), Q(q.Title), Q(q.Process), Q(q.Source), Q(string.Join(";", q.Roles)), Q(string.Join(";", q.Interfaces)), Q(q.Sla?.Text ?? ""),
                q.Mandatory ? "mandatory" : "optional", Shown(r), Q(string.Join(";", r.Scenarios)),
                Q(string.Join(" | ", r.Findings.Select(f => $"{VerdictText(f.Verdict)} {f.Scenario}: {f.Summary}"))));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The same matrix as a page an assessor can open from disk.</summary>
    public string RttmHtml()
    {
        static string H(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>RTTM ").Append(H(RunId)).Append("</title>");
        sb.Append("<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}");
        sb.Append(".PASSED{background:#e6f4ea}.FAILED{background:#fce8e6}.NOT_OBSERVED,.REVIEW,.WAIVED{background:#fef7e0}.SKIPPED{color:#777}</style>");
        sb.Append("<h1>Requirement-to-test traceability</h1><p>Candidate: ").Append(H(Candidate)).Append(" · run ").Append(H(RunId))
          .Append(" · pass rate ").Append(PassRate.ToString("P0", CultureInfo.InvariantCulture)).Append("</p>");
        sb.Append("<table><tr><th>Requirement</th><th>Title</th><th>Source</th><th>Verdict</th><th>Scenarios</th><th>Evidence</th></tr>");
        foreach (var r in Requirements)
        {
            var v = Shown(r);
            sb.Append("<tr id=\"").Append(H(r.Requirement.Id)).Append("\" class=\"").Append(v).Append("\"><td>").Append(H(r.Requirement.Id)).Append("</td><td>").Append(H(r.Requirement.Title))
              .Append("</td><td>").Append(H(r.Requirement.Source)).Append("</td><td>").Append(v).Append(WaiverFor(r) is { } waiver ? H($" (judged {VerdictText(r.Verdict)}; waived until {waiver.Expires:yyyy-MM-dd}: {waiver.Reason})") : "").Append("</td><td>").Append(string.Join("<br>", r.Scenarios.Select(H)))
              .Append("</td><td>").Append(string.Join("<br>", r.Findings.Select(f => H($"{VerdictText(f.Verdict)} {f.Scenario} {f.Mpan}: {f.Summary}")))).Append("</td></tr>");
        }
        sb.Append("</table></html>");
        return sb.ToString();
    }

    /// <summary>A deterministic id for a scenario across runs (Allure history).</summary>
    public static string StableId(string text) => Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
