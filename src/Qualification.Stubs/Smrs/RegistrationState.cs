using NodaTime;
using Qualification.Domain;

namespace Qualification.Stubs.Smrs;

/// <summary>A metering point as the Registration Service holds it.</summary>
public sealed record MeteringPoint
{
    /// <summary>MPAN core.</summary>
    public required MpanCore Mpan { get; init; }
    /// <summary>Market segment (S, A, U).</summary>
    public MarketSegment Segment { get; init; } = MarketSegment.Smart;
    /// <summary>GSP group, _A … _P.</summary>
    public string GspGroup { get; init; } = "_J";
    /// <summary>Distributor DIP id.</summary>
    public string DistributorDipId { get; init; } = HarnessParties.DistributorDipId;
    /// <summary>Connection type W, L, H, E, U.</summary>
    public string ConnectionType { get; init; } = "W";
    /// <summary>Energisation status E or D.</summary>
    public string Energisation { get; init; } = "E";
    /// <summary>DUoS tariff id (≤ 3 characters).</summary>
    public string DuosTariffId { get; init; } = "101";
    /// <summary>Postcode.</summary>
    public string Postcode { get; init; } = "LS1 4AP";
    /// <summary>First address line.</summary>
    public string AddressLine1 { get; init; } = "1 Market Street";
    /// <summary>Domestic premises.</summary>
    public bool Domestic { get; init; } = true;
    /// <summary>For an export linked to an import: the import MPAN (appointments are made on the import only).</summary>
    public string? LinkedImport { get; init; }
    /// <summary>For a related secondary: the primary MPAN (appointments are made on the primary only).</summary>
    public string? RelatedPrimary { get; init; }
    /// <summary>Settled under MHHS (false: still in the legacy regime, awaiting forward migration by MCA or MCS).</summary>
    public bool Migrated { get; init; } = true;
    /// <summary>Complex metered sites are never reverse migrated.</summary>
    public bool Complex { get; init; }
    /// <summary>Profile Class Id (two digits), kept for Traditional meters and legacy points; null when none.</summary>
    public string? ProfileClass { get; init; }
    /// <summary>Standard Settlement Configuration Id (four digits); null when none.</summary>
    public string? Ssc { get; init; }
    /// <summary>Meter Timeswitch Code (legacy; no longer on the Supply Number under R0083); null when none.</summary>
    public string? MeterTimeswitchCode { get; init; }
    /// <summary>Line Loss Factor Class Id (legacy; the Supply Number of a non-migrated point keeps it); null when none.</summary>
    public string? Llfc { get; init; }
    /// <summary>Register id of the meter's total cumulative register (Smart), when the harness declares one; readings must be of it.</summary>
    public string? CumulativeRegisterId { get; init; }
}

/// <summary>Where a supplier registration is in its CSS lifecycle.</summary>
public enum RegistrationStatus
{
    /// <summary>CSS has a pending switch or initial registration.</summary>
    Pending,
    /// <summary>Past gate closure; the switch will complete.</summary>
    SecuredActive,
    /// <summary>The supplier is registered.</summary>
    Active,
    /// <summary>The switch was withdrawn or annulled.</summary>
    Withdrawn,
}

/// <summary>A supplier's registration to a metering point.</summary>
public sealed record SupplierRegistration(string CssRegistrationId, MpanCore Mpan, string SupplierDipId, string SupplierMpid, LocalDate EffectiveFrom)
{
    /// <summary>Lifecycle status.</summary>
    public RegistrationStatus Status { get; set; } = RegistrationStatus.Pending;
}

/// <summary>Where a service appointment is in its lifecycle.</summary>
public enum AppointmentStatus
{
    /// <summary>Validated by SMRS and sent to the proposed service (IF-033).</summary>
    AwaitingServiceResponse,
    /// <summary>The service accepted (IF-035 accepted sent).</summary>
    Accepted,
    /// <summary>The service or SMRS rejected.</summary>
    Rejected,
    /// <summary>Effective: IF-036 sent.</summary>
    Active,
    /// <summary>Not matched to a secured switch.</summary>
    Lapsed,
    /// <summary>Replaced by another appointment.</summary>
    Ended,
}

/// <summary>An appointment of a metering service to a metering point.</summary>
public sealed record MeteringServiceAppointment(string Id, MpanCore Mpan, string ServiceDipId, string ServiceMpid, string RequestingSupplierDipId,
    string RequestingSupplierMpid, string Scenario, OffsetDateTime EffectiveFrom, string? ContractReference, string? CssRegistrationId, string? CorrelationId)
{
    /// <summary>Lifecycle status.</summary>
    public AppointmentStatus Status { get; set; } = AppointmentStatus.AwaitingServiceResponse;

    /// <summary>When a replaced appointment ended.</summary>
    public Instant? EndedAt { get; set; }

    /// <summary>
    /// A legacy (non-MHHS) meter operator's appointment: the agent has an MPID but no DIP id, so it is
    /// reached by DTN flows, never by DIP publications.
    /// </summary>
    public bool Legacy => ServiceDipId.Length == 0;

    /// <summary>For an auto-appointment made by a relationship: the subsidiary's own appointment it ended (reinstated when the relationship is removed).</summary>
    public MeteringServiceAppointment? Replaced { get; set; }
}
