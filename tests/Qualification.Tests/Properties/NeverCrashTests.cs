using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Qualification.Domain;
using Qualification.Domain.Evidence;
using Qualification.Runner.Composition;
using Qualification.Runner.Execution;
using Qualification.Tests.Stubs;

namespace Qualification.Tests.Properties;

/// <summary>
/// Properties over arbitrary input: the MPAN parser, the profile loader, the feature reader, the
/// journal reader and the DIP channel never crash; bad input is always a clear refusal.
/// </summary>
public class NeverCrashTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Test]
    public void MpanProblem_NeverThrows_AndAgreesWithTryParse() =>
        Check.One(Quick, Prop.ForAll<string>(text =>
        {
            var problem = MpanCore.Problem(text);
            return (problem is null) == MpanCore.TryParse(text, out _);
        }));

    [Test]
    public void ValidCores_SurviveARoundTrip() =>
        Check.One(Quick, Prop.ForAll(Gen.Choose(0, 9).ArrayOf(12).ToArbitrary(), digits =>
        {
            var core = MpanCore.FromFirst12(string.Concat(digits.Select(d => (char)('0' + d))));
            return MpanCore.Parse(core.Value) == core;
        }));

    // YAML-ish noise built from the profile's own vocabulary, so the loader gets past the parser often.
    private static readonly Gen<string> ProfileText =
        Gen.Elements("participant:", "endpoints:", "harness:", " name: X", " role: SUP", " role: [", " dipId: \"2300000012\"", " dipId: 12", " mpid: ABCD",
                "  callbackUrl: \"http://127.0.0.1:1/x\"", " callbackUrl: ::", "{", "}", "- a", "\t", ": :", "segments: [S, A]", "apiKey: k", "dipUrl: ftp://x", "\"", "'")
            .ListOf().Select(parts => string.Join("\n", parts));

    [Test]
    public void ProfileLoader_EitherLoadsOrExplains() =>
        Check.One(Quick, Prop.ForAll(ProfileText.ToArbitrary(), text =>
        {
            var path = Path.Combine(Path.GetTempPath(), "qualify-tests", "profile-" + Guid.NewGuid().ToString("N") + ".yaml");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            try { CandidateProfile.Load(path); return true; }
            catch (InputException e) { return e.Message.Contains(path, StringComparison.Ordinal); }
            finally { File.Delete(path); }
        }));

    private static readonly Gen<string> FeatureText =
        Gen.Elements("Feature: F", "  Scenario: S", "  Scenario Outline: O", "    Examples:", "      | a | b |", "      | 1 |", "    Given the market time is 2026-01-05",
                "    When x", "  Background:", "  Rule: R", "@tag", "  \"\"\"", "# comment", "Then", "Feature:", "    And <a>")
            .ListOf().Select(parts => string.Join("\n", parts));

    [Test]
    public void FeatureReader_EitherReadsOrExplains() =>
        Check.One(Quick, Prop.ForAll(FeatureText.ToArbitrary(), text =>
        {
            var dir = Path.Combine(Path.GetTempPath(), "qualify-tests", "features-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "f.feature"), text);
            try { FeatureSuite.Load(dir); return true; }
            catch (InputException e) { return e.Message.Contains("f.feature", StringComparison.Ordinal) || e.Message.Contains("No .feature", StringComparison.Ordinal); }
            finally { Directory.Delete(dir, true); }
        }));

    [Test]
    public void JournalReader_ReadsEveryCompleteLineOfAnyTruncation()
    {
        var path = Path.Combine(Path.GetTempPath(), "qualify-tests", "journal-" + Guid.NewGuid().ToString("N") + ".jsonl");
        using (var journal = new Journal(path))
            for (var i = 0; i < 20; i++)
                journal.Append(new JournalRecord { Kind = JournalKind.Inbound, InterfaceId = "IF-031", Mpan = "2300000000019", Note = $"message {i} with unicode £ and \"quotes\"" });
        var bytes = File.ReadAllBytes(path);
        Check.One(Quick, Prop.ForAll(Gen.Choose(0, bytes.Length).ToArbitrary(), cut =>
        {
            var truncated = path + ".cut";
            File.WriteAllBytes(truncated, bytes[..cut]);
            var read = Journal.Read(truncated).ToList();
            var completeLines = bytes[..cut].Count(b => b == (byte)'\n');
            return read.Count(r => r.Record is not null) >= completeLines && read.Count(r => r.Problem is not null) <= 1;
        }));
    }

    private static readonly Gen<string> DipBody =
        Gen.OneOf(
            Gen.Elements("", "[", "[]", "{}", "null", "[null]", "[{}]", "[{\"payload\":1}]", "[{\"payload\":{}}]", "\u0000", "[[[[[[[[[[]]]]]]]]]]",
                "[{\"payload\":{\"CommonBlock\":{\"S0\":{\"interfaceID\":\"IF-031\",\"schemaVersion\":\"011\",\"eventCode\":\"[MSApp]\"}}}}]"),
            ArbMap.Default.GeneratorFor<string>());

    [Test]
    public async Task DipChannel_AnswersEveryBody_WithoutAServerError()
    {
        await using var central = new CentralServices();
        using var http = new HttpClient();
        var bodies = DipBody.Sample(200, 40);
        foreach (var body in bodies)
        {
            using var response = await http.PostAsync($"{central.Dip.Url}/dip-channel/IF-031", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.That((int)response.StatusCode, Is.LessThan(500), $"body: {body}");
        }
        using var probe = await http.PostAsync($"{central.Dip.Url}/dip-channel/IF-031", new StringContent("[]", Encoding.UTF8, "application/json"));
        Assert.That(probe.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "still answering after the fuzzing");
        Assert.That(central.Journal.Records.Count(r => r.Kind == JournalKind.Inbound), Is.EqualTo(bodies.Length + 1), "every call journalled");
    }
}
