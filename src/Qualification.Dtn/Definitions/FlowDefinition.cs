namespace Qualification.Dtn.Definitions;

/// <summary>A closed list of codes a data item may take (a DTC valid set).</summary>
/// <param name="Codes">Code → label.</param>
public sealed record ValidSet(IReadOnlyDictionary<string, string> Codes)
{
    /// <summary>Whether <paramref name="value"/> is one of the codes.</summary>
    public bool Contains(ReadOnlySpan<char> value)
    {
        foreach (var code in Codes.Keys)
            if (value.SequenceEqual(code)) return true;
        return false;
    }

    /// <summary>The codes, for messages.</summary>
    public string Describe() => Codes.Count <= 12 ? string.Join(", ", Codes.Keys) : string.Join(", ", Codes.Keys.Take(12)) + $", … ({Codes.Count} codes)";
}

/// <summary>One data item in a group, in its position.</summary>
/// <param name="Ref">DTC J-number, e.g. J0003.</param>
/// <param name="Name">Data item name.</param>
/// <param name="Required">Mandatory (1) or optional (O) in this group.</param>
/// <param name="Format">Logical format (from the data-item catalogue, else the flow table).</param>
/// <param name="ValidSet">The closed valid set, when the DTC gives one.</param>
public sealed record FieldDefinition(string Ref, string Name, bool Required, DataFormat Format, ValidSet? ValidSet)
{
    /// <summary>"J0016 Reading Date &amp; Time", for messages.</summary>
    public string Label => $"{Ref} {Name}";

    /// <summary>Whether this is J0003 MPAN Core (whose check digit is checked too).</summary>
    public bool IsMpanCore { get; } = Ref == "J0003";
}

/// <summary>A group (record type) of a flow.</summary>
/// <param name="Id">Three-character group id, e.g. 026.</param>
/// <param name="Name">Group description.</param>
/// <param name="ParentId">Parent group id; null at level 1.</param>
/// <param name="Level">Nesting level, from 1.</param>
/// <param name="Min">Least occurrences under one parent (or in the file, at level 1).</param>
/// <param name="Max">Most occurrences; null for "many".</param>
/// <param name="Fields">The items, in order.</param>
public sealed record GroupDefinition(string Id, string Name, string? ParentId, int Level, int Min, int? Max, IReadOnlyList<FieldDefinition> Fields)
{
    // The validator's hot loop indexes an array rather than the interface.
    internal FieldDefinition[] FieldArray { get; } = Fields.ToArray();

    /// <summary>The range as the DTC writes it, e.g. 1-* or 0-1.</summary>
    public string Range => Min == Max ? $"{Min}" : $"{Min}-{(Max is { } m ? m.ToString(System.Globalization.CultureInfo.InvariantCulture) : "*")}";

    /// <summary>Position of the item <paramref name="reference"/> in the group, or -1.</summary>
    public int IndexOf(string reference)
    {
        for (var i = 0; i < Fields.Count; i++)
            if (Fields[i].Ref == reference) return i;
        return -1;
    }
}

/// <summary>A sender → recipient role pair the DTC defines for a flow.</summary>
/// <param name="From">DTC role name, e.g. Supplier, SMEM.</param>
/// <param name="To">DTC role name.</param>
public sealed record FlowRoute(string From, string To);

/// <summary>The definition of one DTN flow version, built from the DTC data.</summary>
public sealed class FlowDefinition
{
    private readonly Dictionary<string, GroupDefinition> _groups;
    private readonly Dictionary<string, GroupDefinition[]> _children;
    private readonly GroupDefinition[] _ordered;

    /// <summary>Builds a definition; <paramref name="groups"/> in DTC order.</summary>
    public FlowDefinition(string flowId, string version, string name, IReadOnlyList<GroupDefinition> groups, IReadOnlyList<FlowRoute> routes)
    {
        FlowId = flowId;
        Version = version;
        Name = name;
        Groups = groups;
        Routes = routes;
        _groups = groups.ToDictionary(g => g.Id, StringComparer.Ordinal);
        _ordered = groups.ToArray();
        _children = groups.ToDictionary(g => g.Id, g => groups.Where(c => c.ParentId == g.Id).ToArray(), StringComparer.Ordinal);
        TopLevel = groups.Where(g => g.ParentId is null).ToArray();
        // The unit a metering-point rule looks at: the highest group that carries the MPAN core.
        MpanGroup = groups.Where(g => g.IndexOf("J0003") >= 0).OrderBy(g => g.Level).FirstOrDefault();
    }

    /// <summary>Flow id, e.g. D0010.</summary>
    public string FlowId { get; }
    /// <summary>Three-digit version, e.g. 002.</summary>
    public string Version { get; }
    /// <summary>The ZHV "Data Flow and Version Number", e.g. D0010002.</summary>
    public string Key => FlowId + Version;
    /// <summary>DTC flow name.</summary>
    public string Name { get; }
    /// <summary>Groups in DTC order.</summary>
    public IReadOnlyList<GroupDefinition> Groups { get; }
    /// <summary>Level-1 groups.</summary>
    public IReadOnlyList<GroupDefinition> TopLevel { get; }
    /// <summary>The DTC routes.</summary>
    public IReadOnlyList<FlowRoute> Routes { get; }
    /// <summary>The group holding J0003 MPAN Core nearest the top, when there is one.</summary>
    public GroupDefinition? MpanGroup { get; }

    /// <summary>A group by id, or null.</summary>
    public GroupDefinition? Find(string id) => _groups.GetValueOrDefault(id);

    /// <summary>A group by id given as characters, or null (no allocation).</summary>
    public GroupDefinition? Find(ReadOnlySpan<char> id)
    {
        foreach (var g in _ordered)
            if (id.SequenceEqual(g.Id)) return g;
        return null;
    }

    /// <summary>The child groups of <paramref name="id"/>.</summary>
    public IReadOnlyList<GroupDefinition> ChildrenOf(string id) => _children.TryGetValue(id, out var c) ? c : [];

    /// <inheritdoc />
    public override string ToString() => $"{FlowId} v{Version} {Name}";
}
