using System.Net.Http.Headers;
using System.Text;
using Qualification.Tests.Support;

namespace Qualification.Tests.Stubs;

/// <summary><c>qualify stubs</c> as a user runs it: a separate process, real HTTP on 127.0.0.1.</summary>
public class StubsCommandTests
{
    private static string Profile(string folder, int dipPort, int cssPort, string signing, int? dtnPort = null)
    {
        var path = Path.Combine(folder, "profile.yaml");
        File.WriteAllText(path, $$"""
            participant: { name: Stub Rehearsal Supplier, role: SUP, dipId: "2300000012", mpid: REFS }
            endpoints: { callbackUrl: "http://127.0.0.1:{{Qualify.FreePort()}}/dip/inbound" }
            harness: { dipUrl: "http://127.0.0.1:{{dipPort}}", cssUrl: "http://127.0.0.1:{{cssPort}}", dtnUrl: "http://127.0.0.1:{{dtnPort ?? Qualify.FreePort()}}", apiKey: "stub-key", signing: {{signing}} }
            """);
        return path;
    }

    [Test]
    public async Task Stubs_command_serves_the_dip_until_stopped_and_applies_the_profile()
    {
        var folder = Directory.CreateTempSubdirectory("qualify-stubs-").FullName;
        var (dipPort, cssPort, dtnPort) = (Qualify.FreePort(), Qualify.FreePort(), Qualify.FreePort());
        using var process = Qualify.Start(["stubs", "--candidate", Profile(folder, dipPort, cssPort, "required", dtnPort), "--results", Path.Combine(folder, "out")]);
        try
        {
            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (!lines.Any(l => l.StartsWith("Ctrl-C", StringComparison.Ordinal)))
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null) Assert.Fail("qualify stubs ended early: " + string.Join("\n", lines) + await process.StandardError.ReadToEndAsync());
                lines.Add(line!);
            }
            var output = string.Join("\n", lines);
            // WireMock reports a loopback binding as "localhost" (it listens on 127.0.0.1 and ::1 only).
            Assert.That(output, Does.Match($@"DIP   http://(127\.0\.0\.1|localhost):{dipPort} ").And.Match($@"CSS   http://(127\.0\.0\.1|localhost):{cssPort} ").And.Contain("signing required"));
            var certLine = lines.Single(l => l.StartsWith("Harness signing certificate", StringComparison.Ordinal));
            var certPath = certLine[(certLine.IndexOf(": ", StringComparison.Ordinal) + 2)..];
            Assert.That(File.ReadAllText(certPath), Does.StartWith("-----BEGIN CERTIFICATE-----"));

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dipPort}") };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/dip-channel/IF-031") { Content = new StringContent(DipTestHost.Array(DipTestHost.ValidIf031()), Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-API-Key", "stub-key");
            using var response = await http.SendAsync(request);
            Assert.That((int)response.StatusCode, Is.EqualTo(401), "the profile requires signing and this call is unsigned");
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("signature headers missing"));

            // The DTN gateway is up beside the DIP: a flow file posted to it is accepted and journalled.
            Assert.That(output, Does.Match($@"DTN   http://127\.0\.0\.1:{dtnPort} "));
            using var dtn = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dtnPort}") };
            using var flow = new ByteArrayContent(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Dtn", "Samples", "D0010_valid.flow")));
            flow.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var accepted = await dtn.PostAsync("/dtn/flows", flow);
            Assert.That((int)accepted.StatusCode, Is.EqualTo(202), await accepted.Content.ReadAsStringAsync());
            Assert.That(File.ReadAllText(Path.Combine(folder, "out", "journal.jsonl")), Does.Contain("\"D0010002\""));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Test]
    public async Task Bad_signing_value_in_the_profile_is_refused_with_exit_2()
    {
        var folder = Directory.CreateTempSubdirectory("qualify-stubs-").FullName;
        var result = await Qualify.RunAsync(["stubs", "--candidate", Profile(folder, Qualify.FreePort(), Qualify.FreePort(), "sometimes")], TimeSpan.FromSeconds(60));
        Assert.That(result.ExitCode, Is.EqualTo(2), result.All);
        Assert.That(result.Error, Does.Contain("harness.signing is 'sometimes'; use required, optional or off"));
    }
}
