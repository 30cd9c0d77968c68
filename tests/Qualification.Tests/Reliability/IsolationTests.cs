using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Qualification.Domain.Evidence;
using Qualification.Tests.Support;

namespace Qualification.Tests.Reliability;

/// <summary>
/// Servers listen on loopback only, concurrent runs share nothing, the harness journal endpoint needs
/// the run's token, and a killed run can still be judged.
/// </summary>
public class IsolationTests
{
    /// <summary>Every TCP socket process <paramref name="pid"/> listens on, from /proc (Linux).</summary>
    public static IReadOnlyList<IPEndPoint> ListeningSockets(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal)) inodes.Add(target[8..^1]);
            }
            catch (IOException) { } // the descriptor closed meanwhile
        }
        var sockets = new List<IPEndPoint>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] != "0A" || !inodes.Contains(f[9])) continue; // 0A: LISTEN
                var local = f[1].Split(':');
                sockets.Add(new IPEndPoint(Decode(local[0]), int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }
        return sockets;
    }

    // /proc/net/tcp{,6} write addresses as 32-bit words in host (little-endian) order.
    private static IPAddress Decode(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
            for (var b = 0; b < 4; b++)
                bytes[word * 4 + b] = byte.Parse(hex.AsSpan(word * 8 + (3 - b) * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new IPAddress(bytes);
    }

    private static bool IsLoopback(IPAddress a) => IPAddress.IsLoopback(a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a);

    private static async Task WaitForJournalAsync(string results, int records)
    {
        var path = Path.Combine(results, "journal.jsonl");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < until)
        {
            if (File.Exists(path) && File.ReadLines(path).Count() >= records) return;
            await Task.Delay(100);
        }
        Assert.Fail($"the run wrote fewer than {records} journal records in 90 s");
    }

    private static Process StartSlowRun(string results) =>
        Qualify.Start(["run", "--results", results, "--time-scale", "60", "--reference-service-fault", "ignore-appointment-requests"]);

    [Test]
    public async Task A_run_listens_only_on_loopback()
    {
        Assume.That(OperatingSystem.IsLinux(), "reads /proc");
        var results = Qualify.TempDir("loopback-run");
        using var run = StartSlowRun(results);
        try
        {
            await WaitForJournalAsync(results, 5);
            var sockets = ListeningSockets(run.Id);
            // DIP, CSS, DTN gateway and the two reference participants at least.
            Assert.That(sockets, Has.Count.GreaterThanOrEqualTo(4), string.Join(", ", sockets));
            Assert.That(sockets.Where(s => !IsLoopback(s.Address)), Is.Empty, "every listening socket is on 127.0.0.1 or ::1: " + string.Join(", ", sockets));
        }
        finally
        {
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
        }
    }

    [Test]
    public async Task Stubs_listen_only_on_loopback_and_the_journal_endpoint_needs_the_token()
    {
        Assume.That(OperatingSystem.IsLinux(), "reads /proc");
        var folder = Qualify.TempDir("stubs-token");
        var (dipPort, cssPort, dtnPort) = (Qualify.FreePort(), Qualify.FreePort(), Qualify.FreePort());
        var profile = Path.Combine(folder, "profile.yaml");
        await File.WriteAllTextAsync(profile, $$"""
            participant: { name: Token Supplier, role: SUP, dipId: "2300000012", mpid: REFS }
            endpoints: { callbackUrl: "http://127.0.0.1:{{Qualify.FreePort()}}/dip/inbound" }
            harness: { dipUrl: "http://127.0.0.1:{{dipPort}}", cssUrl: "http://127.0.0.1:{{cssPort}}", dtnUrl: "http://127.0.0.1:{{dtnPort}}", apiKey: "stub-key" }
            """);
        var results = Path.Combine(folder, "out");
        using var process = Qualify.Start(["stubs", "--candidate", profile, "--results", results]);
        try
        {
            await Qualify.WaitForLineAsync(process, "Journal over HTTP", TimeSpan.FromSeconds(90));
            var sockets = ListeningSockets(process.Id);
            Assert.That(sockets.Select(s => s.Port), Does.Contain(dipPort).And.Contain(cssPort).And.Contain(dtnPort));
            Assert.That(sockets.Where(s => !IsLoopback(s.Address)), Is.Empty, string.Join(", ", sockets));

            var tokenFile = Path.Combine(results, "harness-token");
            var token = (await File.ReadAllTextAsync(tokenFile)).Trim();
            Assert.That(token, Has.Length.EqualTo(32));
            if (OperatingSystem.IsLinux()) Assert.That(File.GetUnixFileMode(tokenFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead), Is.EqualTo(UnixFileMode.None), "only its owner reads the token");

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dipPort}") };
            using var post = new HttpRequestMessage(HttpMethod.Post, "/dip-channel/IF-031") { Content = new StringContent(Stubs.DipTestHost.Array(Stubs.DipTestHost.ValidIf031("TOKEN1")), System.Text.Encoding.UTF8, "application/json") };
            post.Headers.Add("X-API-Key", "stub-key");
            using var sent = await http.SendAsync(post);
            Assert.That((int)sent.StatusCode, Is.EqualTo(201));

            async Task<(int Status, string Body)> Get(string path, string? bearer)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
                using var response = await http.SendAsync(request);
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            var without = await Get("/harness/journal", null);
            var wrong = await Get("/harness/journal", new string('0', 32));
            var withApiKeyOnly = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/harness/journal") { Headers = { { "X-API-Key", "stub-key" } } });
            var right = await Get("/harness/journal?after=0", token);
            var badQuery = await Get("/harness/journal?limit=0", token);
            Assert.Multiple(() =>
            {
                Assert.That(without.Status, Is.EqualTo(401), without.Body);
                Assert.That(without.Body, Does.Contain("needs the run's token"));
                Assert.That(wrong.Status, Is.EqualTo(403), wrong.Body);
                Assert.That((int)withApiKeyOnly.StatusCode, Is.EqualTo(401), "a participant's API key is not the run's token");
                Assert.That(right.Status, Is.EqualTo(200), right.Body);
                Assert.That(badQuery.Status, Is.EqualTo(400), badQuery.Body);
            });
            var page = JsonNode.Parse(right.Body)!;
            var records = page["records"]!.AsArray();
            Assert.That(records.Any(r => r!["kind"]!.GetValue<string>() == JournalKind.Inbound && r["body"]?.ToJsonString().Contains("TOKEN1", StringComparison.Ordinal) == true),
                "the message sent is in the journal page");
            var last = page["last"]!.GetValue<long>();
            var next = JsonNode.Parse((await Get($"/harness/journal?after={last}", token)).Body)!;
            Assert.That(next["records"]!.AsArray().Select(r => r!["seq"]!.GetValue<long>()), Is.All.GreaterThan(last), "paging by sequence");
            // Reading the journal must not copy it into itself: the journal stays small.
            Assert.That(new FileInfo(Path.Combine(results, "journal.jsonl")).Length, Is.LessThan(100_000));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Test]
    public async Task Two_runs_at_once_use_their_own_ports_and_journals()
    {
        var (a, b) = (Qualify.TempDir("concurrent-a"), Qualify.TempDir("concurrent-b"));
        // One scenario that is not sensitive to CPU load (the energisation scenario at a high time scale
        // is: under load its IF-007 lands after the "4 working days pass" time travel, alone or not).
        var tags = "@req:MHHS-IF045-ACTION";
        var runs = await Task.WhenAll(
            Qualify.RunAsync(["run", "--results", a, "--tags", tags], TimeSpan.FromMinutes(4)),
            Qualify.RunAsync(["run", "--results", b, "--tags", tags], TimeSpan.FromMinutes(4)));
        Assert.That(runs.Select(r => r.ExitCode), Is.All.EqualTo(0), string.Join("\n----\n", runs.Select(r => r.All)));

        static HashSet<string> Authorities(string dir) =>
            Journal.Read(Path.Combine(dir, "journal.jsonl")).Where(r => r.Record?.Kind == JournalKind.Inbound && r.Record.Url is not null)
                .Select(r => new Uri(r.Record!.Url!).Authority).ToHashSet(StringComparer.Ordinal);
        var (ja, jb) = (Authorities(a), Authorities(b));
        Assert.That(ja, Is.Not.Empty);
        Assert.That(jb, Is.Not.Empty);
        Assert.That(ja.Intersect(jb), Is.Empty, "each run has its own DIP port");
        // Each journal is numbered 1..n on its own: no records of the other run slipped in.
        foreach (var dir in new[] { a, b })
        {
            var seq = Journal.Read(Path.Combine(dir, "journal.jsonl")).Select(r => r.Record!.Sequence).ToList();
            Assert.That(seq, Is.EqualTo(Enumerable.Range(1, seq.Count).Select(i => (long)i)));
            Assert.That(Qualify.Summary(dir)["interrupted"]!.GetValue<bool>(), Is.False);
        }
    }

    [Test]
    public async Task A_killed_run_can_be_evaluated_and_is_marked_interrupted_and_report_says_so_first()
    {
        var results = Qualify.TempDir("killed");
        using (var run = StartSlowRun(results))
        {
            await WaitForJournalAsync(results, 5);
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
        }
        var journal = Path.Combine(results, "journal.jsonl");
        var before = await File.ReadAllBytesAsync(journal);

        var report = await Qualify.RunAsync(["report", "--results", results], TimeSpan.FromSeconds(60));
        Assert.That(report.ExitCode, Is.EqualTo(2), report.All);
        Assert.That(report.Error, Does.Contain("was stopped before writing its evidence").And.Contain("qualify evaluate --journal " + journal));

        var evaluate = await Qualify.RunAsync(["evaluate", "--journal", journal, "--out", results], TimeSpan.FromMinutes(2));
        Assert.That(evaluate.ExitCode, Is.EqualTo(1), "an interrupted run never passes the gate: " + evaluate.All);
        Assert.That(evaluate.Output, Does.Contain("interrupted"));
        var summary = Qualify.Summary(results);
        Assert.That(summary["interrupted"]!.GetValue<bool>(), Is.True);
        Assert.That(summary["gate"]!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()), Does.Contain("the run was interrupted"));
        Assert.That(Directory.Exists(Path.Combine(results, "allure-results")), "qualify report can now build from it");
        Assert.That(await File.ReadAllBytesAsync(journal), Is.EqualTo(before), "evaluating in place leaves the journal untouched");
    }
}
