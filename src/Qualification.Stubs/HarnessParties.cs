namespace Qualification.Stubs;

/// <summary>
/// The parties the harness itself plays, with their ids. A candidate is configured with these so
/// that it recognises the central services and its counterparts.
/// </summary>
public static class HarnessParties
{
    /// <summary>The Registration Service (SMRS) as sender of publications.</summary>
    public const string RegistrationServiceDipId = "1000000001";
    /// <summary>SMRS market participant id.</summary>
    public const string RegistrationServiceMpid = "SMRS";
    /// <summary>The distributor (LDSO) of the harness's metering points.</summary>
    public const string DistributorDipId = "2500000001";
    /// <summary>Distributor MPID.</summary>
    public const string DistributorMpid = "HDNO";
    /// <summary>The losing (incumbent) supplier on switches.</summary>
    public const string LosingSupplierDipId = "2300000099";
    /// <summary>Losing supplier MPID.</summary>
    public const string LosingSupplierMpid = "LOSS";
    /// <summary>The incumbent metering service on switches.</summary>
    public const string IncumbentMeteringServiceDipId = "1200000099";
    /// <summary>Incumbent metering service MPID.</summary>
    public const string IncumbentMeteringServiceMpid = "INCM";
    /// <summary>The gaining metering service on a change of metering service, when the one under qualification is the losing one.</summary>
    public const string GainingMeteringServiceDipId = "1200000098";
    /// <summary>Gaining metering service MPID.</summary>
    public const string GainingMeteringServiceMpid = "GAIN";
    /// <summary>The reference (or harness-played) gaining supplier.</summary>
    public const string SupplierDipId = "2300000012";
    /// <summary>Reference supplier MPID.</summary>
    public const string SupplierMpid = "REFS";
    /// <summary>The reference (or harness-played) smart metering service a supplier appoints.</summary>
    public const string SmartMeteringServiceDipId = "1200000015";
    /// <summary>Reference smart metering service MPID.</summary>
    public const string SmartMeteringServiceMpid = "REFM";
    /// <summary>A supplier that is not MHHS-qualified: a switch to it reverse migrates the metering point (before M14).</summary>
    public const string LegacySupplierDipId = "2300000098";
    /// <summary>Legacy supplier MPID.</summary>
    public const string LegacySupplierMpid = "LEGS";
    /// <summary>The legacy meter operator of non-migrated metering points: reached by DTN only, it has no DIP id.</summary>
    public const string LegacyMeterOperatorMpid = "LMOP";
    /// <summary>The Smart Data Service the harness plays: it shares switch reads (IF-041 [ReadingCOS]).</summary>
    public const string SmartDataServiceDipId = "1400000099";
    /// <summary>Smart Data Service MPID.</summary>
    public const string SmartDataServiceMpid = "HSDS";
}
