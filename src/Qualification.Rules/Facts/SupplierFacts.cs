using NodaTime;

namespace Qualification.Rules.Facts;

/// <summary>A switch CSS completed: the gaining supplier's registration became active on its supply start date.</summary>
/// <param name="Id">Journal id of the CSS record.</param>
/// <param name="Scenario">Scenario.</param>
/// <param name="Mpan">Metering point.</param>
/// <param name="SupplierDipId">The gaining supplier.</param>
/// <param name="RegistrationId">CSS registration id.</param>
/// <param name="SupplyStartDate">The supply start date (the registration's effective-from date).</param>
/// <param name="MarketTime">When CSS completed it.</param>
public sealed record ObservedSwitch(string Id, string Scenario, string Mpan, string SupplierDipId, string RegistrationId, LocalDate SupplyStartDate, Instant MarketTime)
{
    /// <summary>One line for evidence.</summary>
    public string Describe() => $"CSS completed switch {RegistrationId} to {SupplierDipId}, supply start date {SupplyStartDate:uuuu-MM-dd}";
}

/// <summary>
/// One meter's readings in a D0010 (Meter Readings) a participant sent to the gateway: an 026 MPAN with
/// one 028 meter and reading type, and the 030 register readings under it.
/// </summary>
/// <param name="Id">Journal id of the flow.</param>
/// <param name="Scenario">Scenario.</param>
/// <param name="SenderMpid">MPID in the ZHV "from" field.</param>
/// <param name="SenderRole">DTN role letter in the ZHV "from" role field (X for a supplier).</param>
/// <param name="Mpan">J0003 MPAN core.</param>
/// <param name="MeterId">J0004 meter id.</param>
/// <param name="ReadingType">J0171 reading type.</param>
/// <param name="Registers">J0010 register ids of the readings, in file order.</param>
/// <param name="ReadingDates">J0016 reading dates of the readings (London), in file order; null where unreadable.</param>
/// <param name="CumulativeFindings">What the gateway found wrong with the registers read (not the total cumulative register of a Smart meter).</param>
/// <param name="MarketTime">When the gateway received it.</param>
public sealed record ObservedMeterReading(string Id, string Scenario, string SenderMpid, string SenderRole, string Mpan, string MeterId, string ReadingType,
    IReadOnlyList<string> Registers, IReadOnlyList<LocalDate?> ReadingDates, IReadOnlyList<string> CumulativeFindings, Instant MarketTime)
{
    /// <summary>Whether the reading type is 'Supplier Agreed Switch Read' (J0171 X in DTC 15.4), which resolves a switch meter reading exception.</summary>
    public bool SupplierAgreedSwitchRead { get; init; }

    /// <summary>One line for evidence.</summary>
    public string Describe() =>
        $"D0010 from {SenderMpid} ({SenderRole}): MPAN {Mpan}, meter {MeterId}, reading type {ReadingType}, register(s) {string.Join(",", Registers)} read on {string.Join(",", ReadingDates.Select(d => d?.ToString("uuuu-MM-dd", null) ?? "?"))} at {Domain.Market.MarketTime.ToDip(MarketTime)}";
}

/// <summary>
/// A DIP publication delivered again as a replay (D0 replayIndicator true), with whether the original
/// delivery of the same transaction reached the recipient.
/// </summary>
/// <param name="Id">Journal id of the replayed delivery.</param>
/// <param name="Scenario">Scenario.</param>
/// <param name="InterfaceId">IF-002 …</param>
/// <param name="EventCode">[GainMPANInfo] …</param>
/// <param name="Mpan">Metering point.</param>
/// <param name="RecipientDipId">Who it was delivered to.</param>
/// <param name="TransactionId">The DIP transaction id (the same as the original's).</param>
/// <param name="MarketTime">When the replay was delivered.</param>
/// <param name="OriginalId">Journal id of the original delivery that reached the recipient; null when none did.</param>
/// <param name="OriginalTime">When the original reached the recipient.</param>
public sealed record ObservedReplay(string Id, string Scenario, string InterfaceId, string? EventCode, string Mpan, string RecipientDipId, string TransactionId,
    Instant MarketTime, string? OriginalId, Instant? OriginalTime)
{
    /// <summary>Whether the recipient had already received the original.</summary>
    public bool OriginalDelivered => OriginalId is not null;

    /// <summary>One line for evidence.</summary>
    public string Describe() => $"{InterfaceId} {EventCode} replayed to {RecipientDipId} (transaction {TransactionId}, replayIndicator true) at {Domain.Market.MarketTime.ToDip(MarketTime)}";
}

/// <summary>
/// The Supply Number a supplier said it prints on a bill (driver action <c>bill</c>), with the metering
/// point's registration data the harness gave with the action, from which the expected top line follows.
/// </summary>
/// <param name="Id">Journal id of the driver record.</param>
/// <param name="Scenario">Scenario.</param>
/// <param name="Mpan">Metering point.</param>
/// <param name="SupplierDipId">The supplier asked.</param>
/// <param name="Migrated">Whether the point is settled under MHHS.</param>
/// <param name="ProfileClass">Profile Class Id, or null.</param>
/// <param name="Ssc">Standard Settlement Configuration Id, or null.</param>
/// <param name="DuosTariffId">DUoS Tariff Id, or null.</param>
/// <param name="Llfc">Line Loss Factor Class Id, or null.</param>
/// <param name="TopLine">The printed top line, or null when the answer carried none.</param>
/// <param name="BottomLine">The printed bottom line (MPAN core), or null.</param>
/// <param name="MarketTime">When the bill was produced.</param>
public sealed record ObservedSupplyNumber(string Id, string Scenario, string Mpan, string SupplierDipId, bool Migrated, string? ProfileClass, string? Ssc,
    string? DuosTariffId, string? Llfc, string? TopLine, string? BottomLine, Instant MarketTime);
