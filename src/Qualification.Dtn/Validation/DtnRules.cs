namespace Qualification.Dtn.Validation;

/// <summary>A rule the validator applies, with where it comes from.</summary>
/// <param name="Id">Finding id.</param>
/// <param name="Title">What the rule says.</param>
/// <param name="Source">DTC 15.4, the MHHS seed deck, or an inference.</param>
public sealed record DtnRule(string Id, string Title, string Source);

/// <summary>
/// The ids of every finding the validator can produce. DTN-* are the DTC's structural rules; REC-DTN-*
/// are the MHHS changes to REC-owned flows from the seed deck ("Changes to REC-owned DTN data flows"),
/// named so they can join the requirement catalogue.
/// </summary>
public static class DtnRules
{
    /// <summary>ZHV header missing, misplaced or malformed.</summary>
    public const string Header = "DTN-ZHV";
    /// <summary>ZPT trailer missing, misplaced, or its counts or file id do not match.</summary>
    public const string Trailer = "DTN-ZPT";
    /// <summary>The flow and version in the ZHV is not one the harness knows.</summary>
    public const string UnknownFlow = "DTN-FLOW";
    /// <summary>A line without its closing pipe, or with a group id the flow does not have.</summary>
    public const string Line = "DTN-LINE";
    /// <summary>A group out of place: its parent is not the open group above it.</summary>
    public const string GroupOrder = "DTN-GROUP-ORDER";
    /// <summary>A group occurs fewer or more times than its range allows.</summary>
    public const string Cardinality = "DTN-CARDINALITY";
    /// <summary>A line has the wrong number of fields for its group.</summary>
    public const string FieldCount = "DTN-FIELD-COUNT";
    /// <summary>A mandatory field is empty.</summary>
    public const string Mandatory = "DTN-MANDATORY";
    /// <summary>A field does not fit its logical format.</summary>
    public const string Format = "DTN-FORMAT";
    /// <summary>A field is not in its valid set.</summary>
    public const string ValidSet = "DTN-VALID-SET";
    /// <summary>An MPAN core with a wrong check digit.</summary>
    public const string Mpan = "DTN-MPAN";
    /// <summary>Header role codes (MHHS adds N, O, S, T) name no DTC route of the flow.</summary>
    public const string Route = "REC-DTN-ROUTE";
    /// <summary>D0010 reading type X (Supplier Agreed Switch Read) sent by someone other than a Supplier.</summary>
    public const string D0010SupplierAgreedRead = "REC-DTN-D0010-X";
    /// <summary>D0010 Supplier Agreed Switch Read of a Smart meter at an MHHS point not of the total cumulative register.</summary>
    public const string D0010Cumulative = "REC-DTN-D0010-CUMULATIVE";
    /// <summary>D0139 readings of a Smart meter at an MHHS point are not of the total cumulative register.</summary>
    public const string D0139Cumulative = "REC-DTN-D0139-CUMULATIVE";
    /// <summary>D0300 readings of a Smart meter at an MHHS point are not of the total cumulative register.</summary>
    public const string D0300Cumulative = "REC-DTN-D0300-CUMULATIVE";
    /// <summary>D0303 sent in a version other than 002.</summary>
    public const string D0303Version = "REC-DTN-D0303-V2";
    /// <summary>D0304 MPAS response code Q wrongly used or wrongly missing.</summary>
    public const string D0304ForwardMigration = "REC-DTN-D0304-Q";
    /// <summary>D0312 MOP flow response code AD wrongly used or wrongly missing.</summary>
    public const string D0312ForwardMigration = "REC-DTN-D0312-AD";
    /// <summary>D0311 sent in a version other than 002.</summary>
    public const string D0311Version = "REC-DTN-D0311-V2";
    /// <summary>D0311 profile class at an MHHS point: for Traditional meters only.</summary>
    public const string D0311ProfileClass = "REC-DTN-D0311-PC";
    /// <summary>D0311 meter timeswitch code at an MHHS point: null.</summary>
    public const string D0311Mtc = "REC-DTN-D0311-MTC";
    /// <summary>D0311 LLFC at an MHHS point: the DUoS Tariff Id.</summary>
    public const string D0311Llfc = "REC-DTN-D0311-LLFC";
    /// <summary>D0311 last actual reads of a Smart meter at an MHHS point: include the total cumulative register (TPR 00001A).</summary>
    public const string D0311Cumulative = "REC-DTN-D0311-TPR";
    /// <summary>D0311 EAC groups (09D/10D) at an MHHS point.</summary>
    public const string D0311Eac = "REC-DTN-D0311-EAC";
    /// <summary>D0268 (Advanced Meter Technical Details) for a non-Advanced meter at an MHHS point.</summary>
    public const string D0268Advanced = "REC-DTN-D0268-ADVANCED";
    /// <summary>D0149/D0150 (Traditional MTDs) for a Smart or Advanced meter at an MHHS point.</summary>
    public const string TraditionalMtd = "REC-DTN-D0150-TRADITIONAL";

    /// <summary>Every rule, for the requirement catalogue and the documentation.</summary>
    public static IReadOnlyList<DtnRule> All { get; } =
    [
        new(Header, "A flow file starts with one ZHV header of 11 fields: file id, flow and version, role codes (1–2 characters), MPIDs (4), creation time.", "DTN samples [C3]"),
        new(Trailer, "A flow file ends with one ZPT whose file id equals the ZHV's and whose record count (body lines) and flow count (level-1 groups) match the body.", "DTN samples [C3]"),
        new(UnknownFlow, "The ZHV names a flow and version the harness has a DTC 15.4 definition for.", "DTC 15.4"),
        new(Line, "Every line ends with '|' and starts with a group id of its flow.", "DTC 15.4 / samples"),
        new(GroupOrder, "Each group follows its parent group (depth-first tree order).", "DTC 15.4"),
        new(Cardinality, "Each group occurs within its range under its parent.", "DTC 15.4"),
        new(FieldCount, "A line has exactly its group's number of fields.", "DTC 15.4"),
        new(Mandatory, "Mandatory data items are populated.", "DTC 15.4"),
        new(Format, "Values fit the data item's logical format (CHAR, NUM, INT, DATE, DATETIME, BOOLEAN).", "DTC 15.4"),
        new(ValidSet, "Values of data items with a valid set are in it.", "DTC 15.4"),
        new(Mpan, "MPAN cores have a correct check digit.", "MRA / REC"),
        new(Route, "The header's role codes (with the MHHS codes N Smart Data Service, O Advanced Data Service, S Smart MEM, T Advanced MEM) name a route the DTC defines for the flow.", "seed deck: Changes to REC-owned DTN data flows"),
        new(D0010SupplierAgreedRead, "D0010 reading type X 'Supplier Agreed Switch Read' is sent by a Supplier (it resolves a Switch Meter Reading exception) [I: warning].", "seed deck: Schedule 30 changes"),
        new(D0010Cumulative, "D0010: for MHHS points, a Supplier Agreed Switch Read (J0171 X) of a Smart meter is of the total cumulative register.", "seed deck: Schedule 30 changes (cumulative register reads for Smart meters)"),
        new(D0139Cumulative, "D0139: for MHHS points, register readings of Smart meters are of the total cumulative register.", "seed deck: Updated D0139"),
        new(D0300Cumulative, "D0300: for MHHS points, register readings of Smart meters are of the total cumulative register.", "seed deck: Updated D0300"),
        new(D0303Version, "D0303 is sent as version 002, in which J0049 EFSD {REGI} and J0410 Make and Type are optional.", "seed deck: Updated D0303"),
        new(D0304ForwardMigration, "D0304: MPAS answers Q (MPAN forward migration in progress or completed) for a migrating or migrated MPAN, and only then.", "seed deck: Updated D0304"),
        new(D0312ForwardMigration, "D0312: MPAS answers AD (MPAN forward migration in progress or completed) for a migrating or migrated MPAN, and only then.", "seed deck: Updated D0312"),
        new(D0311Version, "D0311 is sent as version 002.", "seed deck: Updated D0311"),
        new(D0311ProfileClass, "D0311 for an MHHS point: Profile Class Id populated for Traditional meters, null otherwise.", "seed deck: Updated D0311"),
        new(D0311Mtc, "D0311 for an MHHS point: Meter Timeswitch Code null.", "seed deck: Updated D0311"),
        new(D0311Llfc, "D0311 for an MHHS point: the LLFC Id field holds the DUoS Tariff Id.", "seed deck: Updated D0311"),
        new(D0311Cumulative, "D0311 for a Smart meter at an MHHS point: last actual or customer reads include the total cumulative register, TPR 00001A.", "seed deck: Updated D0311"),
        new(D0311Eac, "D0311: EAC groups 09D/10D only for non-MHHS points.", "seed deck: Updated D0311"),
        new(D0268Advanced, "D0268 'Advanced Meter Technical Details' carries Advanced meters' MTDs at MHHS points.", "seed deck: Updated D0268; D0268 retained to share Advanced MTDs"),
        new(TraditionalMtd, "D0149/D0150 carry Traditional meters' MTDs at MHHS points.", "seed deck: D0149/150 to share Traditional MTDs; DTC D0150 note"),
    ];
}
