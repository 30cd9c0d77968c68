using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Qualification.Domain.Evidence;
using Qualification.Dtn.IO;
using Qualification.Dtn.Validation;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Qualification.Stubs.Dtn;

/// <summary>Settings of the emulated DTN gateway.</summary>
public sealed record DtnGatewayOptions
{
    /// <summary>Where the HTTP endpoint listens; port 0 picks a free one. Loopback unless the user says otherwise.</summary>
    public string Url { get; init; } = "http://127.0.0.1:0";
    /// <summary>Folder the candidate drops flow files into (watched); null for HTTP only.</summary>
    public string? InboxFolder { get; init; }
    /// <summary>Folder the harness writes flows for the candidate into; null for HTTP only.</summary>
    public string? OutboxFolder { get; init; }
    /// <summary>Metering-point facts for the MHHS rules.</summary>
    public IMeteringPointDirectory? MeteringPoints { get; init; }
    /// <summary>Market time for journal records (the run's market clock), as a DIP datetime.</summary>
    public Func<string?>? MarketTime { get; init; }
    /// <summary>Flow text larger than this is journalled by size only.</summary>
    public int MaxJournalledBytes { get; init; } = 1 << 20;
}

/// <summary>A flow file that went through the gateway.</summary>
/// <param name="Id">Gateway id, e.g. DTN-000001.</param>
/// <param name="Direction">"inbound" (candidate → harness) or "outbound" (harness → candidate).</param>
/// <param name="Channel">"http" or "folder".</param>
/// <param name="Text">The file as sent.</param>
/// <param name="Header">Its ZHV, when it has one.</param>
/// <param name="Validation">What the validator found.</param>
public sealed record DtnTransfer(string Id, string Direction, string Channel, string Text, ZhvHeader? Header, ValidationResult Validation);

/// <summary>
/// The emulated DTN gateway. A candidate sends flow files to the harness by <c>POST /dtn/flows</c> (the
/// file as the body) or by dropping them into the inbox folder; it collects the flows the harness sends it
/// with <c>GET /dtn/flows?to={MPID}</c> and <c>GET /dtn/flows/{id}</c>, or from the outbox folder. Every
/// flow, either way, is validated and written to the journal (kind <c>dtn</c>) with its findings. The
/// gateway records; it does not judge.
/// </summary>
public sealed class DtnGateway : IDisposable
{
    private readonly DtnGatewayOptions _options;
    private readonly Journal _journal;
    private readonly Func<string?> _scenario;
    private readonly FlowValidator _validator;
    private readonly WireMockServer _server;
    private readonly FileSystemWatcher? _watcher;
    private readonly ConcurrentQueue<DtnTransfer> _received = new();
    private readonly ConcurrentDictionary<string, DtnTransfer> _outbound = new();
    private readonly ConcurrentDictionary<string, byte> _seenFiles = new();
    private int _ids;

    /// <summary>Starts the gateway: the HTTP endpoint, and the inbox watcher when a folder is set.</summary>
    public DtnGateway(DtnGatewayOptions options, Journal journal, Func<string?> scenario)
    {
        _options = options;
        _journal = journal;
        _scenario = scenario;
        _validator = new FlowValidator(points: options.MeteringPoints);
        _server = WireMockServer.Start(new WireMockServerSettings { Urls = [options.Url], StartAdminInterface = false });
        _server.Given(Request.Create().WithPath("/dtn/flows").UsingPost()).WithTitle("DTN: send a flow file")
            .RespondWith(Response.Create().WithCallback(HandlePost));
        _server.Given(Request.Create().WithPath("/dtn/flows").UsingGet()).WithTitle("DTN: list flows for a participant")
            .RespondWith(Response.Create().WithCallback(HandleList));
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/dtn/flows/[^/]+$")).UsingGet()).WithTitle("DTN: fetch a flow file")
            .RespondWith(Response.Create().WithCallback(HandleFetch));
        if (options.OutboxFolder is { } outbox) Directory.CreateDirectory(outbox);
        if (options.InboxFolder is { } inbox)
        {
            Directory.CreateDirectory(inbox);
            Directory.CreateDirectory(Path.Combine(inbox, "processed"));
            _watcher = new FileSystemWatcher(inbox) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            _watcher.Created += (_, e) => OnInboxFile(e.FullPath);
            _watcher.Renamed += (_, e) => OnInboxFile(e.FullPath);
            _watcher.Changed += (_, e) => OnInboxFile(e.FullPath);
            _watcher.EnableRaisingEvents = true;
            // Files dropped before the gateway started are taken too.
            foreach (var file in Directory.GetFiles(inbox)) OnInboxFile(file);
        }
    }

    /// <summary>Base URL, e.g. http://127.0.0.1:7403.</summary>
    public string Url => _server.Url!.Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal);   // WireMock names a fixed port "localhost"; it listens on loopback only

    /// <summary>Raised after an inbound flow is validated and journalled.</summary>
    public event Action<DtnTransfer>? Received;

    /// <summary>Every flow received from the candidate so far.</summary>
    public IReadOnlyList<DtnTransfer> ReceivedFlows => _received.ToList();

    /// <summary>
    /// Sends a flow to the candidate: it is validated (the harness's own flows must be right too),
    /// journalled, offered at <c>GET /dtn/flows?to={ZHV To MPID}</c> and, with an outbox, written there.
    /// </summary>
    public DtnTransfer Send(string flowText)
    {
        var transfer = Accept(flowText, "outbound", _options.OutboxFolder is null ? "http" : "http+folder", null);
        _outbound[transfer.Id] = transfer;
        if (_options.OutboxFolder is { } outbox)
        {
            var name = FileName(transfer);
            var temporary = Path.Combine(outbox, "." + name + ".part");
            // Written aside and renamed, so a candidate watching the outbox never sees half a file.
            File.WriteAllBytes(temporary, Encoding.Latin1.GetBytes(flowText));
            File.Move(temporary, Path.Combine(outbox, name), overwrite: true);
        }
        return transfer;
    }

    private static string FileName(DtnTransfer t)
    {
        var flow = t.Header?.FlowAndVersion ?? "UNKNOWN";
        var file = t.Header?.FileId is { Length: > 0 } f && f.All(char.IsAsciiLetterOrDigit) ? f : t.Id;
        return $"{flow}_{file}_{t.Id}.usr";
    }

    private ResponseMessage HandlePost(IRequestMessage request)
    {
        var bytes = request.BodyAsBytes ?? (request.Body is { } text ? Encoding.Latin1.GetBytes(text) : []);
        if (bytes.Length == 0)
            return Json(400, new JsonObject { ["error"] = "empty body: POST the flow file itself (ZHV header, groups, ZPT trailer) as the request body" });
        var transfer = Accept(Encoding.Latin1.GetString(bytes), "inbound", "http", request.Path);
        // 202 for a flow without errors; 422 when the validator found errors (the file is still recorded).
        return Json(transfer.Validation.IsValid ? 202 : 422, Describe(transfer));
    }

    private ResponseMessage HandleList(IRequestMessage request)
    {
        var to = request.Query?.TryGetValue("to", out var values) == true ? values.FirstOrDefault() : null;
        if (string.IsNullOrEmpty(to)) return Json(400, new JsonObject { ["error"] = "give the recipient MPID: GET /dtn/flows?to=ABCD" });
        var flows = new JsonArray(_outbound.Values.Where(t => string.Equals(t.Header?.ToMpid, to, StringComparison.OrdinalIgnoreCase)).OrderBy(t => t.Id, StringComparer.Ordinal)
            .Select(t => (JsonNode)new JsonObject
            {
                ["id"] = t.Id, ["flow"] = t.Header?.FlowAndVersion, ["fileId"] = t.Header?.FileId, ["from"] = t.Header?.FromMpid, ["to"] = t.Header?.ToMpid, ["url"] = $"/dtn/flows/{t.Id}",
            }).ToArray());
        return Json(200, new JsonObject { ["flows"] = flows });
    }

    private ResponseMessage HandleFetch(IRequestMessage request)
    {
        var id = Uri.UnescapeDataString(request.Path[(request.Path.LastIndexOf('/') + 1)..]);
        if (!_outbound.TryGetValue(id, out var transfer)) return Json(404, new JsonObject { ["error"] = $"no flow '{id}' for collection; list them with GET /dtn/flows?to=MPID" });
        return new ResponseMessage
        {
            StatusCode = 200,
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("text/plain; charset=iso-8859-1") },
            BodyData = new BodyData { BodyAsBytes = Encoding.Latin1.GetBytes(transfer.Text), DetectedBodyType = BodyType.Bytes },
        };
    }

    private void OnInboxFile(string path)
    {
        var name = Path.GetFileName(path);
        // Temporary files (".x.part", "x.tmp") are the candidate's writes in progress.
        if (name.StartsWith('.') || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)) return;
        if (!_seenFiles.TryAdd(path, 0)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                var bytes = await ReadWhenCompleteAsync(path);
                if (bytes is null) { _seenFiles.TryRemove(path, out _); return; }
                Accept(Encoding.Latin1.GetString(bytes), "inbound", "folder", path);
                var processed = Path.Combine(Path.GetDirectoryName(path)!, "processed", name);
                File.Move(path, processed, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _journal.Append(new JournalRecord { Kind = JournalKind.Dtn, Scenario = _scenario(), Url = path, Note = $"DTN inbox: could not read {name}: {e.Message}" });
            }
            finally { _seenFiles.TryRemove(path, out _); }
        });
    }

    // A file is complete when it can be opened exclusively and its size has stopped changing.
    private static async Task<byte[]?> ReadWhenCompleteAsync(string path)
    {
        long lastSize = -1;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (!File.Exists(path)) return null;
            try
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
                if (stream.Length == lastSize && stream.Length > 0)
                {
                    var buffer = new byte[stream.Length];
                    await stream.ReadExactlyAsync(buffer);
                    return buffer;
                }
                lastSize = stream.Length;
            }
            catch (IOException) { }
            await Task.Delay(50);
        }
        throw new IOException($"{path} did not settle within 5 seconds");
    }

    private DtnTransfer Accept(string text, string direction, string channel, string? url)
    {
        var validation = _validator.Validate(text);
        ZhvHeader? header = null;
        var first = DtnReader.ReadAll(new MemoryStream(Encoding.Latin1.GetBytes(text))).FirstOrDefault();
        if (first?.GroupId == "ZHV") header = ZhvHeader.From(first);
        var transfer = new DtnTransfer($"DTN-{Interlocked.Increment(ref _ids):D6}", direction, channel, text, header, validation);
        var tooBig = Encoding.Latin1.GetByteCount(text) > _options.MaxJournalledBytes;
        _journal.Append(new JournalRecord
        {
            Kind = JournalKind.Dtn, Scenario = _scenario(), MarketTime = _options.MarketTime?.Invoke(), InterfaceId = header?.FlowAndVersion,
            From = header is null ? null : $"{header.FromRole}:{header.FromMpid}", To = header is null ? null : $"{header.ToRole}:{header.ToMpid}",
            TransactionId = transfer.Id, Url = url, Status = direction == "inbound" ? (validation.IsValid ? 202 : 422) : null,
            Note = $"DTN {direction} via {channel}: {header?.FlowAndVersion ?? "no ZHV"} file {header?.FileId ?? "?"}, {validation.Errors} error(s), {validation.Warnings} warning(s)",
            Body = Describe(transfer),
            RawBody = tooBig ? $"({text.Length} characters, not journalled)" : text,
        });
        if (direction == "inbound")
        {
            _received.Enqueue(transfer);
            Received?.Invoke(transfer);
        }
        return transfer;
    }

    private static JsonObject Describe(DtnTransfer t) => new()
    {
        ["id"] = t.Id, ["direction"] = t.Direction, ["channel"] = t.Channel, ["flow"] = t.Header?.FlowAndVersion, ["fileId"] = t.Header?.FileId,
        ["valid"] = t.Validation.IsValid, ["errors"] = t.Validation.Errors, ["warnings"] = t.Validation.Warnings,
        ["findings"] = new JsonArray(t.Validation.Findings.Select(f => (JsonNode)new JsonObject
        {
            ["rule"] = f.RuleId, ["severity"] = f.Severity.ToString(), ["line"] = f.Line, ["group"] = f.Group, ["field"] = f.Field, ["message"] = f.Message,
        }).ToArray()),
    };

    private static ResponseMessage Json(int status, JsonNode body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String },
    };

    /// <inheritdoc />
    public void Dispose()
    {
        _watcher?.Dispose();
        _server.Stop();
        _server.Dispose();
    }
}
