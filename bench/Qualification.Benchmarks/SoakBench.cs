using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Stubs.Dip;

/// <summary>
/// Soak: a bounded number of messages through the emulated DIP at a steady rate on
/// loopback, participant to participant (IF-004 from a metering service, A0 → the supplier), so each
/// accepted message is pushed to the supplier's webhook. Reports lost and duplicated messages (the
/// webhook counts each senderUniqueReference), memory at start, middle and end, and throughput.
/// Stops by itself: after --count messages or --max-seconds, whichever comes first.
///   dotnet run -c Release --project bench/Qualification.Benchmarks -- --soak [--count 100000] [--rate 800] [--max-seconds 900] [--journal-in-memory]
/// </summary>
public static class SoakBench
{
    private const string Supplier = "2300000012", Service = "1200000015";

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
        var count = int.Parse(Option("--count") ?? "100000", CultureInfo.InvariantCulture);
        var rate = double.Parse(Option("--rate") ?? "800", CultureInfo.InvariantCulture);
        var maxSeconds = double.Parse(Option("--max-seconds") ?? "900", CultureInfo.InvariantCulture);
        var inFlight = int.Parse(Option("--in-flight") ?? "32", CultureInfo.InvariantCulture);
        var keepInMemory = args.Contains("--journal-in-memory");
        Console.WriteLine($"Soak: {count} messages at {rate}/s (at most {maxSeconds} s, {inFlight} in flight), journal in memory: {keepInMemory}");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPU(s), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");

        // The receiving webhook: counts every push by senderUniqueReference.
        var received = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        long pushes = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var webhook = builder.Build();
        webhook.MapPost("/dip/inbound", async (HttpContext context) =>
        {
            var node = await JsonNode.ParseAsync(context.Request.Body);
            foreach (var item in node!.AsArray())
            {
                var sur = item!["payload"]!["CommonBlock"]!["S1"]!["senderUniqueReference"]!.GetValue<string>();
                received.AddOrUpdate(sur, 1, (_, n) => n + 1);
            }
            Interlocked.Increment(ref pushes);
            context.Response.StatusCode = 201;
        });
        await webhook.StartAsync();
        var webhookUrl = new Uri(webhook.Urls.First().Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/dip/inbound");

        var folder = Path.Combine(Path.GetTempPath(), "qualify-soak", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        using var journal = new Journal(Path.Combine(folder, "journal.jsonl"), keepInMemory);
        var clock = new MarketClock(MarketTime.ParseLocal("2026-01-05 09:00"), 1);
        var directory = new ParticipantDirectory();
        directory.Add(new Participant(Supplier, "SUP", "REFS", "Soak supplier", webhookUrl, null, new HashSet<string> { "S" }));
        directory.Add(new Participant(Service, "MSS", "REFM", "Soak metering service", null, null, new HashSet<string> { "S" }));
        await using var dip = new DipEmulator(new DipEmulatorOptions { Url = "http://127.0.0.1:0", RetryBackoff = TimeSpan.FromMilliseconds(50) },
            DipSchemaCatalog.Embedded, directory, journal, clock, () => "soak");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = inFlight }) { BaseAddress = new Uri(dip.Url), Timeout = TimeSpan.FromSeconds(30) };

        var template = BenchMessages.CommsHubTemplate(Service, Supplier);
        var accepted = 0L;
        var refused = new ConcurrentBag<string>();
        var memory = new List<(string When, long Sent, long Heap, long WorkingSet)>();
        void Sample(string when, long sent)
        {
            var heap = GC.GetTotalMemory(forceFullCollection: true);
            memory.Add((when, sent, heap, Process.GetCurrentProcess().WorkingSet64));
            Console.WriteLine($"  {when,-8} sent {sent,7}  delivered {received.Count,7}  live heap {heap / 1048576.0,7:0.0} MiB  working set {Process.GetCurrentProcess().WorkingSet64 / 1048576.0,7:0.0} MiB");
        }

        // Warm-up outside the count (JIT, connections), then the first sample.
        for (var i = 0; i < 200; i++) await SendAsync(http, template, "WARM" + i.ToString("D6", CultureInfo.InvariantCulture));
        await WaitAsync(() => received.Count >= 200, TimeSpan.FromSeconds(30));
        received.Clear();
        Sample("start", 0);

        var gate = new SemaphoreSlim(inFlight);
        var tasks = new List<Task>(count);
        var timer = Stopwatch.StartNew();
        var sent = 0;
        var samples = new[] { count / 4, count / 2, 3 * count / 4 };
        for (; sent < count && timer.Elapsed.TotalSeconds < maxSeconds; sent++)
        {
            var due = TimeSpan.FromSeconds(sent / rate);
            if (due > timer.Elapsed) await Task.Delay(due - timer.Elapsed);
            if (samples.Contains(sent))
            {
                // Let the in-flight work finish before a sample, so the heap is comparable.
                for (var k = 0; k < inFlight; k++) await gate.WaitAsync();
                gate.Release(inFlight);
                Sample(sent == count / 2 ? "middle" : sent == count / 4 ? "quarter" : "3/4", sent);
            }
            await gate.WaitAsync();
            var unique = sent.ToString("D7", CultureInfo.InvariantCulture);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var status = await SendAsync(http, template, unique);
                    if (status == 201) Interlocked.Increment(ref accepted); else refused.Add($"{unique}: {status}");
                }
                catch (Exception e) { refused.Add($"{unique}: {e.GetType().Name} {e.Message}"); }
                finally { gate.Release(); }
            }));
        }
        await Task.WhenAll(tasks);
        var sendSeconds = timer.Elapsed.TotalSeconds;
        await WaitAsync(() => received.Count >= accepted, TimeSpan.FromSeconds(60));
        var allSeconds = timer.Elapsed.TotalSeconds;
        Sample("end", sent);

        var lost = accepted - received.Keys.Count(k => !k.Contains("WARM", StringComparison.Ordinal));
        var duplicated = received.Values.Sum(n => n - 1);
        var journalPushes = Journal.Read(journal.Path).Count(r => r.Record?.Kind == JournalKind.Push && r.Record.Status is >= 200 and < 300);
        Console.WriteLine();
        Console.WriteLine($"sent {sent} in {sendSeconds:0.0} s ({sent / sendSeconds:0} msg/s offered); accepted (201) {accepted}; refused {refused.Count}");
        foreach (var r in refused.Take(5)) Console.WriteLine("  refused " + r);
        Console.WriteLine($"delivered to the webhook {received.Count} distinct in {allSeconds:0.0} s ({received.Count / allSeconds:0} msg/s end to end); pushes {Interlocked.Read(ref pushes)}");
        Console.WriteLine($"LOST {lost}   DUPLICATED {duplicated}   journal: {new FileInfo(journal.Path).Length / 1048576.0:0.0} MiB, {journalPushes} delivered push record(s) (incl. 200 warm-up)");
        var start = memory[0];
        var end = memory[^1];
        Console.WriteLine($"live heap start {start.Heap / 1048576.0:0.0} MiB, middle {memory.First(m => m.When == "middle").Heap / 1048576.0:0.0} MiB, end {end.Heap / 1048576.0:0.0} MiB: "
            + $"{(end.Heap - start.Heap) / (double)Math.Max(1, sent):0} bytes per message retained");
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return lost == 0 && duplicated == 0 && refused.IsEmpty && sent == count ? 0 : 1;
    }

    private static async Task<int> SendAsync(HttpClient http, string template, string unique)
    {
        using var content = new StringContent(template.Replace("UNIQUE", unique, StringComparison.Ordinal), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("/dip-channel/IF-004", content);
        return (int)response.StatusCode;
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (!done() && DateTime.UtcNow < until) await Task.Delay(50);
    }
}
