using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Rules;
using Qualification.Runner.Execution;

namespace Qualification.Runner.Reporting;

/// <summary>
/// Writes Allure results in the documented file format (no Allure .NET package is used).
/// One Allure test result per catalogue requirement, because assessors decide requirement by
/// requirement and the Allure quality gate's success rate then equals qualify's pass rate:
/// labels epic = process area, feature = feature(s), story = requirement, severity from
/// mandatory/optional; a TMS link to the requirement; the evidence messages cited by the
/// findings attached first (so the failing message body is one click from the result); then one
/// step per scenario that covers it (with its Gherkin steps, status and timing) carrying every
/// DIP message exchanged in that scenario, the findings table and the market-time timeline.
/// </summary>
public sealed class AllureWriter(RunReport report, IReadOnlyList<JournalRecord> journal)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull, WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Allure categories: candidate failures apart from harness faults, waivers and reviews. First match wins.</summary>
    public static JsonArray Categories() => new(
        new JsonObject { ["name"] = "Waived (accepted until expiry; not counted as passed)", ["matchedStatuses"] = new JsonArray("skipped"), ["messageRegex"] = "(?s)WAIVED.*" },
        new JsonObject { ["name"] = "Needs assessor review", ["matchedStatuses"] = new JsonArray("failed"), ["messageRegex"] = "(?s)REVIEW.*" },
        new JsonObject { ["name"] = "Not observed (behaviour not triggered or observation ended early)", ["matchedStatuses"] = new JsonArray("failed"), ["messageRegex"] = "(?s)NOT_OBSERVED.*" },
        new JsonObject { ["name"] = "Candidate did not meet a requirement", ["matchedStatuses"] = new JsonArray("failed") },
        new JsonObject { ["name"] = "Harness or input fault (not the candidate)", ["matchedStatuses"] = new JsonArray("broken") });

    /// <summary>Writes into <paramref name="dir"/> (created; previous results there are kept).</summary>
    public void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var requirement in report.Requirements) WriteRequirement(dir, requirement);
        var env = new StringBuilder();
        void Env(string k, object? v) => env.Append(k).Append('=').Append(Convert.ToString(v, CultureInfo.InvariantCulture)?.Replace("\n", " ")).Append('\n');
        Env("candidate", report.Candidate);
        foreach (var c in report.Candidates) Env($"participant.{c.Role}.{c.DipId}", c.Name);
        Env("runId", report.RunId);
        Env("startedAt", report.StartedAt.ToString("O", CultureInfo.InvariantCulture));
        Env("finishedAt", report.FinishedAt.ToString("O", CultureInfo.InvariantCulture));
        Env("timeScale", $"1 s = {report.TimeScale} market s");
        Env("gate.minPassRate", report.MinPassRate);
        Env("gate.mustPass", report.MustPass.Count == 0 ? "(none)" : string.Join(", ", report.MustPass));
        Env("gate.waivers", report.Waivers.Count == 0 ? "(none)" : string.Join(", ", report.Waivers.Select(w => $"{w.RequirementId} until {w.Expires:yyyy-MM-dd}")));
        Env("interrupted", report.Interrupted);
        Env("dipApi", "2.2.1");
        Env("harness", $"qualify {typeof(AllureWriter).Assembly.GetName().Version}");
        Env("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        Env("os", System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        File.WriteAllText(Path.Combine(dir, "environment.properties"), env.ToString());
        File.WriteAllText(Path.Combine(dir, "executor.json"), new JsonObject
        {
            ["name"] = "qualify", ["type"] = "qualify", ["buildName"] = report.RunId, ["reportName"] = $"MHHS qualification: {report.Candidate}",
            ["buildOrder"] = report.StartedAt.ToUnixTimeSeconds(),
        }.ToJsonString(Indented));
        File.WriteAllText(Path.Combine(dir, "categories.json"), Categories().ToJsonString(Indented));
    }

    private void WriteRequirement(string dir, RequirementResult r)
    {
        var uuid = Guid.NewGuid().ToString();
        var req = r.Requirement;
        var waiver = report.WaiverFor(r);
        var scenarios = report.Scenarios.Where(s => s.Case.Requirements.Contains(req.Id, StringComparer.OrdinalIgnoreCase)).ToList();
        var harnessFault = scenarios.FirstOrDefault(s => s.Outcome is Outcome.Broken or Outcome.Undefined);
        var shown = report.Shown(r);
        var status = waiver is not null ? "skipped"
            : r.Verdict is Verdict.Passed or Verdict.Warning ? "passed"
            : r.Verdict is Verdict.Skipped ? "skipped"
            : harnessFault is not null ? "broken"
            : "failed";
        var message = waiver is not null
            ? $"WAIVED (judged {RunReport.VerdictText(r.Verdict)}; waiver until {waiver.Expires:yyyy-MM-dd}: {waiver.Reason}): {r.Reason}"
            : status == "broken" ? $"harness fault in {harnessFault!.Case.Id}, not a candidate failure: {harnessFault.Error}"
            : $"{shown}: {r.Reason}";

        var attachments = new JsonArray();
        // Evidence first: the exact messages the findings cite, so an assessor opens the result and sees them.
        foreach (var f in r.Findings.Where(f => f.Verdict != Verdict.Passed).Concat(r.Findings.Where(f => f.Verdict == Verdict.Passed)))
            foreach (var e in f.Evidence)
                attachments.Add(Attach(dir, $"Evidence {e.MessageId} ({RunReport.VerdictText(f.Verdict)}): {e.Description}", "application/json", "json", EvidenceBody(f, e)));
        if (r.Findings.Count > 0) attachments.Add(Attach(dir, "Findings", "text/csv", "csv", FindingsCsv(r.Findings)));

        var labels = new JsonArray
        {
            Label("epic", req.Process),
            Label("story", req.Id),
            Label("parentSuite", req.Process),
            Label("suite", req.Id),
            Label("severity", req.Mandatory ? "critical" : "normal"),
            Label("framework", "qualify"),
            Label("language", "gherkin"),
            Label("requirement", req.Id),
            Label("verdict", shown),
        };
        foreach (var feature in scenarios.Select(s => s.Case.FeatureName).Distinct()) labels.Add(Label("feature", feature));
        foreach (var role in req.Roles) labels.Add(Label("tag", "role:" + role));
        foreach (var i in req.Interfaces) labels.Add(Label("tag", i));
        labels.Add(Label("tag", req.Mandatory ? "mandatory" : "optional"));
        if (report.MustPass.Contains(req.Id, StringComparer.OrdinalIgnoreCase)) labels.Add(Label("tag", "must-pass"));
        if (waiver is not null) labels.Add(Label("tag", "waived"));

        var description = new StringBuilder();
        description.Append(req.Title).Append("\n\nSource: ").Append(req.Source)
            .Append("\nMandatory: ").Append(req.Mandatory ? "yes" : "no (optional)")
            .Append("\nRoles: ").Append(string.Join(", ", req.Roles)).Append("; interfaces: ").Append(string.Join(", ", req.Interfaces));
        if (req.Sla is not null) description.Append("\nSLA: ").Append(req.Sla.Describe());
        description.Append("\nVerdict: ").Append(shown).Append(" — ").Append(r.Reason);
        if (waiver is not null) description.Append("\nWaiver: ").Append(waiver.Reason).Append(" (until ").Append(waiver.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(')');
        description.Append("\nScenarios: ").Append(r.Scenarios.Count == 0 ? "none executed" : string.Join(", ", r.Scenarios));

        var start = scenarios.Count == 0 ? report.StartedAt : scenarios.Min(s => s.Start);
        var stop = scenarios.Count == 0 ? report.StartedAt : scenarios.Max(s => s.Stop);
        var result = new JsonObject
        {
            ["uuid"] = uuid,
            ["historyId"] = RunReport.StableId("requirement|" + req.Id),
            ["testCaseId"] = RunReport.StableId("requirement|" + req.Id),
            ["name"] = $"{req.Id}: {req.Title}",
            ["fullName"] = $"{req.Process}/{req.Id}",
            ["description"] = description.ToString(),
            ["status"] = status,
            ["statusDetails"] = new JsonObject
            {
                ["message"] = message,
                ["trace"] = r.Findings.Count == 0 ? null : string.Join("\n", r.Findings.Select(f => $"{RunReport.VerdictText(f.Verdict)} {f.Scenario} {f.Mpan}: {f.Summary} [evidence {string.Join(", ", f.Evidence.Select(e => e.MessageId))}]")),
            },
            ["stage"] = "finished",
            ["start"] = start.ToUnixTimeMilliseconds(),
            ["stop"] = stop.ToUnixTimeMilliseconds(),
            ["labels"] = labels,
            ["links"] = new JsonArray(new JsonObject { ["name"] = req.Id, ["url"] = $"../rttm.html#{Uri.EscapeDataString(req.Id)}", ["type"] = "tms" }),
            ["parameters"] = new JsonArray(
                new JsonObject { ["name"] = "candidate", ["value"] = report.Candidate },
                new JsonObject { ["name"] = "verdict", ["value"] = shown }),
            ["steps"] = new JsonArray(scenarios.Select(s => ScenarioStep(dir, s, r)).ToArray()),
            ["attachments"] = attachments,
        };
        File.WriteAllText(Path.Combine(dir, $"{uuid}-result.json"), result.ToJsonString(Indented));
    }

    private JsonNode ScenarioStep(string dir, ScenarioResult s, RequirementResult r)
    {
        var attachments = new JsonArray();
        var records = journal.Where(x => x.Scenario == s.Case.Id).ToList();
        foreach (var x in records.Where(x => x.Kind is JournalKind.Inbound or JournalKind.Response or JournalKind.Push or JournalKind.Css))
            attachments.Add(Attach(dir, MessageName(x), "application/json", "json", JsonSerializer.Serialize(x, Compact)));
        // Screenshots of a candidate driven through its web portal (drive: browser), kept in the run folder.
        foreach (var x in records.Where(x => x.Kind == JournalKind.Driver && x.Body?["screenshots"] is JsonArray))
            foreach (var shot in x.Body!["screenshots"]!.AsArray().Select(n => n?.ToString()).OfType<string>())
                if (AttachFile(dir, $"#{x.Sequence} {x.MarketTime} {x.EventCode} through the portal: {Path.GetFileName(shot)}", "image/png", "png",
                        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dir))!, shot)) is { } a)
                    attachments.Add(a);
        var findings = r.Findings.Where(f => f.Scenario == s.Case.Id).ToList();
        if (findings.Count > 0) attachments.Add(Attach(dir, "Findings in this scenario", "text/csv", "csv", FindingsCsv(findings)));
        attachments.Add(Attach(dir, "Market-time timeline", "text/plain", "txt", Timeline(records)));
        var arguments = s.Case.Arguments.Keys.Cast<string>().Select(k => (JsonNode)new JsonObject { ["name"] = k, ["value"] = s.Case.Arguments[k]?.ToString() }).ToList();
        arguments.Add(new JsonObject { ["name"] = "market time", ["value"] = $"{MarketTime.ToDip(s.MarketStart)} → {MarketTime.ToDip(s.MarketEnd)}" });
        return new JsonObject
        {
            ["name"] = $"Scenario: {s.Case.Name} ({s.Case.Id})",
            ["status"] = Status(s.Outcome),
            ["stage"] = "finished",
            ["statusDetails"] = s.Error is null ? null : new JsonObject { ["message"] = s.Error },
            ["start"] = s.Start.ToUnixTimeMilliseconds(),
            ["stop"] = s.Stop.ToUnixTimeMilliseconds(),
            ["steps"] = new JsonArray(s.Steps.Select(Step).ToArray()),
            ["attachments"] = attachments,
            ["parameters"] = new JsonArray(arguments.ToArray()),
        };
    }

    private static string MessageName(JournalRecord r) => r.Kind switch
    {
        JournalKind.Inbound => $"#{r.Sequence} {r.MarketTime} {r.InterfaceId} received by the DIP{(r.From is null ? "" : " from " + r.From)}",
        JournalKind.Response => $"#{r.Sequence} {r.MarketTime} DIP answered HTTP {r.Status} to #{r.ReplyTo}",
        JournalKind.Css => $"#{r.Sequence} {r.MarketTime} CSS event for {r.Mpan}: {r.Note}",
        _ => $"#{r.Sequence} {r.MarketTime} {r.InterfaceId} {r.EventCode} published to {r.To} ({r.Status?.ToString(CultureInfo.InvariantCulture) ?? "recorded"})",
    };

    /// <summary>The evidence item with the exact message it names (one item of a sent array, or a publication) and the DIP's answer.</summary>
    private string EvidenceBody(Finding f, EvidenceItem e)
    {
        var o = new JsonObject
        {
            ["requirement"] = f.RequirementId, ["verdict"] = RunReport.VerdictText(f.Verdict), ["finding"] = f.Summary, ["scenario"] = f.Scenario, ["mpan"] = f.Mpan,
            ["evidence"] = e.MessageId, ["description"] = e.Description, ["marketTime"] = MarketTime.ToDip(e.MarketTime),
        };
        var id = e.MessageId.TrimStart('J');
        var hash = id.IndexOf('#');
        if (long.TryParse(hash < 0 ? id : id[..hash], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            && journal.FirstOrDefault(x => x.Sequence == seq) is { } record)
        {
            o["journalSequence"] = seq;
            o["kind"] = record.Kind;
            o["url"] = record.Url;
            if (hash >= 0 && int.TryParse(id[(hash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var item) && record.Body is JsonArray items && item < items.Count)
                o["message"] = items[item]?.DeepClone();
            else o["message"] = record.Body?.DeepClone() ?? record.RawBody;
            if (journal.FirstOrDefault(x => x.Kind == JournalKind.Response && x.ReplyTo == seq) is { } answer)
                o["dipAnswer"] = new JsonObject { ["status"] = answer.Status, ["body"] = answer.Body?.DeepClone() };
        }
        return o.ToJsonString(Indented);
    }

    private static string FindingsCsv(IEnumerable<Finding> findings)
    {
        static string Q(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
        var csv = new StringBuilder("requirement,verdict,scenario,mpan,summary,evidence\n");
        foreach (var f in findings)
            csv.AppendJoin(',', Q(f.RequirementId), RunReport.VerdictText(f.Verdict), Q(f.Scenario), Q(f.Mpan), Q(f.Summary),
                Q(string.Join(" | ", f.Evidence.Select(e => $"{e.MessageId} {MarketTime.ToDip(e.MarketTime)} {e.Description}")))).Append('\n');
        return csv.ToString();
    }

    private static string Timeline(IEnumerable<JournalRecord> records)
    {
        var sb = new StringBuilder("market time                 #seq   kind      interface event           mpan           from → to       note\n");
        foreach (var r in records)
            sb.Append(CultureInfo.InvariantCulture, $"{r.MarketTime,-27} #{r.Sequence,-5} {r.Kind,-9} {r.InterfaceId,-9} {r.EventCode,-15} {r.Mpan,-14} {r.From ?? "-"} → {r.To ?? "-"}  {r.Status?.ToString(CultureInfo.InvariantCulture)} {r.Note}\n");
        return sb.ToString();
    }

    private static JsonObject Attach(string dir, string name, string type, string ext, string content)
    {
        var source = $"{Guid.NewGuid()}-attachment.{ext}";
        File.WriteAllText(Path.Combine(dir, source), content, new UTF8Encoding(false));
        return new JsonObject { ["name"] = name, ["source"] = source, ["type"] = type };
    }

    private static JsonObject? AttachFile(string dir, string name, string type, string ext, string path)
    {
        if (!File.Exists(path)) return null;
        var source = $"{Guid.NewGuid()}-attachment.{ext}";
        File.Copy(path, Path.Combine(dir, source));
        return new JsonObject { ["name"] = name, ["source"] = source, ["type"] = type };
    }

    private static string Status(Outcome o) => o switch { Outcome.Passed => "passed", Outcome.Failed => "failed", Outcome.Skipped => "skipped", _ => "broken" };

    private static JsonNode Step(StepResult st) => new JsonObject
    {
        ["name"] = st.Step.Keyword + st.Step.Text,
        ["status"] = Status(st.Outcome),
        ["stage"] = "finished",
        ["statusDetails"] = st.Error is null ? null : new JsonObject { ["message"] = st.Error },
        ["start"] = st.Start.ToUnixTimeMilliseconds(),
        ["stop"] = st.Stop.ToUnixTimeMilliseconds(),
        ["steps"] = new JsonArray(),
        ["attachments"] = new JsonArray(),
        ["parameters"] = new JsonArray(),
    };

    private static JsonObject Label(string name, string value) => new() { ["name"] = name, ["value"] = value };
}
