using Qualification.Dtn.Validation;
using Qualification.Runner.Composition;
using Qualification.Tests.Support;

namespace Qualification.Tests.Reliability;

/// <summary>
/// Rows of docs/bad-input.md for files and options: profiles, feature tables, journals for
/// `qualify evaluate`, DTN flows, run options. Each gives a message naming what, where and how to fix.
/// </summary>
public class CliBadInputTests
{
    // ---- candidate profiles (loaded in-process: the loader is what `run` and `stubs` call) ----------

    private static string ProfileFile(string text)
    {
        var path = Path.Combine(Qualify.TempDir("profile"), "profile.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private const string Good = "participant: { name: X, role: SUP, dipId: \"2300000501\", mpid: ABCD }\nendpoints: { callbackUrl: \"http://127.0.0.1:9101/dip/inbound\" }\n";

    [TestCase("profile that is not YAML", "participant: [\n  name: x\n", ".yaml:1:")]
    [TestCase("empty profile", "", "the profile is empty")]
    [TestCase("callback URL that is not http", "participant: { name: X, role: SUP, dipId: \"2300000501\", mpid: ABCD }\nendpoints: { callbackUrl: \"ftp://127.0.0.1/x\" }\n", "endpoints.callbackUrl 'ftp://127.0.0.1/x' is not an http(s) URL")]
    [TestCase("unknown market segment", "participant: { name: X, role: SUP, dipId: \"2300000501\", mpid: ABCD, segments: [Z] }\nendpoints: { callbackUrl: \"http://127.0.0.1:9101/x\" }\n", "participant.segments has 'Z'; use S, A or U")]
    [TestCase("DIP URL that is https", Good + "harness: { dipUrl: \"https://127.0.0.1:7401\" }\n", "harness.dipUrl 'https://127.0.0.1:7401' must be an http URL")]
    [TestCase("signing certificate file missing", Good + "harness: { signingCertificate: nowhere.pem }\n", "harness.signingCertificate")]
    [TestCase("DIP id the harness plays itself", "participant: { name: X, role: SUP, dipId: \"1000000001\", mpid: ABCD }\nendpoints: { callbackUrl: \"http://127.0.0.1:9101/x\" }\n", "is one the harness plays itself")]
    [TestCase("unknown top-level field", Good + "harnes: { dipUrl: \"http://127.0.0.1:7401\" }\n", "harnes")]
    public void Bad_profile_is_refused_naming_the_file_and_field(string row, string text, string expected)
    {
        var path = ProfileFile(text);
        var e = Assert.Throws<InputException>(() => CandidateProfile.Load(path), row);
        Assert.That(e!.Message, Does.Contain(path).And.Contain(expected), row);
    }

    [Test]
    public void Missing_profile_file_is_refused_naming_it()
    {
        var path = Path.Combine(Qualify.TempDir("profile"), "absent.yaml");
        var e = Assert.Throws<InputException>(() => CandidateProfile.Load(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("does not exist"));
    }

    // ---- DTN flows (the validator `qualify flow` and the DTN gateway use) -------------------------

    private const string Zhv = "ZHV|F000000101|D0010002|D|DCAA|X|SUPA|20260105101500||||TR01|";

    [TestCase("flow header naming an unknown flow", "ZHV|F000000101|D9999001|D|DCAA|X|SUPA|20260105101500||||TR01|\nZPT|F000000101|0||1|20260105101501|\n", "DTN-FLOW")]
    [TestCase("flow header with too few fields", "ZHV|F000000101|D0010002|\n026|2300000000019|V|\nZPT|F000000101|1||1|20260105101501|\n", "ZHV")]
    [TestCase("flow with a group out of order", Zhv + "\n026|2300000000019|V|\n030|01|20260104000000|4512.0|||T|N|\n028|E21Z000123|R|\nZPT|F000000101|3||1|20260105101501|\n", "DTN-GROUP-ORDER")]
    [TestCase("flow with an unknown group", Zhv + "\n026|2300000000019|V|\n999|x|\nZPT|F000000101|2||1|20260105101501|\n", "999")]
    [TestCase("flow trailer count wrong", Zhv + "\n026|2300000000019|V|\n028|E21Z000123|R|\n030|01|20260104000000|4512.0|||T|N|\nZPT|F000000101|7||1|20260105101501|\n", "DTN-ZPT")]
    [TestCase("flow with a bad MPAN check digit", Zhv + "\n026|2300000000018|V|\n028|E21Z000123|R|\n030|01|20260104000000|4512.0|||T|N|\nZPT|F000000101|3||1|20260105101501|\n", "DTN-MPAN")]
    [TestCase("empty flow file", "", "ZHV")]
    [TestCase("binary file given as a flow", "\u0000\u0001\u00ff\u00fe|||\u0007\n\u0000", "ZHV")]
    public void Bad_flow_is_a_finding_with_line_and_rule(string row, string text, string expected)
    {
        var result = new FlowValidator().Validate(text);
        Assert.That(result.IsValid, Is.False, row);
        Assert.That(string.Join("\n", result.Findings), Does.Contain(expected), row);
        Assert.That(result.Findings.All(f => f.Message.Length > 10), "each finding says what is wrong");
    }

    [Test]
    public async Task Flow_command_on_a_binary_file_exits_1_with_findings_not_a_crash()
    {
        var file = Path.Combine(Qualify.TempDir("flow"), "binary.flow");
        await File.WriteAllBytesAsync(file, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 % 256)).ToArray());
        var result = await Qualify.RunAsync(["flow", file], TimeSpan.FromSeconds(60));
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain(file + ":1:").And.Contain("error(s)"));
        Assert.That(result.Error, Does.Not.Contain("Unhandled exception"));
    }

    // ---- journals for `qualify evaluate` ----------------------------------------------------------

    private static string JournalFile(byte[] bytes)
    {
        var path = Path.Combine(Qualify.TempDir("journal"), "journal.jsonl");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Test]
    public async Task Evaluate_missing_journal_exits_2_naming_it()
    {
        var path = Path.Combine(Qualify.TempDir("journal"), "absent.jsonl");
        var result = await Qualify.RunAsync(["evaluate", "--journal", path, "--out", Qualify.TempDir("eval")], TimeSpan.FromSeconds(60));
        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain($"--journal {path}: no such file"));
    }

    [Test]
    public async Task Evaluate_empty_journal_judges_nothing_and_fails_the_gate()
    {
        var result = await Qualify.RunAsync(["evaluate", "--journal", JournalFile([]), "--out", Qualify.TempDir("eval")], TimeSpan.FromSeconds(90));
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain("read       0 line(s)"));
        Assert.That(result.Error, Does.Not.Contain("Unhandled exception").And.Not.Contain("harness fault"));
    }

    [Test]
    public async Task Evaluate_binary_garbage_journal_lists_the_skipped_lines()
    {
        var bytes = Enumerable.Range(0, 2000).Select(i => (byte)(i % 7 == 0 ? '\n' : i * 31 % 256)).ToArray();
        var path = JournalFile(bytes);
        var result = await Qualify.RunAsync(["evaluate", "--journal", path, "--out", Qualify.TempDir("eval")], TimeSpan.FromSeconds(90));
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain($"skipped    {path}:"));
        Assert.That(result.Error, Does.Not.Contain("Unhandled exception").And.Not.Contain("harness fault"));
    }

    [Test]
    public async Task Evaluate_journal_of_valid_JSON_that_is_not_a_record_skips_each_line()
    {
        var path = JournalFile(System.Text.Encoding.UTF8.GetBytes("[1,2]\n{\"seq\":\"x\"}\n\"text\"\n{\"payload\":7}\nnull\n"));
        var result = await Qualify.RunAsync(["evaluate", "--journal", path, "--out", Qualify.TempDir("eval")], TimeSpan.FromSeconds(90));
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain($"skipped    {path}:1"));
        Assert.That(result.Error, Does.Not.Contain("Unhandled exception").And.Not.Contain("harness fault"));
    }

    [Test]
    public async Task Evaluate_bad_candidate_role_exits_2()
    {
        var result = await Qualify.RunAsync(["evaluate", "--journal", JournalFile([]), "--candidate-role", "SUP-123", "--out", Qualify.TempDir("eval")], TimeSpan.FromSeconds(60));
        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("--candidate-role SUP-123: give ROLE:DIPID"));
    }

    // ---- run options and feature folders (refused before anything starts) -------------------------

    private static string FeaturesWith(string featureText, bool catalogue = true)
    {
        var dir = Qualify.TempDir("features");
        if (catalogue) File.Copy(Path.Combine(Qualify.RepoRoot, "features", "requirements.yaml"), Path.Combine(dir, "requirements.yaml"));
        if (featureText.Length > 0) File.WriteAllText(Path.Combine(dir, "bad.feature"), featureText);
        return dir;
    }

    [TestCase("time scale of zero", new[] { "--time-scale", "0" }, "--time-scale 0: give a positive number")]
    [TestCase("pass rate above 1", new[] { "--min-pass-rate", "2" }, "--min-pass-rate 2: give a fraction between 0 and 1")]
    [TestCase("shard out of range", new[] { "--shard", "3/2" }, "3/2")]
    [TestCase("malformed tag expression", new[] { "--tags", "@role:SUP and" }, "--tags")]
    [TestCase("unknown reference fault", new[] { "--reference-fault", "explode" }, "--reference-fault")]
    public async Task Bad_run_option_exits_2_naming_it(string row, string[] options, string expected)
    {
        var result = await Qualify.RunAsync(["run", "--results", Qualify.TempDir("badopt"), .. options], TimeSpan.FromSeconds(90));
        Assert.That(result.ExitCode, Is.EqualTo(2), row + ": " + result.All);
        Assert.That(result.Error, Does.Contain(expected), row);
    }

    [Test]
    public async Task Features_folder_without_feature_files_exits_2()
    {
        var dir = FeaturesWith("");
        var result = await Qualify.RunAsync(["run", "--features", dir, "--results", Qualify.TempDir("nofeat")], TimeSpan.FromSeconds(90));
        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("No .feature files under " + dir));
    }

    [Test]
    public async Task Features_folder_without_requirements_catalogue_exits_2()
    {
        var dir = FeaturesWith("Feature: F\n  Scenario: S\n    Given the market time is 2026-01-05 09:00\n", catalogue: false);
        var result = await Qualify.RunAsync(["run", "--features", dir, "--results", Qualify.TempDir("nocat")], TimeSpan.FromSeconds(90));
        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("requirements.yaml"));
    }

    // ---- central-state tables (CentralStateSteps): one run, one scenario per bad table ---------------

    private const string TableFeature = """
        Feature: Bad tables
          Background:
            Given the market time is 2026-01-05 09:00

          @req:REC-MO-22.6.1 @role:SUP
          Scenario: missing column
            Given the registration service holds these metering points:
              | segment | gsp group |
              | S       | _J        |

          @req:REC-MO-22.6.1 @role:SUP
          Scenario: bad mpan
            Given the registration service holds these metering points:
              | mpan          | segment | gsp group | energisation |
              | 2300000000018 | S       | _J        | E            |

          @req:REC-MO-22.6.1 @role:SUP
          Scenario: bad date
            Given these supplier registrations:
              | mpan          | supplier     | from       |
              | 2300000000019 | the supplier | 05/01/2026 |

          @req:REC-MO-22.6.1 @role:SUP
          Scenario: unknown party
            Given these metering service appointments:
              | mpan          | metering service | from       |
              | 2300000000019 | the plumber      | 2024-06-01 |

          @req:REC-MO-22.6.1 @role:SUP
          Scenario: bad status
            Given these supplier registrations:
              | mpan          | supplier     | from       | status  |
              | 2300000000019 | the supplier | 2024-06-01 | Asleep  |

          @req:REC-MO-22.6.1 @role:SUP
          Scenario: bad migrated flag
            Given the registration service holds these metering points:
              | mpan          | migrated |
              | 2300000000019 | perhaps  |
        """;

    private static readonly Lazy<Task<Qualify.Result>> TableRun = new(() =>
        Qualify.RunAsync(["run", "--features", FeaturesWith(TableFeature), "--results", Qualify.TempDir("tables"), "--time-scale", "1200"], TimeSpan.FromMinutes(3)));

    [TestCase("table missing a required column", "missing column", "the table needs a 'mpan' column")]
    [TestCase("table with a bad MPAN check digit", "bad mpan", "mpan '2300000000018'")]
    [TestCase("table with a date not yyyy-MM-dd", "bad date", "'05/01/2026' is not a date; write yyyy-MM-dd")]
    [TestCase("table naming an unknown party", "unknown party", "'the plumber' is not a party")]
    [TestCase("table with an unknown status", "bad status", "status 'Asleep' is not Active")]
    [TestCase("table with a migrated flag that is not yes or no", "bad migrated flag", "migrated 'perhaps' is not yes or no")]
    public async Task Bad_table_breaks_its_scenario_with_the_row_and_what_to_write(string row, string scenario, string expected)
    {
        var run = await TableRun.Value;
        Assert.That(run.ExitCode, Is.EqualTo(2), "bad input in a feature is a broken run, not a candidate failure: " + run.All);
        var line = run.All.Split('\n').FirstOrDefault(l => l.Contains(scenario, StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal))
            ?? run.All.Split('\n').FirstOrDefault(l => l.Contains(expected, StringComparison.Ordinal));
        Assert.That(line, Is.Not.Null, $"{row}: expected '{expected}' in the output:\n{run.All}");
    }

    // ---- evidence bundles -------------------------------------------------------------------------

    [Test]
    public async Task Verify_of_a_file_that_is_not_a_bundle_fails_saying_why()
    {
        var path = Path.Combine(Qualify.TempDir("verify"), "evidence.zip");
        await File.WriteAllBytesAsync(path, System.Text.Encoding.UTF8.GetBytes("this is not a zip"));
        var result = await Qualify.RunAsync(["verify", path], TimeSpan.FromSeconds(60));
        Assert.That(result.ExitCode, Is.EqualTo(1), result.All);
        Assert.That(result.Output, Does.Contain(path).And.Contain("INVALID").And.Contain("not a qualify bundle"));
        Assert.That(result.Error, Does.Not.Contain("Unhandled exception"));
    }
}
