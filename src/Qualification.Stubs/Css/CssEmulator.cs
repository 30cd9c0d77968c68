using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Stubs.Smrs;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Qualification.Stubs.Css;

/// <summary>
/// The emulated Central Switching Service. It owns the lifecycle of supplier registrations
/// (pending → secured active at gate closure → completed on the effective date) and tells SMRS,
/// which notifies suppliers over the DIP. A supplier can read back its own registration (the
/// gaining supplier knows the date of the switch it requested) at <c>GET /css/registrations/{id}</c>.
/// </summary>
public sealed class CssEmulator : IDisposable
{
    private readonly SmrsEmulator _smrs;
    private readonly Journal _journal;
    private readonly MarketClock _clock;
    private readonly Func<string?> _scenario;
    private readonly WireMockServer _server;
    private int _ids;

    /// <summary>Starts the CSS emulator on <paramref name="url"/> (loopback, port 0 by default).</summary>
    public CssEmulator(SmrsEmulator smrs, Journal journal, MarketClock clock, Func<string?> scenario, string url = "http://127.0.0.1:0")
    {
        _smrs = smrs;
        _journal = journal;
        _clock = clock;
        _scenario = scenario;
        _server = WireMockServer.Start(new WireMockServerSettings { Urls = [url], StartAdminInterface = false });
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/css/registrations/[^/]+$")).UsingGet())
            .WithTitle("CSS: read a registration")
            .RespondWith(Response.Create().WithCallback(GetRegistration));
    }

    /// <summary>Base URL, e.g. http://127.0.0.1:7402.</summary>
    public string Url => _server.Url!.Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal);   // WireMock names a fixed port "localhost"; it listens on loopback only

    /// <summary>When gate closure happens on the day before the effective date (London time).</summary>
    public LocalTime GateClosure { get; init; } = new(17, 0);

    private ResponseMessage GetRegistration(IRequestMessage request)
    {
        var id = request.Path[(request.Path.LastIndexOf('/') + 1)..];
        var registration = _smrs.AllRegistrations().FirstOrDefault(r => r.CssRegistrationId == id);
        var (status, body) = registration is null
            ? (404, new JsonObject { ["error"] = $"no CSS registration '{id}'" })
            : (200, new JsonObject
            {
                ["registrationId"] = registration.CssRegistrationId,
                ["mpan"] = registration.Mpan.Value,
                ["supplierDipId"] = registration.SupplierDipId,
                ["supplierMpid"] = registration.SupplierMpid,
                ["effectiveFromDate"] = registration.EffectiveFrom.ToString("uuuu-MM-dd", null),
                ["status"] = registration.Status.ToString(),
            });
        return new ResponseMessage
        {
            StatusCode = status,
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
            BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String },
        };
    }

    /// <summary>
    /// A switch (or initial registration) of <paramref name="mpan"/> to a gaining supplier becomes
    /// pending. SMRS sends IF-002; gate closure and completion are scheduled on the market clock.
    /// </summary>
    public async Task<SupplierRegistration> SwitchPendingAsync(MpanCore mpan, string supplierDipId, string supplierMpid, LocalDate effectiveFrom)
    {
        var registration = new SupplierRegistration($"CSS-{mpan.Value}-{Interlocked.Increment(ref _ids):D4}", mpan, supplierDipId, supplierMpid, effectiveFrom);
        _smrs.AddRegistration(registration);
        Record(registration, "switch pending");
        var gateClosure = effectiveFrom.PlusDays(-1).At(GateClosure).InZoneLeniently(MarketTime.London).ToInstant();
        _clock.Schedule(gateClosure, $"CSS: gate closure for {registration.CssRegistrationId}", () =>
        {
            if (registration.Status != RegistrationStatus.Pending) return;
            registration.Status = RegistrationStatus.SecuredActive;
            Record(registration, "secured active at gate closure");
        });
        _clock.Schedule(MarketTime.StartOfDay(effectiveFrom), $"CSS: complete {registration.CssRegistrationId}", () =>
        {
            if (registration.Status != RegistrationStatus.SecuredActive) return;
            registration.Status = RegistrationStatus.Active;
            Record(registration, "switch completed");
            _smrs.NotifySwitchCompletedAsync(registration).GetAwaiter().GetResult();
        });
        _smrs.ScheduleMissingAppointmentReminders(registration);
        await _smrs.NotifyPendingRegistrationAsync(registration);
        return registration;
    }

    /// <summary>M14: from this date reverse migration is no longer possible (REC deck; MHHS plan 28 October 2026).</summary>
    public LocalDate M14 { get; init; } = new(2026, 10, 28);

    /// <summary>
    /// A switch to a supplier that is not MHHS-qualified: before M14 it is accepted and reverse
    /// migrates the metering point on its effective date; from M14 on, and for complex sites
    /// always, it is refused. Returns null when refused (the refusal is journalled with its reason).
    /// </summary>
    public async Task<SupplierRegistration?> SwitchToLegacySupplierAsync(MpanCore mpan, string supplierDipId, string supplierMpid, LocalDate effectiveFrom)
    {
        var today = MarketTime.LocalDateOf(_clock.GetCurrentInstant());
        var point = _smrs.FindMeteringPoint(mpan.Value);
        string? refusal = today >= M14 ? $"reverse migration refused: market date {today:uuuu-MM-dd} is on or after M14 ({M14:uuuu-MM-dd})"
            : point?.Complex == true ? "reverse migration refused: complex metered sites are never reverse migrated" : null;
        if (refusal is not null)
        {
            _journal.Append(new JournalRecord
            {
                Kind = JournalKind.Css, Scenario = _scenario(), MarketTime = MarketTime.ToDip(_clock.GetCurrentInstant()), Mpan = mpan.Value, To = supplierDipId, Note = "CSS: " + refusal,
            });
            return null;
        }
        var registration = new SupplierRegistration($"CSS-{mpan.Value}-{Interlocked.Increment(ref _ids):D4}", mpan, supplierDipId, supplierMpid, effectiveFrom);
        _smrs.AddRegistration(registration);
        Record(registration, "switch to a legacy (non-MHHS) supplier pending: reverse migration");
        _clock.Schedule(MarketTime.StartOfDay(effectiveFrom), $"CSS: reverse migration of {mpan}", () =>
        {
            if (registration.Status == RegistrationStatus.Withdrawn) return;
            registration.Status = RegistrationStatus.Active;
            Record(registration, "switch completed; metering point reverse migrated");
            _smrs.ReverseMigrateAsync(registration).GetAwaiter().GetResult();
        });
        await Task.CompletedTask;
        return registration;
    }

    /// <summary>The switch is withdrawn before gate closure; appointments made for it will lapse.</summary>
    public void Withdraw(SupplierRegistration registration)
    {
        registration.Status = RegistrationStatus.Withdrawn;
        Record(registration, "withdrawn");
    }

    private void Record(SupplierRegistration r, string what) => _journal.Append(new JournalRecord
    {
        Kind = JournalKind.Css, Scenario = _scenario(), MarketTime = MarketTime.ToDip(_clock.GetCurrentInstant()), Mpan = r.Mpan.Value,
        To = r.SupplierDipId, Note = $"CSS {r.CssRegistrationId}: {what} (effective from {r.EffectiveFrom:uuuu-MM-dd})",
        // The same as data, so rules can follow a registration (e.g. a completed switch's supply start date).
        Body = new System.Text.Json.Nodes.JsonObject
        {
            ["registrationId"] = r.CssRegistrationId, ["status"] = r.Status.ToString(), ["effectiveFromDate"] = r.EffectiveFrom.ToString("uuuu-MM-dd", null),
        },
    });

    /// <inheritdoc />
    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
    }
}
