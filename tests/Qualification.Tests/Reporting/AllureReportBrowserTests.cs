using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Qualification.Tests.Support;

namespace Qualification.Tests.Reporting;

/// <summary>
/// What an assessor sees: the generated Allure report opened in a real Chromium (Debian's, through
/// Playwright), served over HTTP on 127.0.0.1. From a run with failures, each failed requirement,
/// its evidence attachment and the exact message body are reachable within two clicks.
/// </summary>
[NonParallelizable]
public class AllureReportBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Test]
    public async Task FailedRequirement_EvidenceAndMessageBody_AreWithinTwoClicks()
    {
        if (!File.Exists(Chromium))
            Assert.Ignore($"{Chromium} is not installed (apt-get install -y chromium; .ci/run installs it), so the report cannot be opened in a real browser here.");
        var (dir, run, report) = await FaultyRun.GetAsync();
        Assert.That(run.ExitCode, Is.EqualTo(1), run.All);
        Assert.That(report.ExitCode, Is.EqualTo(1), "the Allure quality gate (min pass rate 1) must fail on this run\n" + report.All);
        Assert.That(report.Output, Does.Contain("ALLURE QUALITY GATE FAILED"));
        var site = Path.Combine(dir, "allure-report");
        Assert.That(File.Exists(Path.Combine(site, "index.html")), report.All);

        using var server = new StaticServer(site);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        page.SetDefaultTimeout(20_000);
        var summary = Qualify.Summary(dir);

        foreach (var id in FaultyRun.FailedRequirements)
        {
            await page.GotoAsync(server.Url + "index.html");
            var requirement = summary["requirements"]!.AsArray().First(r => r!["id"]!.GetValue<string>() == id)!;
            var evidence = requirement["evidence"]!.AsArray().First(e => e!["verdict"]!.GetValue<string>() == "FAILED")!;
            var messageId = evidence["messages"]!.AsArray().First()!["id"]!.GetValue<string>();

            // The failed requirement is listed on the report's first page, marked failed.
            var entry = page.GetByText($"{id}: ", new() { Exact = false }).First;
            await Assertions.Expect(entry).ToBeVisibleAsync();

            // Click 1: the requirement's result, with its verdict and the evidence it cites.
            await entry.ClickAsync();
            await Assertions.Expect(page.GetByText($"FAILED: {requirement["reason"]!.GetValue<string>()}", new() { Exact = false }).First).ToBeVisibleAsync();
            var attachment = page.GetByText($"Evidence {messageId} (FAILED)", new() { Exact = false }).First;
            await Assertions.Expect(attachment).ToBeVisibleAsync();

            // Click 2: the attachment opens on the exact message: its DIP payload and the finding.
            await attachment.ClickAsync();
            var body = ExpectedBody(dir, messageId);
            await Assertions.Expect(page.GetByText(body, new() { Exact = false }).First).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(page.GetByText("\"CommonBlock\"", new() { Exact = false }).First).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"assessor-{id}.png"), FullPage = true });
        }
        Assert.That(server.Requests, Has.Some.Contains("attachments"), "the message body came from the report's attachment files");

        // The single-file variant opens from disk (file://, no server) and shows the same failed requirements.
        var single = Path.Combine(dir, "allure-report-single", "index.html");
        Assert.That(File.Exists(single), report.All);
        await page.GotoAsync(new Uri(single).AbsoluteUri);
        foreach (var id in FaultyRun.FailedRequirements)
            await Assertions.Expect(page.GetByText($"{id}: ", new() { Exact = false }).First).ToBeVisibleAsync();
        // History across runs is kept beside the run folders.
        Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(dir)!, "allure-history.jsonl")), report.All);
    }

    /// <summary>A value only the cited message itself carries: its senderUniqueReference (sent) or transactionID (published).</summary>
    private static string ExpectedBody(string dir, string messageId)
    {
        var id = messageId.TrimStart('J');
        var hash = id.IndexOf('#');
        var seq = long.Parse(hash < 0 ? id : id[..hash], System.Globalization.CultureInfo.InvariantCulture);
        var line = File.ReadLines(Path.Combine(dir, "journal.jsonl")).Select(l => JsonNode.Parse(l)!).First(n => n["seq"]!.GetValue<long>() == seq);
        var item = line["body"]!.AsArray()[hash < 0 ? 0 : int.Parse(id[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture)]!;
        return item["payload"]!["CommonBlock"]!["S1"]!["senderUniqueReference"]!.GetValue<string>();
    }

    /// <summary>A static file server on 127.0.0.1 (the multi-file Allure report needs HTTP, not file://).</summary>
    private sealed class StaticServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly string _root;
        private readonly Task _loop;

        public StaticServer(string root)
        {
            _root = Path.GetFullPath(root);
            var port = Qualify.FreePort();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }
        public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                var path = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
                Requests.Enqueue(path);
                var file = Path.GetFullPath(Path.Combine(_root, path.Length == 0 ? "index.html" : path));
                try
                {
                    if (!file.StartsWith(_root, StringComparison.Ordinal) || !File.Exists(file)) { context.Response.StatusCode = 404; continue; }
                    context.Response.ContentType = Path.GetExtension(file) switch
                    {
                        ".html" => "text/html; charset=utf-8", ".js" => "text/javascript", ".css" => "text/css", ".json" => "application/json",
                        ".svg" => "image/svg+xml", ".png" => "image/png", ".txt" or ".csv" => "text/plain; charset=utf-8", _ => "application/octet-stream",
                    };
                    var bytes = await File.ReadAllBytesAsync(file);
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                }
                catch (Exception e) when (e is HttpListenerException or IOException) { }
                finally { try { context.Response.Close(); } catch (ObjectDisposedException) { } }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        }
    }
}
