namespace Qualification.Domain;

/// <summary>DIP participant role ids (S1.senderRoleID), as the DIP names them.</summary>
public static class DipRole
{
    /// <summary>Supplier.</summary>
    public const string Supplier = "SUP";
    /// <summary>Registration Service (SMRS).</summary>
    public const string RegistrationService = "REGS";
    /// <summary>Smart Metering Service.</summary>
    public const string SmartMeteringService = "MSS";
    /// <summary>Advanced Metering Service.</summary>
    public const string AdvancedMeteringService = "MSA";
    /// <summary>Unmetered Supplies Operator.</summary>
    public const string UnmeteredSuppliesOperator = "UMSO";
    /// <summary>Smart Data Service.</summary>
    public const string SmartDataService = "SDS";
    /// <summary>Advanced Data Service.</summary>
    public const string AdvancedDataService = "ADS";
    /// <summary>Unmetered Supplies Data Service.</summary>
    public const string UnmeteredDataService = "UMSDS";
    /// <summary>Licensed Distribution System Operator.</summary>
    public const string Distributor = "LDSO";
    /// <summary>Market-wide Data Service.</summary>
    public const string MarketWideDataService = "MDS";
    /// <summary>Elexon Entity Service.</summary>
    public const string ElexonEntityService = "EES";
    /// <summary>Meter Data Retriever.</summary>
    public const string MeterDataRetriever = "MDR";

    /// <summary>Every role id the harness knows.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Supplier, RegistrationService, SmartMeteringService, AdvancedMeteringService, UnmeteredSuppliesOperator,
        SmartDataService, AdvancedDataService, UnmeteredDataService, Distributor, MarketWideDataService,
        ElexonEntityService, MeterDataRetriever, "LSS", "DCC",
    };

    /// <summary>True for the metering-service roles (MSS, MSA, UMSO).</summary>
    public static bool IsMeteringService(string role) =>
        role is SmartMeteringService or AdvancedMeteringService or UnmeteredSuppliesOperator;
}
