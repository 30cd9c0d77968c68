using System.Globalization;
using System.Xml.Linq;
using Qualification.Rules;
using Qualification.Runner.Execution;

namespace Qualification.Runner.Reporting;

/// <summary>
/// junit.xml for CI systems: one test case per scenario (classname = feature file), requirement
/// ids in properties. A scenario fails when it failed or a requirement it covers failed in it;
/// a harness fault is an error; a failure only through waived requirements is skipped, so a
/// waiver never shows as a pass.
/// </summary>
public static class JUnitWriter
{
    /// <summary>The XML document as text.</summary>
    public static string Write(RunReport report)
    {
        var suites = new XElement("testsuites", new XAttribute("name", $"qualify {report.RunId}"));
        foreach (var feature in report.Scenarios.GroupBy(s => s.Case.FeatureFile))
        {
            var suite = new XElement("testsuite", new XAttribute("name", feature.Key), new XAttribute("timestamp", feature.Min(s => s.Start).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)));
            int failures = 0, errors = 0, skipped = 0;
            foreach (var s in feature)
            {
                var requirements = report.Requirements.Where(r => s.Case.Requirements.Contains(r.Requirement.Id, StringComparer.OrdinalIgnoreCase)).ToList();
                var failing = requirements.Select(r => (r, f: r.Findings.FirstOrDefault(f => f.Scenario == s.Case.Id && f.Verdict is Verdict.Failed or Verdict.NotObserved)))
                    .Where(x => x.f is not null).ToList();
                var unwaived = failing.Where(x => report.WaiverFor(x.r) is null).ToList();
                var test = new XElement("testcase",
                    new XAttribute("name", s.Case.Name),
                    new XAttribute("classname", s.Case.FeatureFile.Replace('/', '.')),
                    new XAttribute("file", s.Case.FeatureFile),
                    new XAttribute("line", s.Case.Line),
                    new XAttribute("time", (s.Stop - s.Start).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)));
                var properties = new XElement("properties",
                    new XElement("property", new XAttribute("name", "scenario"), new XAttribute("value", s.Case.Id)),
                    requirements.Select(r => new XElement("property", new XAttribute("name", "requirement"), new XAttribute("value", r.Requirement.Id))),
                    requirements.Select(r => new XElement("property", new XAttribute("name", "verdict:" + r.Requirement.Id), new XAttribute("value", report.Shown(r)))));
                test.Add(properties);
                if (s.Outcome is Outcome.Broken or Outcome.Undefined)
                {
                    errors++;
                    test.Add(new XElement("error", new XAttribute("message", "harness or input fault (not the candidate): " + s.Error), new XAttribute("type", s.Outcome.ToString()), s.Error));
                }
                else if (unwaived.Count > 0 || (s.Outcome == Outcome.Failed && failing.Count == 0))
                {
                    failures++;
                    var text = unwaived.Count > 0 ? string.Join("\n", unwaived.Select(x => $"{x.r.Requirement.Id} {RunReport.VerdictText(x.f!.Verdict)}: {x.f.Summary}")) : s.Error ?? "scenario failed";
                    test.Add(new XElement("failure", new XAttribute("message", text.Split('\n')[0]), new XAttribute("type", "RequirementFailed"), text));
                }
                else if (failing.Count > 0 || s.Outcome == Outcome.Failed)
                {
                    skipped++;
                    test.Add(new XElement("skipped", new XAttribute("message", "WAIVED: " + string.Join("; ", failing.Select(x => $"{x.r.Requirement.Id} until {report.WaiverFor(x.r)!.Expires:yyyy-MM-dd}: {report.WaiverFor(x.r)!.Reason}")))));
                }
                else if (s.Outcome == Outcome.Skipped)
                {
                    skipped++;
                    test.Add(new XElement("skipped", new XAttribute("message", s.Error ?? "skipped")));
                }
                if (s.Error is not null) test.Add(new XElement("system-out", s.Error));
                suite.Add(test);
            }
            suite.Add(new XAttribute("tests", feature.Count()), new XAttribute("failures", failures), new XAttribute("errors", errors), new XAttribute("skipped", skipped),
                new XAttribute("time", feature.Sum(s => (s.Stop - s.Start).TotalSeconds).ToString("0.000", CultureInfo.InvariantCulture)));
            suites.Add(suite);
        }
        var all = suites.Elements("testsuite").ToList();
        suites.Add(new XAttribute("tests", all.Sum(x => (int)x.Attribute("tests")!)), new XAttribute("failures", all.Sum(x => (int)x.Attribute("failures")!)),
            new XAttribute("errors", all.Sum(x => (int)x.Attribute("errors")!)), new XAttribute("skipped", all.Sum(x => (int)x.Attribute("skipped")!)));
        // XDocument.ToString() leaves the declaration out.
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + suites;
    }
}
