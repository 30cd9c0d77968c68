namespace Qualification.Stubs.Smrs;

/// <summary>
/// SMRS rejection codes used by the emulator, with their text. Codes come from the interface
/// catalogue's rejection list (REGnnnn) and the supplier-platform documentation noted in
/// docs/domain-sources.md.
/// </summary>
public static class SmrsCodes
{
    /// <summary>MPAN invalid or does not exist.</summary>
    public const string UnknownMpan = "REG0000 - MPAN invalid or does not exist";
    /// <summary>Requesting supplier is neither registered nor gaining.</summary>
    public const string NotCurrentSupplier = "REG1021 - Requesting supplier is not the registered or gaining supplier for the MPAN";
    /// <summary>Service provider effective-from must be local midnight and contiguous.</summary>
    public const string NotLocalMidnight = "REG1032 - Service provider effective from date must be at local (Europe/London) midnight";
    /// <summary>Effective-from too far ahead.</summary>
    public const string TooFarAhead = "REG1099 - Service provider effective from date is more than 28 days in the future";
    /// <summary>Gaining supplier may not appoint in the past.</summary>
    public const string GainingSupplierInPast = "REG1034 - A gaining supplier cannot appoint a service provider from a date in the past";
    /// <summary>CSP/USP only by the current supplier.</summary>
    public const string CurrentSupplierOnly = "REG1033 - Only the current supplier can request this appointment scenario";
    /// <summary>Service provider not qualified for the segment.</summary>
    public const string NotQualifiedForSegment = "REG1031 - Service provider is not qualified for the market segment of the MPAN";
    /// <summary>Unknown service provider DIP id.</summary>
    public const string UnknownServiceDipId = "REG1090 - Proposed service provider DIP id is not a known metering service";
    /// <summary>MPID does not match the DIP id.</summary>
    public const string MpidMismatch = "REG1091 - Proposed service provider MPID does not match its DIP id";
    /// <summary>Before the gaining supplier's start.</summary>
    public const string BeforeSupplierStart = "REG1032 - Service provider effective from date is before the supplier's registration effective from date";

    /// <summary>USP must name the current service provider.</summary>
    public const string UspMustNameCurrent = "REG1025 - An update of service provider (USP) must name the current service provider";
    /// <summary>CSP must not name the current service provider.</summary>
    public const string CspMustNotNameCurrent = "REG1026 - A change of service provider (CSP) must not name the current service provider";
    /// <summary>No appointment on a linked export MPAN.</summary>
    public const string LinkedExport = "REG1038 - Service providers cannot be appointed to an export MPAN linked to an import; appoint on the import MPAN";
    /// <summary>No appointment on a related secondary MPAN.</summary>
    public const string RelatedSecondary = "REG1039 - Service providers cannot be appointed to a related secondary MPAN; appoint on the primary MPAN";

    /// <summary>MCA only by the current supplier.</summary>
    public const string McaCurrentSupplierOnly = "REG9005 - MCA appointment scenario can only be used by the current supplier";
    /// <summary>MCS not by the current supplier.</summary>
    public const string McsNotCurrentSupplier = "REG9006 - MCS appointment scenario cannot be used by the current supplier";
    /// <summary>No migration scenarios on migrated MPANs.</summary>
    public const string AlreadyMigrated = "REG9007 - MCS/MCA scenarios cannot be used for an already migrated MPAN";
    /// <summary>MHHS scenarios only on migrated MPANs.</summary>
    public const string NotMigrated = "REG9009 - MHHS scenario codes cannot be used for an unmigrated MPAN; use MCA or MCS";

    /// <summary>A relationship request names unknown MPANs, another supplier's MPANs, or an existing link (the REG1050–REG1067 family).</summary>
    public const string InvalidRelationship = "REG1050 - Invalid metering point relationship";

    /// <summary>Only the appointed metering service may update MTDs.</summary>
    public const string NotAppointedService = "REG1012 - Sender is not the metering service appointed to the MPAN";

    /// <summary>Working days in which a previous metering service may still correct MTDs (REG1003).</summary>
    public const int PreviousServiceCorrectionWorkingDays = 10;

    /// <summary>Days between missing-appointment reminders (REC deck: IF-045 every 7 days).</summary>
    public const int ReminderIntervalDays = 7;

    /// <summary>How far ahead an appointment may start.</summary>
    public const int MaxDaysAhead = 28;
}
