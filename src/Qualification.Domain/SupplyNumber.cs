namespace Qualification.Domain;

/// <summary>
/// The Supply Number a Supplier prints on every bill: a top line of Profile Class, the Standard
/// Settlement Configuration and a distribution tariff, over the MPAN core. REC change R0083 (at MHHS
/// go-live, M8, for all MPANs) put the SSC where the Meter Timeswitch Code was and the DUoS Tariff Id
/// where the LLFC was; non-migrated MPANs keep their LLFC. A value that is not available is null and
/// is printed as a blank slot. Profile Class stays mandatory only for Traditional meters.
/// </summary>
/// <remarks>
/// Slot widths: Profile Class 2 digits (J0071 NUM(2)), SSC 4 digits (J0076), LLFC 3 characters (J0147)
/// and DUoS Tariff Id up to 3 (DIP B024). Printing a null as a blank slot is the harness's reading of
/// "null values will be populated" in the R0083 briefing; no printed specimen was found.
/// </remarks>
public sealed record SupplyNumber
{
    /// <summary>The requirement id for the Supply Number format (REC R0083).</summary>
    public const string RequirementId = "REC-R0083-SUPPLYNUMBER";

    private SupplyNumber(MpanCore core, bool migrated, string? profileClass, string? ssc, string? tariff)
    {
        Core = core;
        Migrated = migrated;
        ProfileClass = profileClass;
        Ssc = ssc;
        DistributionTariff = tariff;
    }

    /// <summary>The MPAN core (bottom line).</summary>
    public MpanCore Core { get; }
    /// <summary>Whether the MPAN is an MHHS (migrated) metering point.</summary>
    public bool Migrated { get; }
    /// <summary>Profile Class Id, two digits, or null.</summary>
    public string? ProfileClass { get; }
    /// <summary>Standard Settlement Configuration Id, four digits, or null.</summary>
    public string? Ssc { get; }
    /// <summary>The DUoS Tariff Id (migrated) or LLFC Id (non-migrated), or null.</summary>
    public string? DistributionTariff { get; }

    /// <summary>The Supply Number of an MHHS (migrated) metering point: PC, SSC, DUoS Tariff Id.</summary>
    public static SupplyNumber ForMigrated(MpanCore core, string? profileClass, string? ssc, string? duosTariffId) =>
        new(core, true, Blank(profileClass), Blank(ssc), Blank(duosTariffId));

    /// <summary>The Supply Number of a non-migrated metering point: PC, SSC, LLFC Id.</summary>
    public static SupplyNumber ForNonMigrated(MpanCore core, string? profileClass, string? ssc, string? llfc) =>
        new(core, false, Blank(profileClass), Blank(ssc), Blank(llfc));

    /// <summary>The top line: <c>S PC SSCC TTT</c>, each null as a blank slot of its width (13 characters).</summary>
    public string TopLine => $"S {Slot(ProfileClass, 2)} {Slot(Ssc, 4)} {Slot(DistributionTariff, 3)}";

    /// <summary>The bottom line: the 13-digit MPAN core.</summary>
    public string BottomLine => Core.Value;

    /// <summary>Both lines.</summary>
    public override string ToString() => TopLine + Environment.NewLine + BottomLine;

    /// <summary>
    /// Reads a printed top line (the layout of <see cref="TopLine"/>) for <paramref name="core"/>; throws
    /// <see cref="FormatException"/> naming what is wrong with the layout. Use <see cref="Problems"/> for the values.
    /// </summary>
    public static SupplyNumber ParseTopLine(string topLine, MpanCore core, bool migrated)
    {
        var line = topLine.TrimEnd();
        if (line.Length < 1 || line[0] != 'S') throw new FormatException($"a Supply Number top line starts with 'S'; got '{topLine}'");
        line = line.PadRight(13);
        if (line.Length != 13 || line[1] != ' ' || line[4] != ' ' || line[9] != ' ')
            throw new FormatException($"expected 'S PC SSCC TTT' (13 characters, blanks for missing values); got '{topLine}'");
        string? Cut(int start, int length) => Blank(line.Substring(start, length).Trim());
        var pc = Cut(2, 2);
        var ssc = Cut(5, 4);
        var tariff = Cut(10, 3);
        return migrated ? ForMigrated(core, pc, ssc, tariff) : ForNonMigrated(core, pc, ssc, tariff);
    }

    /// <summary>
    /// What is wrong with the values, empty when nothing is. <paramref name="traditionalMeter"/>: whether
    /// the point has a Traditional meter (null when unknown), which makes Profile Class mandatory at an
    /// MHHS point.
    /// </summary>
    public IReadOnlyList<string> Problems(bool? traditionalMeter = null)
    {
        var problems = new List<string>();
        if (ProfileClass is { } pc && !(pc.Length == 2 && pc.All(char.IsAsciiDigit)))
            problems.Add($"Profile Class '{pc}' must be two digits (e.g. 01)");
        if (Migrated && traditionalMeter == true && ProfileClass is null)
            problems.Add("Profile Class is mandatory for a Traditional meter at an MHHS metering point");
        if (Ssc is { } ssc && !(ssc.Length == 4 && ssc.All(char.IsAsciiDigit)))
            problems.Add($"SSC '{ssc}' must be four digits with leading zeros (e.g. 0393)");
        if (DistributionTariff is { } t)
        {
            if (Migrated && !(t.Length is >= 1 and <= 3 && t.All(char.IsAsciiLetterOrDigit)))
                problems.Add($"DUoS Tariff Id '{t}' must be 1 to 3 letters or digits");
            if (!Migrated && !(t.Length == 3 && t.All(char.IsAsciiLetterOrDigit)))
                problems.Add($"LLFC Id '{t}' must be 3 letters or digits");
        }
        return problems;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string Slot(string? value, int width) => (value ?? "").PadRight(width);
}
