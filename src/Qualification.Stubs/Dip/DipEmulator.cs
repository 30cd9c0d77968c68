using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Stubs.Security;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Qualification.Stubs.Dip;

/// <summary>A message the emulated DIP accepted from a sender, with the transaction id it gave it.</summary>
/// <param name="Message">The message as sent.</param>
/// <param name="TransactionId">DIP transaction id.</param>
/// <param name="ReceivedAt">Market time of receipt (the DIP's transaction timestamp).</param>
/// <param name="Sender">The authenticated sender, when known.</param>
public sealed record AcceptedMessage(DipMessage Message, string TransactionId, Instant ReceivedAt, Participant? Sender);

/// <summary>Settings of the emulated DIP.</summary>
public sealed record DipEmulatorOptions
{
    /// <summary>Where it listens, e.g. http://127.0.0.1:7401; port 0 picks a free one. Loopback unless the user says otherwise.</summary>
    public string Url { get; init; } = "http://127.0.0.1:0";
    /// <summary>Require the X-API-Key header of a known participant.</summary>
    public bool RequireApiKey { get; init; }
    /// <summary>Delivery attempts per publication before it is marked RetriesExhausted.</summary>
    public int MaxDeliveryAttempts { get; init; } = 3;
    /// <summary>Wait before the first retry; doubles each attempt.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>How long a candidate's webhook may take to answer.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>DIP id the emulated DIP signs its own transaction ids with.</summary>
    public string DipManagerId { get; init; } = "0000000000";
    /// <summary>Largest request body accepted; larger ones get 413. The DIP's own limit is not published, so this is a setting.</summary>
    public long MaxBodyBytes { get; init; } = 5 * 1024 * 1024;
    /// <summary>Message signing policy (off by default so unsigned clients keep working).</summary>
    public SigningPolicy Signing { get; init; } = SigningPolicy.Off;
    /// <summary>How far X-DIP-Signature-Date may be from the DIP's (real) clock.</summary>
    public TimeSpan SignatureMaxSkew { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>The certificate (with private key) pushes are signed with; generated at start when null and signing is on.</summary>
    public X509Certificate2? SigningCertificate { get; init; }
    /// <summary>Folder the harness signing certificate is exported to as PEM (dip-signing-cert.pem), for the candidate to trust.</summary>
    public string? CertificateDirectory { get; init; }
    /// <summary>When not empty, a participant's signing certificate must chain to one of these (unless the participant has pinned certificates).</summary>
    public IReadOnlyList<X509Certificate2> TrustedSigningAuthorities { get; init; } = [];
    /// <summary>Messages per replay page; more give 206 and an X-Continuation-Token.</summary>
    public int ReplayPageSize { get; init; } = 100;
    /// <summary>Who sends and receives each interface (for sender-role checks and routing).</summary>
    public InterfaceCatalogue Catalogue { get; init; } = InterfaceCatalogue.Embedded;
    /// <summary>
    /// Mutual TLS: the emulator listens on HTTPS (Url must be https://…) and demands a client
    /// certificate, as the DIP does for all traffic. Off by default.
    /// </summary>
    public bool RequireClientCertificate { get; init; }
    /// <summary>When not empty (and mTLS is on), the client certificate must chain to one of these.</summary>
    public IReadOnlyList<X509Certificate2> TrustedClientAuthorities { get; init; } = [];
    /// <summary>The HTTPS server certificate (with key); generated for localhost/127.0.0.1 when null and the URL is https.</summary>
    public X509Certificate2? TlsCertificate { get; init; }
    /// <summary>The DIP id of the central service that consumes messages addressed to the Registration Service.</summary>
    public string RegistrationServiceDipId { get; init; } = HarnessParties.RegistrationServiceDipId;
    /// <summary>
    /// How many recent messages keep their delivery status and how many recent publications can be
    /// replayed or requeued; older ones are forgotten (the real DIP also retains for a limited time).
    /// Duplicate detection of sender unique references is not limited. Bounds the emulator's memory in a
    /// long <c>qualify stubs</c> session (unbounded, it once grew by about 10 KB per message).
    /// </summary>
    public int RetainedMessages { get; init; } = 20_000;
    /// <summary>
    /// The run's token for the read-only harness endpoint <c>GET /harness/journal</c> (sent as
    /// <c>Authorization: Bearer …</c> or <c>X-Harness-Token</c>). Null: the endpoint does not exist (404).
    /// </summary>
    public string? HarnessToken { get; init; }
}

/// <summary>
/// The emulated Data Integration Platform, speaking the published API (DIP API description v2.2.1):
/// message channels, publication webhooks, replay, requeue, delivery status and debug validation.
/// Participants POST message arrays to <c>/dip-channel/{IF-id}</c>; each item is validated against
/// its interface and event schema and the DIP's own checks (sender role, sender id, duplicates,
/// MPAN check digit, timestamps). Accepted messages go to the central services (via
/// <see cref="Accepted"/>) or, on participant-to-participant interfaces, to the A0 primary
/// recipients; publications are pushed to recipients' webhooks as egress arrays with D0 filled,
/// signed when signing is on. Every request, response and delivery attempt is written to the journal.
/// </summary>
public sealed partial class DipEmulator : IAsyncDisposable
{
    /// <summary>Item accepted.</summary>
    public const string Success = "MSG0000 - Success";
    /// <summary>Item (or body) does not match the schema.</summary>
    public const string SchemaFailure = "MSG1001 - Schema Failure";
    // The description names only MSG0000 and MSG1001; the codes below are the harness's own, chosen
    // so a client that keys on "MSG0000" treats them as failures and a person can read the reason.
    /// <summary>Item matches the schema but fails a DIP check beyond it (sender, role, MPAN, timestamp).</summary>
    public const string ValidationFailure = "MSG1002 - Validation Failure";
    /// <summary>The sender already sent a message with this senderUniqueReference.</summary>
    public const string DuplicateMessage = "MSG1003 - Duplicate senderUniqueReference";
    /// <summary>Authentication or signature failure.</summary>
    public const string Unauthorised = "MSG1401 - Unauthorised";

    private readonly DipEmulatorOptions _options;
    private readonly WireMockServer _server;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, SeenReferences> _referencesBySender = new(StringComparer.Ordinal);
    private readonly TrackStore _tracks;
    private readonly List<Publication> _publications = [];
    private readonly ConcurrentDictionary<string, RequeueJob> _requeues = new(StringComparer.Ordinal);
    private long _transactions;

    /// <summary>Starts the emulator.</summary>
    public DipEmulator(DipEmulatorOptions options, DipSchemaCatalog schemas, ParticipantDirectory directory, Journal journal, MarketClock clock, Func<string?> currentScenario)
    {
        _options = options;
        _tracks = new TrackStore(options.RetainedMessages);
        Schemas = schemas;
        Directory = directory;
        Journal = journal;
        Clock = clock;
        CurrentScenario = currentScenario;
        if (options.Signing != SigningPolicy.Off)
        {
            SigningCertificate = options.SigningCertificate ?? HarnessCertificates.CreateSelfSigned("qualify emulated DIP");
            if (options.CertificateDirectory is { } dir)
                SigningCertificatePath = HarnessCertificates.ExportCertificate(SigningCertificate, Path.Combine(dir, "dip-signing-cert.pem"));
        }
        var https = options.Url.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        if (options.RequireClientCertificate && !https)
            throw new ArgumentException($"Mutual TLS needs an https URL, not {options.Url}.", nameof(options));
        if (https)
        {
            TlsCertificate = options.TlsCertificate ?? HarnessCertificates.CreateTlsServer("qualify emulated DIP");
            if (options.CertificateDirectory is { } dir)
                TlsCertificatePath = HarnessCertificates.ExportCertificate(TlsCertificate, Path.Combine(dir, "dip-tls-cert.pem"));
        }
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = options.DeliveryTimeout };
        _server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [options.Url],
            StartAdminInterface = false,
            // The emulator journals every call itself and never reads WireMock's request log; keeping
            // 10,000 parsed requests there cost about 200 MB in the soak.
            MaxRequestLogCount = 0,
            // The emulator parses request bodies itself (System.Text.Json, from the bytes); WireMock's own
            // JSON parse of every body into a Newtonsoft tree was never read and cost a parse per message.
            DisableJsonBodyParsing = true,
            CertificateSettings = TlsCertificate is null ? null : new WireMockCertificateSettings { X509Certificate = TlsCertificate },
            // The TLS layer takes any client certificate; the emulator then checks it and answers
            // 401 with the reason, which says more than a failed handshake would.
            ClientCertificateMode = options.RequireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
            AcceptAnyClientCertificate = options.RequireClientCertificate,
        });
        // One route for everything: the emulator does its own routing so that an unknown path is a
        // 404 and a known path with the wrong method is a 405, as the description lists.
        _server.Given(Request.Create().UsingAnyMethod())
            .WithTitle("DIP API")
            .RespondWith(Response.Create().WithCallback(Route));
    }

    /// <summary>The URL participants send to, e.g. http://127.0.0.1:7401.</summary>
    public string Url => _server.Url!.Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal);   // WireMock names a fixed port "localhost"; it listens on loopback only

    /// <summary>The schemas messages are validated against.</summary>
    public DipSchemaCatalog Schemas { get; }

    /// <summary>Participants and their webhooks.</summary>
    public ParticipantDirectory Directory { get; }

    /// <summary>The run journal.</summary>
    public Journal Journal { get; }

    /// <summary>The market clock.</summary>
    public MarketClock Clock { get; }

    /// <summary>Which scenario is running (for journal records).</summary>
    public Func<string?> CurrentScenario { get; }

    /// <summary>The signing policy of this run.</summary>
    public SigningPolicy Signing => _options.Signing;

    /// <summary>The certificate pushes are signed with; null when signing is off.</summary>
    public X509Certificate2? SigningCertificate { get; }

    /// <summary>Where the signing certificate was exported as PEM, when a folder was given.</summary>
    public string? SigningCertificatePath { get; }

    /// <summary>The HTTPS server certificate, when the emulator listens on https.</summary>
    public X509Certificate2? TlsCertificate { get; }

    /// <summary>Where the HTTPS server certificate was exported as PEM.</summary>
    public string? TlsCertificatePath { get; }

    /// <summary>Handlers of accepted messages (the central services subscribe here).</summary>
    public event Func<AcceptedMessage, Task>? Accepted;

    // ---- routing -------------------------------------------------------------------------------

    /// <summary>One inbound call, with what every handler needs.</summary>
    private sealed record Call(IRequestMessage Request, string Method, string[] Segments, byte[] Body, JsonNode? Json, Instant Now, string? Scenario,
        string? Channel, long InboundSequence, Participant? Authenticated);

    private sealed record Endpoint(string Name, string[] Methods, Func<Call, ResponseMessage> Handler, bool Submission = false);

    private Endpoint? Match(string[] s) => s switch
    {
        ["dip-channel", _] => new("send messages", ["POST"], HandleChannelPost, Submission: true),
        ["dip-channel", _, "pubconfig", _] => new("publication configuration", ["POST", "DELETE"], HandlePubConfig),
        ["dip-channel", _, "replay", _] => new("replay", ["POST"], HandleReplay),
        ["dip-channel", _, "requeue", _] => new("requeue", ["POST"], HandleRequeue),
        ["dip-channel", _, "requeueStatus", _] => new("requeue status", ["GET"], HandleRequeueStatus),
        ["dip-channel", _, "deliveryStatus", _, _] => new("delivery status", ["GET"], HandleDeliveryStatus),
        ["validate", _, _] => new("debug validation", ["POST"], HandleValidate),
        ["statusmessage"] => new("status messages", ["POST"], HandleStatusMessage),
        ["statusmessage", "config", _] => new("status message configuration", ["POST", "DELETE"], HandleStatusMessageConfig),
        ["harness", "journal"] when _options.HarnessToken is not null => new("harness journal", ["GET"], HandleHarnessJournal),
        _ => null,
    };

    private ResponseMessage Route(IRequestMessage request)
    {
        var now = Clock.GetCurrentInstant();
        var scenario = CurrentScenario();
        var method = request.Method.ToUpperInvariant();
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var body = request.BodyAsBytes ?? (request.Body is { } text ? Encoding.UTF8.GetBytes(text) : []);
        var endpoint = Match(segments);
        var channel = segments is ["dip-channel", var c, ..] ? c : segments is ["validate", var v, _] ? v : null;
        var oversize = body.LongLength > _options.MaxBodyBytes;
        JsonNode? json = null;
        // JSON on the wire is UTF-8 (RFC 8259). System.Text.Json does not check the bytes inside
        // strings, so without this a message with invalid bytes was accepted with U+FFFD in its fields
        // and the journal did not hold the bytes sent. Such a body is refused and kept as base64.
        var badUtf8At = oversize || body.Length == 0 ? -1 : InvalidUtf8Offset(body);
        if (!oversize && body.Length > 0 && badUtf8At < 0)
        {
            try { json = JsonNode.Parse(body); } catch (JsonException) { }
        }

        // Only real submissions keep their parsed array in the journal's body: the runner reads
        // inbound arrays as messages sent, and validation or status calls are not.
        var keepJson = endpoint?.Submission == true || json is JsonObject;
        var inbound = Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Inbound, MarketTime = MarketTime.ToDip(now), Scenario = scenario, InterfaceId = channel, Url = request.Url,
            Body = keepJson ? json : null,
            RawBody = oversize || keepJson && json is not null || body.Length == 0 ? null : badUtf8At >= 0 ? "base64:" + Convert.ToBase64String(body) : Encoding.UTF8.GetString(body),
            Note = $"{method} {(endpoint?.Name ?? "unknown endpoint")}" + (oversize ? $"; body of {body.LongLength} bytes not kept (over the limit)" : "")
                + (badUtf8At >= 0 ? $"; body is not valid UTF-8 at byte {badUtf8At}, kept as base64" : ""),
        });
        var call = new Call(request, method, segments, body, json, now, scenario, channel, inbound.Sequence, null);

        if (endpoint is null)
            return Respond(call, 404, Standard(now, Item(null, null, "MSG1404 - Not Found", $"No DIP endpoint {method} {request.Path}. Messages go to POST /dip-channel/{{IF-id}}; see the DIP API description {Schemas.Version}.")));
        if (!endpoint.Methods.Contains(method))
            return Respond(call, 405, Standard(now, Item(null, null, "MSG1405 - Method Not Allowed", $"{request.Path} takes {string.Join(" or ", endpoint.Methods)}, not {method}")),
                ("Allow", string.Join(", ", endpoint.Methods)));

        if (_options.RequireClientCertificate && ClientCertificateProblem(request) is { } tlsProblem)
            return Respond(call, 401, Standard(now, Item(null, null, Unauthorised, "client certificate (mTLS): " + tlsProblem)));

        // Harness endpoints are not DIP API: the run's token guards them, not a participant's API key or signature.
        if (segments is ["harness", ..])
        {
            try { return endpoint.Handler(call); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Respond(call, 500, Standard(now, Item(null, null, "MSG1500 - Internal Server Error", $"harness fault, not a participant failure: {e.GetType().Name}: {e.Message}")));
            }
        }

        var apiKey = Header(request, "X-API-Key");
        var authenticated = apiKey is null ? null : Directory.FindByApiKey(apiKey);
        if (_options.RequireApiKey && authenticated is null)
            return Respond(call, 401, Standard(now, Item(null, null, Unauthorised, apiKey is null ? "X-API-Key header is missing" : "X-API-Key is not registered for any participant")));
        call = call with { Authenticated = authenticated };

        if (method == "POST")
        {
            var contentType = Header(request, "Content-Type");
            if (!IsJson(contentType))
                return Respond(call, 415, Standard(now, Item(null, null, "MSG1415 - Unsupported Media Type", $"Content-Type is '{contentType ?? "(none)"}'; the DIP takes application/json")));
            if (oversize)
                return Respond(call, 413, Standard(now, Item(null, null, "MSG1413 - Payload Too Large", $"the body is {body.LongLength} bytes; this DIP accepts at most {_options.MaxBodyBytes} bytes per request; split the array")));
        }

        try
        {
            if (CheckSignature(call) is { } refusal) return refusal;
            return endpoint.Handler(call);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A harness fault must not look like a verdict on the caller: 500, said plainly, and journalled.
            return Respond(call, 500, Standard(now, Item(null, null, "MSG1500 - Internal Server Error", $"harness fault, not a participant failure: {e.GetType().Name}: {e.Message}")));
        }
    }

    // The delivery-status track of a message, created on first sight; the oldest are forgotten past RetainedMessages.
    private MessageTrack Track(string channel, string reference) => _tracks.GetOrAdd(channel, reference);

    // A publication kept for replay and requeue; the oldest are dropped in chunks past RetainedMessages.
    private void Keep(Publication publication)
    {
        lock (_publications)
        {
            _publications.Add(publication);
            if (_publications.Count > _options.RetainedMessages + Math.Max(1, _options.RetainedMessages / 10))
                _publications.RemoveRange(0, _publications.Count - _options.RetainedMessages);
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        (media.MediaType is "application/json" || media.MediaType?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    private static string? Header(IRequestMessage request, string name)
    {
        if (request.Headers is null) return null;
        foreach (var (key, values) in request.Headers)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return values.FirstOrDefault();
        return null;
    }

    private string? ClientCertificateProblem(IRequestMessage request)
    {
        var certificate = request.ClientCertificate;
        if (certificate is null) return "none was presented; the DIP requires mutual TLS";
        var now = DateTime.UtcNow;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
            return $"'{certificate.Subject}' is valid {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now";
        if (_options.TrustedClientAuthorities.Count > 0 && !_options.TrustedClientAuthorities.Any(a => HarnessCertificates.IsIssuedBy(certificate, a)))
            return $"'{certificate.Subject}' is not issued by a certificate authority this DIP trusts ({string.Join(", ", _options.TrustedClientAuthorities.Select(a => a.Subject))})";
        return null;
    }

    // ---- signing -------------------------------------------------------------------------------

    private ResponseMessage? CheckSignature(Call call)
    {
        if (_options.Signing == SigningPolicy.Off) return null;
        var request = call.Request;
        var present = new[] { DipSignature.ContentHashHeader, DipSignature.DateHeader, DipSignature.SignatureHeader, DipSignature.CertificateHeader }
            .Any(h => Header(request, h) is not null);
        var claimed = call.Authenticated ?? Directory.Find(ClaimedCaller(call));
        if (!present && (_options.Signing == SigningPolicy.Optional || claimed?.SignatureExempt == true)) return null;
        var check = DipSignature.Verify(call.Method, request.Url, call.Body, h => Header(request, h), DateTimeOffset.UtcNow, _options.SignatureMaxSkew,
            certificate => Distrust(certificate, claimed));
        if (check.Valid) return null;
        return Respond(call, 401, Standard(call.Now, Item(null, null, Unauthorised, "message signature rejected: " + check.Problem)));
    }

    // Who the caller says it is when it has no API key: the sender of the first item, or the recipient in the path.
    private static string? ClaimedCaller(Call call) =>
        call.Json is JsonArray { Count: > 0 } items ? Text(At(items[0], "payload", "CommonBlock", "S1", "senderDIPID"))
        : call.Segments is ["dip-channel", _, _, var recipient, ..] ? recipient
        : call.Segments is ["statusmessage", "config", var r] ? r : null;

    private string? Distrust(X509Certificate2 certificate, Participant? caller)
    {
        if (caller is not null && Directory.SigningCertificates(caller.DipId) is { Count: > 0 } pinned)
            return pinned.Any(p => p.Thumbprint == certificate.Thumbprint)
                ? null
                : $"'{certificate.Subject}' (thumbprint {certificate.Thumbprint}) is not a certificate registered for {caller}; registered: {string.Join(", ", pinned.Select(p => p.Thumbprint))}";
        if (_options.TrustedSigningAuthorities.Count > 0 && !_options.TrustedSigningAuthorities.Any(a => HarnessCertificates.IsIssuedBy(certificate, a)))
            return $"'{certificate.Subject}' is not issued by a certificate authority this DIP trusts ({string.Join(", ", _options.TrustedSigningAuthorities.Select(a => a.Subject))})";
        return null;
    }

    private void SignRequest(HttpRequestMessage request, byte[] body)
    {
        if (SigningCertificate is null) return;
        var headers = DipSignature.Sign(request.Method.Method, request.RequestUri!.ToString(), body, SigningCertificate, DateTimeOffset.UtcNow);
        foreach (var (name, value) in headers.AsPairs()) request.Headers.TryAddWithoutValidation(name, value);
    }

    // ---- send messages -------------------------------------------------------------------------

    private ResponseMessage HandleChannelPost(Call call)
    {
        var channel = call.Channel!;
        var now = call.Now;
        if (!Schemas.Interfaces.Contains(channel))
            return Respond(call, 404, Standard(now, Item(null, null, "MSG1404 - Not Found", $"'{channel}' is not a DIP channel in API description {Schemas.Version}; use one of IF-001 … IF-065 or REP-xxx")));
        if (!TryParseArray(call, out var items, out var parseError))
            return Respond(call, 400, Standard(now, Item(null, null, SchemaFailure, parseError)));

        var results = new List<JsonObject>();
        var accepted = new List<(AcceptedMessage? Message, JsonObject Item, MessageTrack Track)>();
        foreach (var (item, index) in items.Select((x, i) => (x, i)))
        {
            var payload = At(item, "payload");
            var s1 = At(payload, "CommonBlock", "S1");
            var sur = SenderReference(item);
            var senderId = Text(At(s1, "senderDIPID"));
            var correlation = Text(At(s1, "senderCorrelationID"));
            var sent = Text(At(s1, "senderTimestamp"));
            var track = sur is null ? null : Track(channel, sur);
            if (track is not null)
            {
                track.Describe(senderId, Text(At(payload, "CommonBlock", "S0", "eventCode")),
                    Text(At(payload, "CommonBlock", "M0", "MPANCore")) ?? Text(At(payload, "CommonBlock", "M1", "principalMPAN")), correlation, now, replace: false);
            }

            var (code, problems) = ("", new List<string>());
            var schemaProblems = ValidateItem(channel, item, index, expectedEvent: null);
            if (schemaProblems.Count > 0) (code, problems) = (SchemaFailure, schemaProblems);
            else if (BeyondSchema(channel, (JsonObject)payload!, $"$[{index}].payload", call.Authenticated) is { Count: > 0 } l1) (code, problems) = (ValidationFailure, l1);
            if (problems.Count > 0)
            {
                var help = string.Join("; ", problems);
                results.Add(Item(null, sur, code, help, correlation, senderId, sent));
                track?.Add("Inbound", "InboundRuleFailure", 400, now, reason: help, message: code);
                continue;
            }

            var role = Text(s1!["senderRoleID"])!;
            var (day, sequence) = (DateOnly.FromDateTime(now.ToDateTimeUtc()), Interlocked.Increment(ref _transactions));
            var transactionId = DipIds.TransactionId(channel, senderId!, role, day, sequence);
            // Uniqueness is claimed atomically, so two concurrent posts of one reference cannot both pass.
            var seen = _referencesBySender.GetOrAdd(senderId!, _ => new SeenReferences());
            if (!seen.TryClaim(sur!, senderId!, channel, role, day, sequence, out var acceptedAs))
            {
                var help = $"$[{index}].payload.CommonBlock.S1.senderUniqueReference: '{sur}' was already accepted from {senderId} as transaction {acceptedAs}; a sender unique reference is used once (a retry after a success is a duplicate, not a new message)";
                results.Add(Item(null, sur, DuplicateMessage, help, correlation, senderId, sent));
                track!.Add("Inbound", "InboundRuleFailure", 400, now, reason: help, message: DuplicateMessage);
                continue;
            }
            track!.TransactionId = transactionId;
            track.Add("Inbound", "GoodToGo", 201, now, message: Success, transactionId: transactionId);
            // Relationship interfaces (IF-019) carry their metering point in M1 instead of M0.
            var message = At(payload, "CommonBlock", "M0") is JsonObject || At(payload, "CommonBlock", "M1") is JsonObject ? DipMessage.FromNode(item!) : null;
            var sender = call.Authenticated ?? Directory.Find(senderId);
            var result = Item(transactionId, sur, Success, null, correlation, senderId, sent);
            results.Add(result);
            accepted.Add((message is null ? null : new AcceptedMessage(message, transactionId, now, sender), result, track));
        }
        var status = accepted.Count == items.Count ? 201 : accepted.Count == 0 ? 400 : 207;
        var response = Respond(call, status, Standard(now, results.ToArray()));
        foreach (var (message, _, track) in accepted) Address(channel, message, track, now);
        return response;
    }

    // Addressing: messages for a central service go to its handlers; participant-to-participant
    // interfaces go to the sender's A0 primary recipients.
    private void Address(string channel, AcceptedMessage? message, MessageTrack track, Instant now)
    {
        var receivers = _options.Catalogue.Receivers(channel);
        var central = receivers is null || receivers.Contains("REGS");
        var primary = message?.Message.Payload.CommonBlock.A0?.PrimaryRecipients.Where(r => !string.IsNullOrEmpty(r)).Distinct().ToList() ?? [];
        if (central || message is null)
        {
            track.Add("Addressing", "SentToTopic", 200, now, recipients: [_options.RegistrationServiceDipId],
                recipientMap: RecipientMap([_options.RegistrationServiceDipId], []));
            track.Add("Outbound", "Delivered", 201, now, recipient: _options.RegistrationServiceDipId, transactionId: track.TransactionId,
                message: "consumed by the emulated central service");
            if (message is not null) Dispatch(message);
            return;
        }
        track.Add("Addressing", primary.Count == 0 ? "Failed" : "SentToTopic", primary.Count == 0 ? 400 : 200, now, recipients: primary,
            recipientMap: RecipientMap(primary, []), reason: primary.Count == 0 ? $"{channel} goes participant to participant and A0.primaryRecipients is empty: nobody to deliver to" : null);
        Dispatch(message);
        foreach (var recipient in primary)
        {
            var d0 = new D0Block(track.TransactionId!, MarketTime.ToDip(now), DipIds.PublicationId(channel), message.Message.Payload.CommonBlock.S1.SenderCorrelationId, false, null);
            var egress = new DipMessage(message.Message.Payload with { CommonBlock = message.Message.Payload.CommonBlock with { D0 = d0 } });
            track.SetTransaction(recipient, track.TransactionId!);
            var publication = new Publication(channel, recipient, egress, now, track.TransactionId!, track.Mpan);
            Keep(publication);
            _ = Task.Run(() => DeliverAsync(egress, recipient, channel, track, null, publication.ItemJson));
        }
    }

    private JsonObject RecipientMap(IEnumerable<string> primary, IEnumerable<string> always) => new()
    {
        ["Primary"] = new JsonArray(primary.Select(r => (JsonNode?)new JsonObject { ["role"] = Directory.Find(r)?.Role ?? (r == _options.RegistrationServiceDipId ? "REGS" : null), ["dipId"] = r }).ToArray()),
        ["Secondary"] = new JsonArray(),
        ["Always"] = new JsonArray(always.Select(r => (JsonNode?)new JsonObject { ["role"] = Directory.Find(r)?.Role, ["dipId"] = r }).ToArray()),
    };

    // Central services process accepted messages after the synchronous response, as the DIP does.
    private void Dispatch(AcceptedMessage message)
    {
        var handlers = Accepted;
        if (handlers is null) return;
        _ = Task.Run(async () =>
        {
            foreach (var h in handlers.GetInvocationList().Cast<Func<AcceptedMessage, Task>>())
            {
                try { await h(message); }
                catch (Exception e)
                {
                    Journal.Append(new JournalRecord
                    {
                        Kind = JournalKind.Marker, Scenario = CurrentScenario(), InterfaceId = message.Message.InterfaceId, Mpan = message.Message.Mpan,
                        TransactionId = message.TransactionId, Note = "harness fault while processing: " + e.Message,
                    });
                }
            }
        });
    }

    private static bool TryParseArray(Call call, out IReadOnlyList<JsonNode?> items, out string error)
    {
        items = [];
        if (call.Body.Length == 0) { error = "$: the body is empty; send a JSON array of {\"payload\": …} items"; return false; }
        if (call.Json is null && InvalidUtf8Offset(call.Body) is >= 0 and var at)
        {
            error = $"$: the body is not valid UTF-8 (first bad byte at offset {at}); send JSON encoded as UTF-8";
            return false;
        }
        if (call.Json is null) { error = "$: the body is not JSON"; return false; }
        if (call.Json is not JsonArray array) { error = "$: the body must be a JSON array of {\"payload\": …} items (DIPMessageArray)"; return false; }
        if (array.Count == 0) { error = "$: the array is empty; send at least one message (DIPMessageArray minItems 1)"; return false; }
        items = array.ToList();
        error = "";
        return true;
    }

    // Offset of the first byte that is not part of valid UTF-8, or -1.
    private static int InvalidUtf8Offset(byte[] body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body)) return -1;
        var chars = new char[body.Length];
        System.Text.Unicode.Utf8.ToUtf16(body, chars, out var read, out _, replaceInvalidSequences: false);
        return read;
    }

    private List<string> ValidateItem(string channel, JsonNode? item, int index, string? expectedEvent)
    {
        var prefix = $"$[{index}]";
        if (item is not JsonObject obj || obj["payload"] is not JsonObject payload)
            return [$"{prefix}.payload: required; each item is {{\"payload\": {{\"CommonBlock\": …, \"CustomBlock\": …}}}}"];
        var extra = obj.Select(p => p.Key).Where(k => k != "payload").ToList();
        if (extra.Count > 0) return extra.Select(k => $"{prefix}.{k}: property is not allowed by the schema (an item holds only 'payload')").ToList();
        var s0 = At(payload, "CommonBlock", "S0");
        var iface = Text(At(s0, "interfaceID"));
        var evt = Text(At(s0, "eventCode"));
        if (iface is not null && iface != channel)
            return [$"{prefix}.payload.CommonBlock.S0.interfaceID: is '{iface}' but the message was sent on channel {channel}"];
        if (expectedEvent is not null && evt != expectedEvent)
            return [$"{prefix}.payload.CommonBlock.S0.eventCode: is '{evt}' but the validation endpoint is for {expectedEvent}"];
        var schemaName = Schemas.SchemaFor(channel, evt);
        if (schemaName is null)
        {
            var known = string.Join(", ", Schemas.EventsByInterface.GetValueOrDefault(channel) ?? new HashSet<string>());
            return [$"{prefix}.payload.CommonBlock.S0.eventCode: '{evt}' is not an event of {channel}; expected one of {known} (with the brackets)"];
        }
        return Schemas.Validate(schemaName, payload, prefix + ".payload").Select(v => v.ToString()).ToList();
    }

    // The DIP's L1/L2 checks that the schema cannot express.
    private List<string> BeyondSchema(string channel, JsonObject payload, string path, Participant? authenticated)
    {
        var problems = new List<string>();
        var s1 = At(payload, "CommonBlock", "S1");
        var mpan = Text(At(payload, "CommonBlock", "M0", "MPANCore"));
        if (mpan is not null && MpanCore.Problem(mpan) is { } mpanProblem) problems.Add($"{path}.CommonBlock.M0.MPANCore: {mpanProblem}");
        var principal = Text(At(payload, "CommonBlock", "M1", "principalMPAN"));
        if (principal is not null && MpanCore.Problem(principal) is { } principalProblem) problems.Add($"{path}.CommonBlock.M1.principalMPAN: {principalProblem}");

        var role = Text(At(s1, "senderRoleID"));
        var senders = _options.Catalogue.Senders(channel);
        if (role is not null && senders is not null && !senders.Contains(role))
            problems.Add($"{path}.CommonBlock.S1.senderRoleID: '{role}' may not send {channel}; the interface catalogue ({_options.Catalogue.Version}) lists senders {string.Join(", ", senders.Order())}");

        var senderId = Text(At(s1, "senderDIPID"));
        var provider = Text(At(s1, "DIPConnectionProviderID"));
        if (authenticated is not null && senderId != authenticated.DipId && provider != authenticated.DipId)
            problems.Add($"{path}.CommonBlock.S1.senderDIPID: is '{senderId}' but the X-API-Key belongs to {authenticated}; a participant sends as itself (or names itself as DIPConnectionProviderID)");
        if (Directory.Find(senderId) is { } known && role is not null && known.Role != role)
            problems.Add($"{path}.CommonBlock.S1.senderRoleID: is '{role}' but DIP id {senderId} is registered as {known.Role}");

        foreach (var (where, value) in DateTimes(payload, path))
            if (!DipDateTime().IsMatch(value) || !DateTimeOffset.TryParseExact(value, "yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
                problems.Add($"{where}: '{value}' is not a DIP date-time; use exactly 25 characters yyyy-MM-ddTHH:mm:ss+hh:mm, with the offset (e.g. 2026-01-05T10:15:00+00:00)");
        return problems;
    }

    // Every value that is meant to be a DIP date-time: S1.senderTimestamp, and any 25-character
    // string that starts like a date (the schemas only constrain their length). In document order;
    // a value's path is spelt out only for those it returns (this walks every value of every message).
    private static List<(string Path, string Value)> DateTimes(JsonNode? node, string path)
    {
        var found = new List<(string Path, string Value)>();
        var segments = new List<string> { path };
        Walk(node, segments, found);
        return found;

        static void Walk(JsonNode? node, List<string> segments, List<(string Path, string Value)> found)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj)
                    {
                        segments.Add("." + key);
                        Walk(child, segments, found);
                        segments.RemoveAt(segments.Count - 1);
                    }
                    break;
                case JsonArray arr:
                    for (var i = 0; i < arr.Count; i++)
                    {
                        segments.Add($"[{i}]");
                        Walk(arr[i], segments, found);
                        segments.RemoveAt(segments.Count - 1);
                    }
                    break;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    var timestamp = segments[^1].EndsWith("senderTimestamp", StringComparison.Ordinal) && string.Concat(segments).EndsWith(".S1.senderTimestamp", StringComparison.Ordinal);
                    if (timestamp || s.Length == 25 && DateStart().IsMatch(s)) found.Add((string.Concat(segments), s));
                    break;
            }
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")]
    private static partial Regex DipDateTime();
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T")]
    private static partial Regex DateStart();

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string? SenderReference(JsonNode? item) => Text(At(item, "payload", "CommonBlock", "S1", "senderUniqueReference"));

    // Safe navigation through objects only: indexing a JSON number or array by name would throw,
    // and a caller's malformed body must get a 400, not a crash.
    private static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var name in path) node = node is JsonObject obj ? obj[name] : null;
        return node;
    }

    // ---- debug validation ----------------------------------------------------------------------

    private ResponseMessage HandleValidate(Call call)
    {
        var (iface, evt) = (call.Segments[1], call.Segments[2]);
        var eventCode = evt.StartsWith('[') ? evt : "[" + evt + "]";
        if (!Schemas.ValidationEndpoints.Contains(iface + "/" + eventCode))
            return Respond(call, 404, Standard(call.Now, Item(null, null, "MSG1404 - Not Found", $"The description publishes no validation endpoint /validate/{iface}/{evt.Trim('[', ']')}")));
        if (!TryParseArray(call, out var items, out var parseError))
            return Respond(call, 400, Standard(call.Now, Item(null, null, SchemaFailure, parseError)));
        var responses = new List<JsonObject>();
        var anyBad = false;
        foreach (var (item, index) in items.Select((x, i) => (x, i)))
        {
            var problems = ValidateItem(iface, item, index, expectedEvent: eventCode);
            anyBad |= problems.Count > 0;
            responses.Add(Item(null, SenderReference(item), problems.Count == 0 ? Success : SchemaFailure, problems.Count == 0 ? null : string.Join("; ", problems)));
        }
        return Respond(call, anyBad ? 400 : 201, Standard(call.Now, responses.ToArray()));
    }

    // ---- publications --------------------------------------------------------------------------

    /// <summary>
    /// Publishes a message from a central service: fills D0 and pushes it to each recipient's webhook
    /// (and to any A0 primary recipients the payload names), retrying with back-off. Returns once
    /// every delivery has succeeded or exhausted its retries.
    /// </summary>
    public async Task PublishAsync(DipPayload payload, IEnumerable<string> recipientDipIds, string? initialCorrelationId = null)
    {
        var now = Clock.GetCurrentInstant();
        var iface = payload.CommonBlock.S0.InterfaceId;
        var recipients = recipientDipIds.Concat(payload.CommonBlock.A0?.PrimaryRecipients ?? []).Where(r => !string.IsNullOrEmpty(r)).Distinct().ToList();
        var sur = payload.CommonBlock.S1.SenderUniqueReference;
        var track = Track(iface, sur);
        track.Describe(payload.CommonBlock.S1.SenderDipId, payload.CommonBlock.S0.EventCode, new DipMessage(payload).Mpan, initialCorrelationId, now, replace: true);
        track.Add("Inbound", "GoodToGo", 201, now, message: Success);
        track.Add("Addressing", "SentToTopic", 200, now, recipients: recipients, recipientMap: RecipientMap(payload.CommonBlock.A0?.PrimaryRecipients ?? [], recipients));
        var tasks = recipients.Select(async recipient =>
        {
            var d0 = new D0Block(
                DipIds.TransactionId(iface, recipient, Directory.Find(recipient)?.Role ?? "REGS", DateOnly.FromDateTime(now.ToDateTimeUtc()), Interlocked.Increment(ref _transactions)),
                MarketTime.ToDip(now), DipIds.PublicationId(iface), initialCorrelationId, false, null);
            var egress = new DipMessage(payload with { CommonBlock = payload.CommonBlock with { D0 = d0 } });
            track.SetTransaction(recipient, d0.TransactionId);
            track.TransactionId ??= d0.TransactionId;
            var publication = new Publication(iface, recipient, egress, now, d0.TransactionId, track.Mpan);
            Keep(publication);
            await DeliverAsync(egress, recipient, iface, track, null, publication.ItemJson);
        });
        await Task.WhenAll(tasks);
    }

    /// <summary>Delivers one egress message to one recipient, retrying; true when it was delivered (or recorded for a harness-played party).</summary>
    /// <param name="itemJson">The egress item already serialised (a retained publication's bytes), so it is not serialised twice.</param>
    private async Task<bool> DeliverAsync(DipMessage egress, string recipient, string channel, MessageTrack? track, string? purpose, ReadOnlyMemory<byte>? itemJson = null)
    {
        // Serialised once, straight to UTF-8: the bytes pushed (and signed) are also what the journal records.
        var bytes = itemJson is { } item ? Publication.AsArray(item.Span) : JsonSerializer.SerializeToUtf8Bytes<DipMessage[]>([egress], DipMessage.Json);
        var url = Directory.CallbackFor(channel, recipient);
        var prefix = purpose is null ? "" : purpose + ": ";
        var record = new JournalRecord
        {
            Kind = JournalKind.Push, Scenario = CurrentScenario(), InterfaceId = channel, EventCode = egress.EventCode, Mpan = egress.Mpan,
            From = egress.Payload.CommonBlock.S1.SenderDipId, To = recipient, TransactionId = egress.Payload.CommonBlock.D0!.TransactionId,
            Body = JsonNode.Parse(bytes),
        };
        if (url is null)
        {
            // A party the harness plays without a process (e.g. the distributor): recorded, not sent.
            var at = Clock.GetCurrentInstant();
            Journal.Append(record with { MarketTime = MarketTime.ToDip(at), Note = prefix + "recorded for a party the harness plays" });
            track?.Add("Outbound", "Delivered", 0, at, recipient: recipient, transactionId: record.TransactionId, message: "recorded for a party the harness plays (no webhook)");
            return true;
        }
        var backoff = _options.RetryBackoff;
        for (var attempt = 1; attempt <= _options.MaxDeliveryAttempts; attempt++)
        {
            int? status = null;
            string note;
            // The attempt is stamped when it starts: a fast recipient may answer before the POST returns.
            var attemptStart = Clock.GetCurrentInstant();
            var started = DateTimeOffset.UtcNow;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                SignRequest(request, bytes);
                using var response = await _http.SendAsync(request, _stopping.Token);
                status = (int)response.StatusCode;
                note = response.IsSuccessStatusCode ? "Delivered" : $"RejectedByRecipient (attempt {attempt})";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                note = $"attempt {attempt} failed: {(e is TaskCanceledException ? "timed out" : e.Message)}";
            }
            var delivered = status is >= 200 and < 300;
            var last = !delivered && attempt == _options.MaxDeliveryAttempts;
            if (last) note += "; RetriesExhausted";
            if (SigningCertificate is not null) note += "; signed";
            Journal.Append(record with { MarketTime = MarketTime.ToDip(attemptStart), Url = url.ToString(), Status = status, Note = prefix + note });
            track?.Add("Outbound", delivered ? "Delivered" : last ? "RetriesExhausted" : status is null ? "DeliveryFailure" : "RejectedByRecipient", status ?? 0, attemptStart,
                recipient: recipient, transactionId: record.TransactionId, uri: url, message: note, durationMs: (int)(DateTimeOffset.UtcNow - started).TotalMilliseconds);
            if (!delivered && !last) track?.Add("Outbound", "Retrying", status ?? 0, attemptStart, recipient: recipient, transactionId: record.TransactionId, uri: url);
            if (delivered) return true;
            if (_stopping.IsCancellationRequested) return false;
            if (attempt < _options.MaxDeliveryAttempts)
            {
                try { await Task.Delay(backoff, _stopping.Token); } catch (TaskCanceledException) { return false; }
                backoff *= 2;
            }
        }
        return false;
    }

    // ---- responses -----------------------------------------------------------------------------

    private ResponseMessage Respond(Call call, int status, JsonNode? body, params (string Name, string Value)[] headers)
    {
        Journal.Append(new JournalRecord
        {
            Kind = JournalKind.Response, MarketTime = MarketTime.ToDip(call.Now), Scenario = call.Scenario, InterfaceId = call.Channel, ReplyTo = call.InboundSequence,
            // Not a copy: every response body is built for this call and not changed after it is answered.
            Status = status, Body = body,
            Note = headers.Length == 0 ? null : string.Join("; ", headers.Select(h => $"{h.Name}: {h.Value}")),
        });
        var message = new ResponseMessage
        {
            StatusCode = status,
            Headers = new Dictionary<string, WireMockList<string>>(),
        };
        foreach (var (name, value) in headers) message.Headers[name] = new WireMockList<string>(value);
        if (body is not null)
        {
            message.Headers["Content-Type"] = new WireMockList<string>("application/json");
            message.BodyData = new BodyData { BodyAsBytes = JsonSerializer.SerializeToUtf8Bytes(body, WireJson), DetectedBodyType = BodyType.Bytes };
        }
        return message;
    }

    // Offsets stay readable ("+00:00", not "\u002B00:00"); the bodies are JSON, never HTML.
    private static readonly JsonSerializerOptions WireJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonObject Standard(Instant now, params JsonObject[] items) => new()
    {
        ["messageArray"] = new JsonArray(items.Cast<JsonNode>().ToArray()),
        ["timestamp"] = MarketTime.ToDip(now),
    };

    private JsonObject Item(string? transactionId, string? senderUniqueReference, string message, string? help, string? correlationId = null, string? senderId = null,
        string? sentTimestamp = null, string? recipientId = null) => new()
    {
        ["transactionID"] = transactionId,
        ["senderUniqueReference"] = senderUniqueReference,
        ["correlationID"] = correlationId,
        ["sentTimestamp"] = sentTimestamp ?? MarketTime.ToDip(Clock.GetCurrentInstant()),
        ["senderID"] = senderId ?? _options.DipManagerId,
        ["recipientID"] = recipientId,
        ["DIPConnectionProviderID"] = null,
        ["message"] = message,
        ["help"] = help,
        ["serviceTicketURL"] = null,
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _server.Stop();
        _server.Dispose();
        _http.Dispose();
        _stopping.Dispose();
    }
}
