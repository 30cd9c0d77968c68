using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Security;

namespace Qualification.Tests.Stubs;

/// <summary>An emulated DIP on 127.0.0.1 with its own journal, and an HTTP client to call it.</summary>
public sealed class DipTestHost : IAsyncDisposable
{
    /// <summary>The supplier the tests send as.</summary>
    public static readonly Participant Supplier = new("2300000012", "SUP", "REFS", "Test Supplier", null, "supplier-key", new HashSet<string> { "S" });
    /// <summary>A smart metering service.</summary>
    public static readonly Participant MeteringService = new("1200000015", "MSS", "REFM", "Test MSS", null, "mss-key", new HashSet<string> { "S" });

    private readonly string _folder;

    /// <summary>Starts a DIP with <paramref name="options"/> (URL forced to a free loopback port).</summary>
    public DipTestHost(DipEmulatorOptions? options = null, params Participant[] participants)
    {
        _folder = Path.Combine(Path.GetTempPath(), "qualify-dip-tests", Guid.NewGuid().ToString("N"));
        Journal = new Journal(Path.Combine(_folder, "journal.jsonl"));
        Clock = new MarketClock(MarketTime.ParseLocal("2026-01-05 09:00"), 1);
        Directory = new ParticipantDirectory();
        foreach (var p in participants.Length == 0 ? [Supplier, MeteringService] : participants) Directory.Add(p);
        Dip = new DipEmulator((options ?? new DipEmulatorOptions()) with { Url = "http://127.0.0.1:0", CertificateDirectory = options?.CertificateDirectory ?? _folder },
            DipSchemaCatalog.Embedded, Directory, Journal, Clock, () => "test");
        Http = new HttpClient { BaseAddress = new Uri(Dip.Url), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The emulator.</summary>
    public DipEmulator Dip { get; }
    /// <summary>Its journal.</summary>
    public Journal Journal { get; }
    /// <summary>Market clock (real-time rate).</summary>
    public MarketClock Clock { get; }
    /// <summary>Participants.</summary>
    public ParticipantDirectory Directory { get; }
    /// <summary>Client for the DIP.</summary>
    public HttpClient Http { get; }

    /// <summary>POSTs JSON text, optionally with an API key, signature (certificate) and a tamper step after signing.</summary>
    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(string path, string json, string? apiKey = null,
        X509Certificate2? signWith = null, DateTimeOffset? signedAt = null, Func<string, string>? tamper = null, string contentType = "application/json")
    {
        var url = new Uri(Http.BaseAddress!, path);
        var bytes = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (signWith is not null)
            foreach (var (name, value) in DipSignature.Sign("POST", url.ToString(), bytes, signWith, signedAt ?? DateTimeOffset.UtcNow).AsPairs())
                request.Headers.TryAddWithoutValidation(name, value);
        if (tamper is not null) bytes = Encoding.UTF8.GetBytes(tamper(json));
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (apiKey is not null) request.Headers.Add("X-API-Key", apiKey);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>Sends any method with an optional JSON body and headers.</summary>
    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? json = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        foreach (var (n, v) in headers) request.Headers.TryAddWithoutValidation(n, v);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>A valid IF-031 [MSApp] from the test supplier (schema, MPAN and role all correct).</summary>
    public static JsonObject ValidIf031(string? unique = null, string mpan = "2300000000019")
    {
        var custom = new JsonObject
        {
            ["B070"] = new JsonObject
            {
                ["proposedMeteringServiceDIPID"] = MeteringService.DipId, ["proposedMeteringServiceMPID"] = MeteringService.Mpid,
                ["proposedMeteringServiceDIPEffectiveFromDate"] = "2026-01-20T00:00:00+00:00", ["contractReferenceMeteringService"] = "CONTRACT01",
                ["appointmentScenario"] = "COS",
            },
        };
        var payload = DipMessageFactory.Payload("IF-031", "[MSApp]", Supplier.DipId, "SUP", new M0Block(mpan, "2500000001", "_J"),
            Instant.FromUtc(2026, 1, 5, 10, 15), custom, "CI-20260105-7F3A");
        if (unique is not null)
            payload = payload with { CommonBlock = payload.CommonBlock with { S1 = payload.CommonBlock.S1 with { SenderUniqueReference = $"S-IF-031-{Supplier.DipId}-SUP-20260105-{unique}" } } };
        return (JsonObject)new DipMessage(payload).ToNode();
    }

    /// <summary>An array body of the given items.</summary>
    public static string Array(params JsonNode[] items) => new JsonArray(items.Select(i => (JsonNode?)i.DeepClone()).ToArray()).ToJsonString();

    /// <summary>The help texts of a StandardResponse.</summary>
    public static IReadOnlyList<string> Help(JsonNode? body) =>
        (body?["messageArray"] as JsonArray ?? []).Select(i => i?["help"]?.GetValue<string>() ?? "").ToList();

    /// <summary>The message codes of a StandardResponse.</summary>
    public static IReadOnlyList<string> Messages(JsonNode? body) =>
        (body?["messageArray"] as JsonArray ?? []).Select(i => i?["message"]?.GetValue<string>() ?? "").ToList();

    /// <summary>Where the test keeps files.</summary>
    public string Folder => _folder;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Dip.DisposeAsync();
        Journal.Dispose();
        try { System.IO.Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
