using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qualification.Domain.Evidence;
using Qualification.Rules;
using Qualification.Runner.Execution;

namespace Qualification.Runner.Reporting;

/// <summary>
/// Writes Allure results in the documented file format (no Allure .NET package is used): one
/// result per scenario with its steps, labels (epic = process, feature, story = requirement,
/// severity), TMS links to requirements, and attachments for every message exchanged, the
/// findings and the market-time timeline.
/// </summary>
public sealed class AllureWriter(RunReport report, IReadOnlyList<JournalRecord> journal)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes into <paramref name="dir"/> (created; previous results there are kept for history).</summary>
    public void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var scenario in report.Scenarios) WriteScenario(dir, scenario);
        File.WriteAllText(Path.Combine(dir, "environment.properties"),
            $"candidate={report.Candidate}\nrunId={report.RunId}\ntimeScale={report.TimeScale}\ndipApi=2.2.1\nharness=qualify {typeof(AllureWriter).Assembly.GetName().Version}\n");
        File.WriteAllText(Path.Combine(dir, "executor.json"), new JsonObject { ["name"] = "qualify", ["type"] = "qualify", ["buildName"] = report.RunId }.ToJsonString(Indented));
        File.WriteAllText(Path.Combine(dir, "categories.json"), new JsonArray(
            new JsonObject { ["name"] = "Candidate did not meet a requirement", ["matchedStatuses"] = new JsonArray("failed") },
            new JsonObject { ["name"] = "Harness or input fault (not the candidate)", ["matchedStatuses"] = new JsonArray("broken") }).ToJsonString(Indented));
    }

    private void WriteScenario(string dir, ScenarioResult s)
    {
        var uuid = Guid.NewGuid().ToString();
        var requirements = report.Requirements.Where(r => s.Case.Requirements.Contains(r.Requirement.Id)).ToList();
        var findings = requirements.SelectMany(r => r.Findings.Where(f => f.Scenario == s.Case.Id)).ToList();
        var failedFinding = findings.FirstOrDefault(f => f.Verdict == Verdict.Failed);
        var status = s.Outcome switch
        {
            Outcome.Passed when failedFinding is not null => "failed",
            Outcome.Passed => "passed",
            Outcome.Failed => "failed",
            Outcome.Skipped => "skipped",
            _ => "broken",
        };
        var message = s.Error ?? (failedFinding is null ? null : $"{failedFinding.RequirementId}: {failedFinding.Summary}");

        var attachments = new JsonArray();
        void Attach(string name, string type, string ext, string content)
        {
            var source = $"{Guid.NewGuid()}-attachment.{ext}";
            File.WriteAllText(Path.Combine(dir, source), content, Encoding.UTF8);
            attachments.Add(new JsonObject { ["name"] = name, ["source"] = source, ["type"] = type });
        }
        var records = journal.Where(r => r.Scenario == s.Case.Id).ToList();
        foreach (var r in records.Where(r => r.Kind is JournalKind.Inbound or JournalKind.Push or JournalKind.Response))
        {
            var name = r.Kind switch
            {
                JournalKind.Inbound => $"#{r.Sequence} {r.MarketTime} sent {r.InterfaceId}",
                JournalKind.Response => $"#{r.Sequence} {r.MarketTime} DIP answered {r.Status} to #{r.ReplyTo}",
                _ => $"#{r.Sequence} {r.MarketTime} published {r.InterfaceId} {r.EventCode} to {r.To} ({r.Status?.ToString() ?? "recorded"})",
            };
            Attach(name, "application/json", "json", JsonSerializer.Serialize(r, Indented));
        }
        if (findings.Count > 0)
        {
            var csv = new StringBuilder("requirement,verdict,mpan,summary,evidence\n");
            foreach (var f in findings)
                csv.Append($"{f.RequirementId},{RunReport.VerdictText(f.Verdict)},{f.Mpan},\"{f.Summary.Replace("\"", "\"\"")}\",\"{string.Join(" | ", f.Evidence.Select(e => e.Description)).Replace("\"", "\"\"")}\"\n");
            Attach("Findings", "text/csv", "csv", csv.ToString());
        }
        var timeline = new StringBuilder();
        foreach (var r in records)
            timeline.Append($"{r.MarketTime}  #{r.Sequence,-5} {r.Kind,-8} {r.InterfaceId} {r.EventCode} {r.Mpan} {(r.From is null ? "" : "from " + r.From)} {(r.To is null ? "" : "to " + r.To)} {r.Note}\n");
        Attach("Market-time timeline", "text/plain", "txt", timeline.ToString());

        var labels = new JsonArray
        {
            Label("epic", s.Case.Process ?? requirements.FirstOrDefault()?.Requirement.Process ?? "unclassified"),
            Label("feature", s.Case.FeatureName),
            Label("suite", s.Case.FeatureFile),
            Label("severity", requirements.Any(r => r.Requirement.Mandatory) ? "critical" : "normal"),
            Label("framework", "reqnroll"),
            Label("language", "gherkin"),
        };
        foreach (var r in requirements) labels.Add(Label("story", $"{r.Requirement.Id} {r.Requirement.Title}"));
        foreach (var t in s.Case.AllTags) labels.Add(Label("tag", t));
        var links = new JsonArray(requirements.Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Requirement.Id, ["url"] = $"../rttm.html#{r.Requirement.Id}", ["type"] = "tms",
        }).ToArray());

        var result = new JsonObject
        {
            ["uuid"] = uuid,
            ["historyId"] = RunReport.StableId(s.Case.Id + "|" + s.Case.Name),
            ["testCaseId"] = RunReport.StableId(s.Case.Id),
            ["name"] = s.Case.Name,
            ["fullName"] = $"{s.Case.FeatureFile}: {s.Case.Name}",
            ["description"] = s.Case.Description.Length > 0 ? s.Case.Description : s.Case.FeatureDescription,
            ["status"] = status,
            ["statusDetails"] = new JsonObject { ["message"] = message, ["trace"] = findings.Count == 0 ? null : string.Join("\n", findings.Select(f => $"{RunReport.VerdictText(f.Verdict)} {f.RequirementId}: {f.Summary}")) },
            ["stage"] = "finished",
            ["start"] = s.Start.ToUnixTimeMilliseconds(),
            ["stop"] = s.Stop.ToUnixTimeMilliseconds(),
            ["labels"] = labels,
            ["links"] = links,
            ["parameters"] = new JsonArray(s.Case.Arguments.Keys.Cast<string>().Select(k => (JsonNode)new JsonObject { ["name"] = k, ["value"] = s.Case.Arguments[k]?.ToString() }).ToArray()),
            ["steps"] = new JsonArray(s.Steps.Select(Step).ToArray()),
            ["attachments"] = attachments,
        };
        File.WriteAllText(Path.Combine(dir, $"{uuid}-result.json"), result.ToJsonString(Indented));
    }

    private static JsonNode Step(StepResult st) => new JsonObject
    {
        ["name"] = st.Step.Keyword + st.Step.Text,
        ["status"] = st.Outcome switch { Outcome.Passed => "passed", Outcome.Failed => "failed", Outcome.Skipped => "skipped", _ => "broken" },
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
