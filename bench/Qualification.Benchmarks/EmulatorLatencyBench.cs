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
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

/// <summary>
/// The emulated DIP against a bare Kestrel endpoint on 127.0.0.1 that returns the same response body,
/// measured in the same run with the same client: closed-loop throughput (every client sends its next
/// message as soon as the previous one is answered) and, at a fixed offered rate (open loop: message i
/// is due at i/rate whatever happened before), latency percentiles measured from the time each message
/// was due, so a stalled server is not hidden by the client waiting for it.
///   dotnet run -c Release --project bench/Qualification.Benchmarks -- --emulator [--rate 1000] [--seconds 10] [--clients 16] [--rounds 2]
/// Every message is an IF-004 from a metering service to a supplier with its own senderUniqueReference,
/// as in the soak: the DIP validates, journals to disk and pushes it to the supplier's webhook (in this
/// process). Rounds alternate the targets so that load from elsewhere falls on all of them. A third
/// target, WireMock.Net answering the same bytes from a static mapping, separates the framework's cost
/// from the DIP's own work; a single-threaded breakdown of that work (parse, schema, journal) follows.
/// </summary>
public static class EmulatorLatencyBench
{
    private const string Supplier = "2300000012", Service = "1200000015";

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
        var rate = double.Parse(Option("--rate") ?? "1000", CultureInfo.InvariantCulture);
        var seconds = double.Parse(Option("--seconds") ?? "10", CultureInfo.InvariantCulture);
        var clients = int.Parse(Option("--clients") ?? "16", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option("--rounds") ?? "2", CultureInfo.InvariantCulture);
        Console.WriteLine($"Emulated DIP against bare Kestrel: closed loop {clients} clients for {seconds} s, open loop {rate}/s for {seconds} s, {rounds} round(s) each");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPU(s), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");
        Console.WriteLine($"Load average at start: {LoadAverage()}");

        // The supplier's webhook: counts pushes, so the DIP's work behind the response is real.
        long pushes = 0;
        await using var webhook = await StartAsync(app => app.MapPost("/dip/inbound", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            Interlocked.Increment(ref pushes);
            context.Response.StatusCode = 201;
        }));
        var webhookUrl = new Uri(Url(webhook) + "/dip/inbound");

        var folder = Path.Combine(Path.GetTempPath(), "qualify-emulator-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        using var journal = new Journal(Path.Combine(folder, "journal.jsonl"), keepInMemory: false);
        var clock = new MarketClock(MarketTime.ParseLocal("2026-01-05 09:00"), 1);
        var directory = new ParticipantDirectory();
        directory.Add(new Participant(Supplier, "SUP", "REFS", "Bench supplier", webhookUrl, null, new HashSet<string> { "S" }));
        directory.Add(new Participant(Service, "MSS", "REFM", "Bench metering service", null, null, new HashSet<string> { "S" }));
        await using var dip = new DipEmulator(new DipEmulatorOptions { Url = "http://127.0.0.1:0" }, DipSchemaCatalog.Embedded, directory, journal, clock, () => "bench");

        var template = BenchMessages.CommsHubTemplate(Service, Supplier);
        var next = 0L;
        string Body() => template.Replace("UNIQUE", Interlocked.Increment(ref next).ToString("D9", CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // The bare endpoint answers exactly what the DIP answers to such a message: same status, type and bytes.
        using var probe = new HttpClient { BaseAddress = new Uri(dip.Url) };
        using var first = await probe.PostAsync("/dip-channel/IF-004", Json(Body()));
        var answer = await first.Content.ReadAsByteArrayAsync();
        var status = (int)first.StatusCode;
        if (status != 201) { Console.WriteLine($"the DIP refused the bench message ({status}): {Encoding.UTF8.GetString(answer)}"); return 2; }
        var contentType = first.Content.Headers.ContentType?.ToString() ?? "application/json";
        await using var kestrel = await StartAsync(app => app.MapPost("/dip-channel/{channel}", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.Body.WriteAsync(answer);
        }));
        // WireMock.Net (the DIP's host) with a static mapping: the framework without the DIP's work.
        using var wiremock = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"], StartAdminInterface = false, MaxRequestLogCount = 0 });
        wiremock.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(answer));
        var wiremockUrl = wiremock.Url!.Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal);
        Console.WriteLine($"DIP {dip.Url}, bare Kestrel {Url(kestrel)}, static WireMock {wiremockUrl}; response {status}, {answer.Length} bytes, request {Encoding.UTF8.GetByteCount(Body())} bytes");

        var targets = new[] { ("Kestrel", new Uri(Url(kestrel))), ("WireMock", new Uri(wiremockUrl)), ("DIP", new Uri(dip.Url)) };
        var closed = targets.ToDictionary(t => t.Item1, _ => new List<double>());
        var open = targets.ToDictionary(t => t.Item1, _ => new List<LatencyResult>());
        foreach (var (name, url) in targets) await ClosedLoopAsync(url, Body, clients, 1, quiet: true); // warm-up: JIT, connections
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, url) in round % 2 == 1 ? targets : targets.Reverse().ToArray())
            {
                // CPU of this process (client, server and webhook together) per message, and how busy the cores were:
                // a server that leaves the cores idle while slow is waiting (locks, I/O, timers), not computing.
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var allocated = GC.GetTotalAllocatedBytes();
                var throughput = await ClosedLoopAsync(url, Body, clients, seconds, quiet: false);
                process.Refresh();
                var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
                closed[name].Add(throughput);
                Console.WriteLine($"  round {round} closed loop {name,-8} {throughput,8:0} msg/s, {cpuSeconds / (throughput * seconds) * 1e6,6:0} µs CPU and {(GC.GetTotalAllocatedBytes() - allocated) / (throughput * seconds) / 1024,5:0} KiB allocated per message, {cpuSeconds / seconds / Environment.ProcessorCount:P0} of the cores   (load {LoadAverage()})");
            }
            foreach (var (name, url) in round % 2 == 1 ? targets : targets.Reverse().ToArray())
            {
                // Collections and the time the runtime was paused for them during the round: a pause stops
                // every request in flight, so it lands directly on the tail.
                var gc = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2), Paused: GC.GetTotalPauseDuration(), Blocking: GC.GetGCMemoryInfo(GCKind.FullBlocking).Index);
                var latency = await OpenLoopAsync(url, Body, rate, seconds);
                open[name].Add(latency);
                var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
                Console.WriteLine($"  round {round} open loop {rate:0}/s {name,-8} p50 {latency.P50:0.00} ms  p99 {latency.P99:0.00} ms  max {latency.Max:0.00} ms  achieved {latency.Achieved:0} msg/s, errors {latency.Errors}   (load {LoadAverage()})");
                Console.WriteLine($"      GC during it: gen0 {GC.CollectionCount(0) - gc.Gen0}, gen1 {GC.CollectionCount(1) - gc.Gen1}, gen2 {GC.CollectionCount(2) - gc.Gen2}" +
                    $" (blocking {(blocking.Index > gc.Blocking ? $"yes, last paused {blocking.PauseDurations[0].TotalMilliseconds:0} ms" : "none")}), paused {(GC.GetTotalPauseDuration() - gc.Paused).TotalMilliseconds:0} ms in all; heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:0} MiB");
            }
        }

        Console.WriteLine();
        var bestKestrel = closed["Kestrel"].Max();
        var bestDip = closed["DIP"].Max();
        Console.WriteLine($"closed loop ({clients} clients), best round: Kestrel {bestKestrel:0} msg/s, DIP {bestDip:0} msg/s: DIP / Kestrel throughput ratio {bestDip / bestKestrel:0.00} (goal >= 0.80)");
        for (var r = 0; r < rounds; r++)
            Console.WriteLine($"  round {r + 1}: ratio {closed["DIP"][r] / closed["Kestrel"][r]:0.00}");
        var kp99 = open["Kestrel"].Min(l => l.P99);
        var dp99 = open["DIP"].Min(l => l.P99);
        Console.WriteLine($"open loop {rate:0} msg/s, best round: p99 Kestrel {kp99:0.00} ms, DIP {dp99:0.00} ms: added p99 {dp99 - kp99:0.00} ms (goal <= 2 ms); p50 Kestrel {open["Kestrel"].Min(l => l.P50):0.00} ms, DIP {open["DIP"].Min(l => l.P50):0.00} ms");
        for (var r = 0; r < rounds; r++)
            Console.WriteLine($"  round {r + 1}: added p99 {open["DIP"][r].P99 - open["Kestrel"][r].P99:0.00} ms, added p50 {open["DIP"][r].P50 - open["Kestrel"][r].P50:0.00} ms");
        var bestWireMock = closed["WireMock"].Max();
        Console.WriteLine($"static WireMock: {bestWireMock:0} msg/s closed loop (ratio to Kestrel {bestWireMock / bestKestrel:0.00}), p99 at {rate:0}/s {open["WireMock"].Min(l => l.P99):0.00} ms");
        Breakdown(template, folder);
        Console.WriteLine($"pushes delivered to the webhook: {Interlocked.Read(ref pushes)}; journal {new FileInfo(journal.Path).Length / 1048576.0:0.0} MiB; load average at end {LoadAverage()}");
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return 0;
    }

    // The DIP's own work per accepted message, one thread, no HTTP: where its time goes.
    private static void Breakdown(string template, string folder)
    {
        const int n = 20_000;
        var bodies = Enumerable.Range(0, n).Select(i => Encoding.UTF8.GetBytes(template.Replace("UNIQUE", "B" + i.ToString("D8", CultureInfo.InvariantCulture), StringComparison.Ordinal))).ToList();
        var schemas = DipSchemaCatalog.Embedded;
        var schema = schemas.SchemaFor("IF-004", "[CommsHubInfo]") ?? throw new InvalidOperationException("no IF-004 schema");
        using var journal = new Journal(Path.Combine(folder, "breakdown.jsonl"), keepInMemory: false);
        var nodes = new JsonNode?[n];
        double Time(string what, Action<int> action)
        {
            for (var i = 0; i < 500; i++) action(i); // warm-up
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) action(i);
            var us = clock.Elapsed.TotalMilliseconds * 1000 / n;
            Console.WriteLine($"  {what,-66} {us,7:0.0} µs, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / n,7:N0} bytes allocated per message");
            return us;
        }
        Console.WriteLine($"DIP work per message, one thread, {n} messages (load {LoadAverage()}):");
        Time("JsonNode.Parse of the request body", i => nodes[i] = JsonNode.Parse(bodies[i]));
        // The DIP's check of a valid message (the compiled pass/fail check decides it), and what
        // JsonSchema.Net alone costs for the same verdict (what every valid message paid before).
        var valid = Time("JSON Schema validation, valid message (compiled pass/fail check)", i => schemas.Validate(schema, nodes[i]![0]!["payload"]));
        var evaluator = Time("  JsonSchema.Net pass/fail alone, same messages", i => { if (!schemas.EvaluatorVerdict(schema, nodes[i]![0]!["payload"])) throw new InvalidOperationException("expected valid"); });
        Console.WriteLine($"  => the compiled check is {evaluator / valid:0.0}x faster on a valid message");
        // An invalid message goes on to JsonSchema.Net, pass/fail and then every annotation (List output), to explain the failure.
        var invalid = nodes.Select(n => { var p = n![0]!["payload"]!.DeepClone(); p["CustomBlock"]!["B093"]!["commsHubSerialNumber"] = 12345; return p; }).ToArray();
        var explained = Time("JSON Schema validation, invalid message (compiled, pass/fail, List)", i => { if (schemas.Validate(schema, invalid[i]).Count == 0) throw new InvalidOperationException("expected a violation"); });
        Console.WriteLine($"  => explaining a failure costs about {explained - evaluator:0.0} µs more than JsonSchema.Net's pass/fail");
        Time("journal append of the inbound record (serialise + flush)", i => journal.Append(new JournalRecord { Kind = JournalKind.Inbound, InterfaceId = "IF-004", Body = nodes[i] }));
    }

    /// <summary>Percentiles of one open-loop run, in milliseconds from each message's due time.</summary>
    public sealed record LatencyResult(double P50, double P99, double Max, double Achieved, int Errors);

    private static async Task<double> ClosedLoopAsync(Uri url, Func<string> body, int clients, double seconds, bool quiet)
    {
        using var http = Client(url, clients);
        long done = 0;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                using var response = await http.PostAsync("/dip-channel/IF-004", Json(body()));
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode == System.Net.HttpStatusCode.Created) Interlocked.Increment(ref done);
            }
        })));
        return done / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<LatencyResult> OpenLoopAsync(Uri url, Func<string> body, double rate, double seconds)
    {
        var count = (int)(rate * seconds);
        using var http = Client(url, 256);
        var latencies = new double[count];
        var errors = 0;
        var tasks = new Task[count];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            // Sleep while far from the due time, then spin: Task.Delay alone is too coarse for 1 ms spacing.
            while (Stopwatch.GetTimestamp() < due)
            {
                var left = (due - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
                if (left > 2) await Task.Delay(1); else Thread.SpinWait(50);
            }
            var index = i;
            var content = body();
            tasks[i] = Task.Run(async () =>
            {
                try
                {
                    using var response = await http.PostAsync("/dip-channel/IF-004", Json(content));
                    await response.Content.ReadAsByteArrayAsync();
                    if (response.StatusCode != System.Net.HttpStatusCode.Created) Interlocked.Increment(ref errors);
                }
                catch (HttpRequestException) { Interlocked.Increment(ref errors); }
                latencies[index] = (Stopwatch.GetTimestamp() - due) * 1000.0 / Stopwatch.Frequency;
            });
        }
        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Array.Sort(latencies);
        double At(double q) => latencies[Math.Min(count - 1, (int)Math.Ceiling(q * count) - 1)];
        return new LatencyResult(At(0.50), At(0.99), latencies[^1], count / elapsed, errors);
    }

    private static HttpClient Client(Uri url, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

    private static StringContent Json(string text)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task<WebApplication> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    private static string Url(WebApplication app) => app.Urls.First().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
