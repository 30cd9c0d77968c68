using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.ReferenceParticipants;
using Qualification.Stubs;
using Qualification.Stubs.Css;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Smrs;

namespace Qualification.Runner.Composition;

/// <summary>Settings of one run's harness.</summary>
public sealed record HarnessOptions
{
    /// <summary>The candidate, or null to qualify the built-in reference participants.</summary>
    public CandidateProfile? Candidate { get; init; }
    /// <summary>Market seconds per real second.</summary>
    public double TimeScale { get; init; } = 600;
    /// <summary>Where the journal goes.</summary>
    public required string JournalPath { get; init; }
    /// <summary>Working-day calendar.</summary>
    public WorkingDayCalendar Calendar { get; init; } = WorkingDayCalendar.Default;
    /// <summary>Faults for the reference supplier (tests and demonstrations only).</summary>
    public ParticipantFaults SupplierFaults { get; init; } = ParticipantFaults.None;
    /// <summary>Faults for the reference metering service (tests and demonstrations only).</summary>
    public ParticipantFaults MeteringServiceFaults { get; init; } = ParticipantFaults.None;
    /// <summary>Container image to start the candidate from (--candidate-image, else the profile's image); null: the candidate runs on its own.</summary>
    public string? CandidateImage { get; init; }
}

/// <summary>
/// The composition root of a run: journal, market clock, the emulated DIP, SMRS and CSS, and the
/// reference participants that play every role the candidate does not.
/// </summary>
public sealed class Harness : IAsyncDisposable
{
    private readonly List<ReferenceParticipant> _references = [];
    private readonly Timer _ticker;
    private volatile string? _scenario;
    private CandidateContainer? _container;

    private Harness(HarnessOptions options, Journal journal, MarketClock clock, ParticipantDirectory directory, DipEmulator dip, SmrsEmulator smrs, CssEmulator css)
    {
        Options = options;
        Journal = journal;
        Clock = clock;
        Directory = directory;
        Dip = dip;
        Smrs = smrs;
        Css = css;
        Driver = new DriverClient(this);
        // Central events also fire as (scaled) real time passes, not only on time travel.
        _ticker = new Timer(_ => { try { Clock.FireDue(); } catch (Exception e) { Note("harness fault in a scheduled event: " + e.Message); } }, null, 50, 50);
    }

    /// <summary>Run settings.</summary>
    public HarnessOptions Options { get; }
    /// <summary>The run journal.</summary>
    public Journal Journal { get; }
    /// <summary>The market clock.</summary>
    public MarketClock Clock { get; }
    /// <summary>Participants known to the DIP.</summary>
    public ParticipantDirectory Directory { get; }
    /// <summary>Emulated DIP.</summary>
    public DipEmulator Dip { get; }
    /// <summary>Emulated SMRS.</summary>
    public SmrsEmulator Smrs { get; }
    /// <summary>Emulated CSS.</summary>
    public CssEmulator Css { get; }
    /// <summary>Emulated DTN gateway (HTTP and watched folders).</summary>
    public Qualification.Stubs.Dtn.DtnGateway Dtn { get; private set; } = null!;
    /// <summary>Drives participants' business actions.</summary>
    public DriverClient Driver { get; }
    /// <summary>The participants judged in this run.</summary>
    public IReadOnlyList<Participant> Candidates { get; private set; } = [];
    /// <summary>Who plays the supplier.</summary>
    public Participant Supplier { get; private set; } = null!;
    /// <summary>Who plays the smart metering service.</summary>
    public Participant MeteringService { get; private set; } = null!;
    /// <summary>Driver API of each participant that has one (DIP id → base URL).</summary>
    public IReadOnlyDictionary<string, Uri> Drivers => _drivers;
    private readonly Dictionary<string, Uri> _drivers = new(StringComparer.Ordinal);
    /// <summary>Scenario running now.</summary>
    public string? CurrentScenario => _scenario;
    /// <summary>Display name of what is qualified.</summary>
    public string CandidateName => Options.Candidate?.Name ?? "reference participants (Supplier, Smart Metering Service)";

    /// <summary>Starts the emulators and the reference participants.</summary>
    public static async Task<Harness> StartAsync(HarnessOptions options)
    {
        var journal = new Journal(options.JournalPath);
        var clock = new MarketClock(MarketTime.ParseLocal("2026-01-05 09:00"), options.TimeScale);
        var directory = new ParticipantDirectory();
        Harness? harness = null;
        var candidate = options.Candidate;
        DipEmulator dip;
        CssEmulator css;
        try
        {
            // Signing stays off unless the profile asks (harness.signing); the certificate pushes are
            // signed with is exported next to the journal for the candidate to trust.
            dip = new DipEmulator(new DipEmulatorOptions
                {
                    Url = candidate?.DipUrl ?? "http://127.0.0.1:0", RequireApiKey = candidate?.ApiKey is not null,
                    Signing = candidate?.Signing ?? Qualification.Stubs.Security.SigningPolicy.Off,
                    CertificateDirectory = Path.GetDirectoryName(Path.GetFullPath(options.JournalPath)),
                },
                DipSchemaCatalog.Embedded, directory, journal, clock, () => harness?.CurrentScenario);
            var smrs = new SmrsEmulator(dip, options.Calendar);
            css = new CssEmulator(smrs, journal, clock, () => harness?.CurrentScenario, candidate?.CssUrl ?? "http://127.0.0.1:0");
            harness = new Harness(options, journal, clock, directory, dip, smrs, css);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            journal.Dispose();
            throw new InputException($"The emulators could not listen on {candidate?.DipUrl} / {candidate?.CssUrl}: {e.Message}. Is another run using those ports? Change harness.dipUrl/cssUrl in the profile.");
        }
        var runDir = Path.GetDirectoryName(Path.GetFullPath(options.JournalPath))!;
        try
        {
            harness.Dtn = new Qualification.Stubs.Dtn.DtnGateway(new Qualification.Stubs.Dtn.DtnGatewayOptions
            {
                Url = candidate?.DtnUrl ?? "http://127.0.0.1:0",
                InboxFolder = Path.Combine(runDir, "dtn", "inbox"),
                OutboxFolder = Path.Combine(runDir, "dtn", "outbox"),
                MeteringPoints = new Qualification.Stubs.Dtn.SmrsMeteringPoints(harness.Smrs),
                MarketTime = () => MarketTime.ToDip(clock.GetCurrentInstant()),
            }, journal, () => harness.CurrentScenario);
            harness.Smrs.Dtn = harness.Dtn;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await harness.DisposeAsync();
            throw new InputException($"The DTN gateway could not listen on {candidate?.DtnUrl}: {e.Message}. Change harness.dtnUrl in the profile.");
        }
        await harness.StartParticipantsAsync();
        if ((options.CandidateImage ?? candidate?.Image) is { } image && candidate is not null)
        {
            try
            {
                harness._container = await CandidateContainer.StartAsync(image, candidate, harness.Dip.Url, harness.Css.Url, harness.Dtn?.Url, journal, runDir);
            }
            catch
            {
                await harness.DisposeAsync();
                throw;
            }
        }
        return harness;
    }

    private async Task StartParticipantsAsync()
    {
        var candidate = Options.Candidate;
        var qualifiedSegments = new HashSet<string> { "S", "A" };
        Participant? candidateParticipant = null;
        if (candidate is not null)
        {
            candidateParticipant = new Participant(candidate.DipId, candidate.Role, candidate.Mpid, candidate.Name, candidate.CallbackUrl, candidate.ApiKey, candidate.Segments.ToHashSet());
            Directory.Add(candidateParticipant);
            if (candidate.SigningCertificate is { } pem)
            {
                try { Directory.PinSigningCertificate(candidate.DipId, System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(pem)); }
                catch (System.Security.Cryptography.CryptographicException e) { throw new InputException($"harness.signingCertificate {pem} is not a PEM certificate: {e.Message}"); }
            }
            if (candidate.DriverUrl is not null) _drivers[candidate.DipId] = candidate.DriverUrl;
        }

        Participant supplier;
        if (candidate?.Role == DipRole.Supplier) supplier = candidateParticipant!;
        else
        {
            var reference = await StartReferenceAsync(DipRole.Supplier, HarnessParties.SupplierDipId, HarnessParties.SupplierMpid, Options.SupplierFaults);
            // Reference participants are not being qualified: they may call the DIP unsigned.
            supplier = new Participant(HarnessParties.SupplierDipId, DipRole.Supplier, HarnessParties.SupplierMpid, "Reference Supplier", reference.CallbackUrl, null, qualifiedSegments) { SignatureExempt = true };
            _drivers[supplier.DipId] = new Uri(reference.Url);
            Directory.Add(supplier);
        }
        Participant meteringService;
        if (candidate is not null && DipRole.IsMeteringService(candidate.Role)) meteringService = candidateParticipant!;
        else
        {
            var reference = await StartReferenceAsync(DipRole.SmartMeteringService, HarnessParties.SmartMeteringServiceDipId, HarnessParties.SmartMeteringServiceMpid, Options.MeteringServiceFaults);
            _drivers[HarnessParties.SmartMeteringServiceDipId] = new Uri(reference.Url);
            meteringService = new Participant(HarnessParties.SmartMeteringServiceDipId, DipRole.SmartMeteringService, HarnessParties.SmartMeteringServiceMpid,
                "Reference Smart Metering Service", reference.CallbackUrl, null, qualifiedSegments) { SignatureExempt = true };
            Directory.Add(meteringService);
        }
        // Parties the harness plays without a process: their publications are recorded, not sent.
        Directory.Add(new Participant(HarnessParties.DistributorDipId, DipRole.Distributor, HarnessParties.DistributorMpid, "Harness distributor", null, null, qualifiedSegments));
        Directory.Add(new Participant(HarnessParties.LosingSupplierDipId, DipRole.Supplier, HarnessParties.LosingSupplierMpid, "Harness losing supplier", null, null, qualifiedSegments));
        Directory.Add(new Participant(HarnessParties.IncumbentMeteringServiceDipId, DipRole.SmartMeteringService, HarnessParties.IncumbentMeteringServiceMpid, "Harness incumbent metering service", null, null, qualifiedSegments));
        // The gaining service answers its appointment request itself (IF-034 through the DIP), so it has a key of its own.
        Directory.Add(new Participant(HarnessParties.GainingMeteringServiceDipId, DipRole.AdvancedMeteringService, HarnessParties.GainingMeteringServiceMpid, "Harness gaining metering service", null,
            Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)), qualifiedSegments) { SignatureExempt = true });

        Supplier = supplier;
        MeteringService = meteringService;
        Candidates = candidateParticipant is not null ? [candidateParticipant] : [supplier, meteringService];
    }

    private async Task<ReferenceParticipant> StartReferenceAsync(string role, string dipId, string mpid, ParticipantFaults faults)
    {
        var participant = await ReferenceParticipant.StartAsync(new ParticipantOptions
        {
            Role = role, DipId = dipId, Mpid = mpid, DipUrl = new Uri(Dip.Url), CssUrl = new Uri(Css.Url), DtnUrl = new Uri(Dtn.Url), Faults = faults, Calendar = Options.Calendar,
            MeteringServiceDipId = Options.Candidate is { } c && DipRole.IsMeteringService(c.Role) ? c.DipId : HarnessParties.SmartMeteringServiceDipId,
            MeteringServiceMpid = Options.Candidate is { } c2 && DipRole.IsMeteringService(c2.Role) ? c2.Mpid : HarnessParties.SmartMeteringServiceMpid,
            // When its first choice is rejected, the reference supplier proposes the harness's other metering service.
            FallbackMeteringServiceDipId = HarnessParties.GainingMeteringServiceDipId,
            FallbackMeteringServiceMpid = HarnessParties.GainingMeteringServiceMpid,
        });
        _references.Add(participant);
        return participant;
    }

    /// <summary>A scenario starts: central state is cleared and the market clock goes back to its default start.</summary>
    public void BeginScenario(string scenarioId)
    {
        _scenario = scenarioId;
        Smrs.Reset();
        Clock.Reset(MarketTime.ParseLocal("2026-01-05 09:00"));
        Journal.Append(new JournalRecord { Kind = JournalKind.Marker, Scenario = scenarioId, MarketTime = MarketTime.ToDip(Clock.GetCurrentInstant()), Note = "scenario started" });
    }

    /// <summary>A scenario ends: records the end of its observation window.</summary>
    public Instant EndScenario(string scenarioId, string outcome)
    {
        var end = Clock.GetCurrentInstant();
        Journal.Append(new JournalRecord { Kind = JournalKind.Marker, Scenario = scenarioId, MarketTime = MarketTime.ToDip(end), Note = "scenario ended: " + outcome });
        _scenario = null;
        return end;
    }

    /// <summary>
    /// Waits until the participants have gone quiet (no journal record for <paramref name="quiet"/>,
    /// at most <paramref name="limit"/>), so time travel never overtakes work still in flight in
    /// real time, such as an IF-005 a metering service is about to send for works just done.
    /// </summary>
    public async Task SettleAsync(TimeSpan? quiet = null, TimeSpan? limit = null)
    {
        var q = quiet ?? TimeSpan.FromMilliseconds(400);
        // After a business action, first give the participant time to react at all (a cold start on
        // a busy machine can take seconds before its first message), then wait for quiet.
        var records = Journal.Records;
        var action = records.LastOrDefault(r => r.Kind == JournalKind.Driver && r.Scenario == CurrentScenario && r.Status is >= 200 and < 300);
        // A reaction is anything the participant sent after the action was asked for; it may be
        // journalled before the action itself, whose record is written when the driver call returns.
        static bool Reacted(IEnumerable<JournalRecord> all, DateTimeOffset since) => all.Any(r => r.Kind is JournalKind.Inbound or JournalKind.Dtn && r.At >= since);
        if (action is not null && !Reacted(records, action.At))
        {
            var reactBy = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < reactBy && !Reacted(Journal.Records, action.At))
                await Task.Delay(50);
        }
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(5));
        var seen = Journal.Count;
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            var now = Journal.Count;
            if (now != seen) { seen = now; since = DateTime.UtcNow; }
            else if (DateTime.UtcNow - since >= q) return;
        }
    }

    /// <summary>The candidate's container, when the harness started it.</summary>
    public CandidateContainer? CandidateContainer => _container;

    /// <summary>Stops the candidate's container (if the harness started one), keeping its logs as evidence.</summary>
    public async Task StopCandidateContainerAsync()
    {
        if (_container is not null) await _container.StopAsync();
    }

    /// <summary>Writes a note into the journal.</summary>
    public void Note(string text) => Journal.Append(new JournalRecord
    {
        Kind = JournalKind.Marker, Scenario = CurrentScenario, MarketTime = MarketTime.ToDip(Clock.GetCurrentInstant()), Note = text,
    });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _ticker.DisposeAsync();
        await StopCandidateContainerAsync();
        await Driver.DisposeAsync();
        foreach (var p in _references) await p.DisposeAsync();
        await Dip.DisposeAsync();
        Css.Dispose();
        Dtn?.Dispose();
        Journal.Dispose();
    }
}
