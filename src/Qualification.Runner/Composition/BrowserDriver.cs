using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Execution;
using Qualification.Stubs.Dip;

namespace Qualification.Runner.Composition;

/// <summary>
/// Drives a candidate operated through a web portal (profile <c>drive: browser</c>): opens the
/// action's page in headless Chromium, fills each mapped field (the action's parameters and the
/// market time), submits, and waits for the page's success text. Every UI step is screenshotted
/// into <c>&lt;run&gt;/screenshots/</c>; the driver journal record names the screenshots, and the
/// Allure results attach them to the scenario.
/// </summary>
public sealed class BrowserDriver(Harness harness, PortalProfile portal) : IAsyncDisposable
{
    /// <summary>Debian's Chromium; <c>QUALIFY_CHROMIUM</c> names another executable.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("QUALIFY_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private int _shots;

    private string RunDir => Path.GetDirectoryName(Path.GetFullPath(harness.Journal.Path))!;

    /// <summary>Performs <paramref name="action"/> through the portal now (market time) and journals it.</summary>
    public async Task PerformAsync(Participant participant, string action, JsonObject parameters)
    {
        if (!portal.Actions.TryGetValue(action, out var page))
            throw new ScenarioSkippedException($"{participant}'s portal has no page for the action '{action}' (profile portal.actions.{action}), and this scenario needs it.");
        var now = harness.Clock.GetCurrentInstant();
        var marketTime = MarketTime.ToDip(now);
        var url = new Uri(portal.BaseUrl, page.Path);
        var screenshots = new JsonArray();
        var steps = new JsonArray();
        int? status = null;
        string note;
        JsonObject? answer = null;
        await _gate.WaitAsync();
        try
        {
            var browser = await BrowserAsync();
            await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1000, Height = 700 } });
            var tab = await context.NewPageAsync();
            tab.SetDefaultTimeout(15_000);
            int? documentStatus = null;
            tab.Response += (_, r) => { if (r.Request.IsNavigationRequest && r.Frame == tab.MainFrame) documentStatus = r.Status; };
            try
            {
                await tab.GotoAsync(url.ToString());
                steps.Add(new JsonObject { ["step"] = "open", ["url"] = url.ToString(), ["status"] = documentStatus });
                screenshots.Add(await ShotAsync(tab, action, "opened"));
                foreach (var (parameter, selector) in page.Fields)
                {
                    var value = parameter == "marketTime" ? marketTime : parameters[parameter]?.ToString();
                    if (value is null) continue;
                    await FillAsync(tab.Locator(selector).First, value);
                    steps.Add(new JsonObject { ["step"] = "fill", ["parameter"] = parameter, ["selector"] = selector, ["value"] = value });
                }
                screenshots.Add(await ShotAsync(tab, action, "filled"));
                await tab.Locator(page.Submit).First.ClickAsync();
                steps.Add(new JsonObject { ["step"] = "submit", ["selector"] = page.Submit });
                await tab.GetByText(page.Success).First.WaitForAsync();
                screenshots.Add(await ShotAsync(tab, action, "accepted"));
                // What the page shows back (e.g. the Supply Number a bill prints), read as the driver API would answer it.
                foreach (var (answerPath, selector) in page.Answers)
                {
                    var text = (await tab.Locator(selector).First.InnerTextAsync()).Trim('\r', '\n');
                    SetAnswer(answer ??= [], answerPath, text);
                    steps.Add(new JsonObject { ["step"] = "read", ["answer"] = answerPath, ["selector"] = selector, ["value"] = text });
                }
                status = documentStatus is >= 200 and < 300 or null ? documentStatus ?? 200 : documentStatus;
                note = status is >= 200 and < 300 ? $"accepted through the portal: '{page.Success}' shown" : $"refused: the portal answered HTTP {status}";
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                status = null;
                note = $"not accepted through the portal at {tab.Url}: {FirstLine(e.Message)}";
                try { screenshots.Add(await ShotAsync(tab, action, "failed")); } catch (PlaywrightException) { }
                try { steps.Add(new JsonObject { ["step"] = "page text", ["text"] = Truncate(await tab.InnerTextAsync("body", new() { Timeout = 2_000 })) }); }
                catch (Exception x) when (x is PlaywrightException or TimeoutException) { }
            }
        }
        finally { _gate.Release(); }
        harness.Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Driver, Scenario = harness.CurrentScenario, MarketTime = marketTime, Mpan = parameters.Text("mpan"),
            To = participant.DipId, Url = url.ToString(), Status = status, EventCode = action, Note = note,
            Body = new JsonObject
            {
                ["action"] = action, ["marketTime"] = marketTime, ["parameters"] = parameters.DeepClone(), ["channel"] = "browser",
                ["steps"] = steps, ["screenshots"] = screenshots, ["answer"] = answer,
            },
        });
        if (status is not (>= 200 and < 300))
            throw new InvalidOperationException($"{participant} did not accept the action '{action}' through its portal: {note}");
    }

    private async Task<IBrowser> BrowserAsync()
    {
        if (_browser is not null) return _browser;
        var chromium = ChromiumPath;
        if (!File.Exists(chromium))
            throw new InputException($"drive: browser needs Chromium at {chromium} (Debian: apt-get install chromium; or set QUALIFY_CHROMIUM).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        harness.Note($"browser driver: {chromium} {_browser.Version} (headless) for the portal at {portal.BaseUrl}");
        return _browser;
    }

    // Text fields are typed into; selects are chosen; hidden fields (e.g. marketTime) are set.
    private static async Task FillAsync(ILocator field, string value)
    {
        var kind = await field.EvaluateAsync<string>("e => e.tagName.toLowerCase() + ':' + (e.type || '').toLowerCase()");
        if (kind.StartsWith("select", StringComparison.Ordinal)) await field.SelectOptionAsync(value);
        else if (kind == "input:hidden") await field.EvaluateAsync("(e, v) => { e.value = v; }", value);
        else await field.FillAsync(value);
    }

    private async Task<string> ShotAsync(IPage tab, string action, string step)
    {
        var n = Interlocked.Increment(ref _shots);
        var relative = Path.Combine("screenshots", $"{n:000}-{action}-{step}.png");
        var full = Path.Combine(RunDir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await tab.ScreenshotAsync(new() { Path = full, FullPage = true });
        return relative.Replace('\\', '/');
    }

    // "supplyNumber.topLine" → {"supplyNumber": {"topLine": value}}.
    private static void SetAnswer(JsonObject answer, string path, string value)
    {
        var parts = path.Split('.');
        var node = answer;
        foreach (var part in parts[..^1]) node = node[part] as JsonObject ?? (JsonObject)(node[part] = new JsonObject());
        node[parts[^1]] = value;
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
    private static string Truncate(string s) => s.Length <= 2000 ? s : s[..2000] + "…";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        _browser = null;
        _playwright = null;
        _gate.Dispose();
    }
}
