using System.Text;
using Qualification.Domain;
using Qualification.Dtn.Definitions;
using Qualification.Dtn.IO;

namespace Qualification.Dtn.Validation;

/// <summary>
/// Validates DTN flow files against their DTC 15.4 definitions and the MHHS rules: envelope (ZHV/ZPT),
/// group order and ranges, field counts, mandatory items, formats, valid sets, MPAN check digits,
/// header routes, then <see cref="MhhsRules"/> on each metering point's groups. Streams: memory is
/// bounded by the reader's buffer and the largest metering point's groups, whatever the file size.
/// </summary>
public sealed class FlowValidator
{
    /// <summary>Findings kept per file; more are counted but not kept.</summary>
    public const int MaxFindingsKept = 1000;

    private readonly FlowCatalog _catalog;
    private readonly IMeteringPointDirectory? _points;

    /// <summary>A validator over <paramref name="catalog"/> (default: the embedded DTC data), with optional metering-point facts for the MHHS rules.</summary>
    public FlowValidator(FlowCatalog? catalog = null, IMeteringPointDirectory? points = null)
    {
        _catalog = catalog ?? FlowCatalog.Default;
        _points = points;
    }

    /// <summary>Starts a record-by-record validation (for callers that already read the records).</summary>
    public FlowValidation Begin() => new(_catalog, _points);

    /// <summary>Validates a whole stream.</summary>
    public async Task<ValidationResult> ValidateAsync(Stream stream, CancellationToken cancellation = default)
    {
        var validation = Begin();
        using var reader = new DtnReader(stream, leaveOpen: true);
        try
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false) is { } record) validation.Accept(record);
        }
        catch (DtnReadException e) { validation.Unreadable(reader.LinesRead + 1, e.Message); }
        return validation.Complete();
    }

    /// <summary>Validates a whole stream synchronously.</summary>
    public ValidationResult Validate(Stream stream)
    {
        var validation = Begin();
        using var reader = new DtnReader(stream, leaveOpen: true);
        try
        {
            while (reader.Read() is { } record) validation.Accept(record);
        }
        catch (DtnReadException e) { validation.Unreadable(reader.LinesRead + 1, e.Message); }
        return validation.Complete();
    }

    /// <summary>Validates a file's text.</summary>
    public ValidationResult Validate(string text) => Validate(new MemoryStream(Encoding.Latin1.GetBytes(text)));
}

/// <summary>One validation in progress: feed it records in file order, then <see cref="Complete"/>.</summary>
public sealed class FlowValidation
{
    // An open group and how many of each child group it has had. Frames are reused: one per depth.
    private sealed class Frame
    {
        public GroupDefinition? Group { get; private set; }
        public long Line { get; private set; }
        public IReadOnlyList<GroupDefinition> Children { get; private set; } = [];
        public int[] Counts { get; private set; } = new int[8];

        public Frame Reset(GroupDefinition? group, long line, IReadOnlyList<GroupDefinition> children)
        {
            Group = group;
            Line = line;
            Children = children;
            if (Counts.Length < children.Count) Counts = new int[children.Count];
            else Array.Clear(Counts, 0, children.Count);
            return this;
        }
    }

    private readonly FlowCatalog _catalog;
    private readonly IMeteringPointDirectory? _points;
    private readonly List<DtnFinding> _findings = [];
    private readonly List<Frame> _stack = [];
    private readonly Stack<Frame> _spare = new();
    private readonly List<DtnRecord> _ancestorList = [];
    private readonly List<DtnRecord> _unit = [];
    private readonly DtnRecord?[] _ancestors = new DtnRecord?[9];
    private long _errors, _warnings, _lines, _body, _level1;
    private ZhvHeader? _header;
    private FlowDefinition? _flow;
    private bool _trailerSeen, _afterTrailerReported;

    internal FlowValidation(FlowCatalog catalog, IMeteringPointDirectory? points)
    {
        _catalog = catalog;
        _points = points;
    }

    /// <summary>The header, once read.</summary>
    public ZhvHeader? Header => _header;

    /// <summary>The flow definition, once the header named a known one.</summary>
    public FlowDefinition? Flow => _flow;

    /// <summary>Checks one record.</summary>
    public void Accept(DtnRecord record)
    {
        _lines++;
        if (_trailerSeen)
        {
            if (!_afterTrailerReported) Report(DtnRules.Trailer, record.LineNumber, "ZPT", null, "a line follows the ZPT trailer; ZPT must be the last line");
            _afterTrailerReported = true;
            return;
        }
        if (!record.HasTrailingPipe) Report(DtnRules.Line, record.LineNumber, record.GroupId, null, "the line does not end with '|'");
        switch (record.GroupId)
        {
            case "ZHV":
                if (_lines != 1) Report(DtnRules.Header, record.LineNumber, "ZHV", null, "ZHV must be the first line, and only once");
                else CheckHeader(record);
                return;
            case "ZPT":
                CheckTrailer(record);
                return;
        }
        if (_lines == 1) Report(DtnRules.Header, record.LineNumber, record.GroupId, null, $"the file must start with a ZHV header; it starts with '{Shorten(record.Line)}'");
        _body++;
        if (_flow is null) return;
        var group = _flow.Find(record.GroupId.AsSpan());
        if (group is null)
        {
            Report(DtnRules.Line, record.LineNumber, record.GroupId, null, $"'{record.GroupId}' is not a group of {_flow.Key}; expected one of {string.Join(", ", _flow.Groups.Select(g => g.Id))}");
            return;
        }
        if (group.Level == 1) _level1++;
        Structure(record, group);
        Fields(record, group);
        Units(record, group);
    }

    /// <summary>Records that the rest of the file cannot be read as lines (e.g. a line too long to be DTN); validation stops there.</summary>
    public void Unreadable(long line, string why)
    {
        Report(DtnRules.Line, line, null, null, $"the file cannot be read further: {why}");
        _trailerSeen = true; // nothing after this point is judged, and a missing ZPT is not news
        _afterTrailerReported = true;
    }

    /// <summary>Finishes: closes open groups, checks the trailer was seen, and returns the result.</summary>
    public ValidationResult Complete()
    {
        if (_lines == 0) Report(DtnRules.Header, 0, null, null, "the file is empty; expected a ZHV header, groups and a ZPT trailer");
        else if (!_trailerSeen)
        {
            CloseUnit();
            CloseAll(_lines);
            Report(DtnRules.Trailer, _lines, null, null, "the file ends without a ZPT trailer");
        }
        return new ValidationResult
        {
            FlowAndVersion = _header?.FlowAndVersion, FlowName = _flow?.Name, FileId = _header?.FileId, Lines = _lines,
            Errors = _errors, Warnings = _warnings,
            // Metering-point rules report when the point's groups close, after later lines: sort back into file order.
            Findings = _findings.OrderBy(f => f.Line).ToList(),
        };
    }

    internal void Report(string rule, long line, string? group, string? field, string message, Severity severity = Severity.Error)
    {
        if (severity == Severity.Error) _errors++; else _warnings++;
        if (_findings.Count < FlowValidator.MaxFindingsKept) _findings.Add(new DtnFinding(rule, severity, line, group, field, message));
    }

    private void CheckHeader(DtnRecord r)
    {
        if (r.FieldCount != ZhvHeader.FieldCount)
            Report(DtnRules.Header, r.LineNumber, "ZHV", null, $"ZHV has {r.FieldCount} fields; expected {ZhvHeader.FieldCount} (file id, flow and version, from role, from MPID, to role, to MPID, creation time, two application ids, broadcast, test flag)");
        var h = ZhvHeader.From(r);
        _header = h;
        void Check(bool ok, string field, string expected, string value) { if (!ok) Report(DtnRules.Header, r.LineNumber, "ZHV", field, $"expected {expected}, got '{value}'"); }
        Check(h.FileId.Length is >= 1 and <= 10, "File Identifier", "1 to 10 characters", h.FileId);
        Check(IsRole(h.FromRole), "From Role Code", "a 1- or 2-character role code", h.FromRole);
        Check(IsRole(h.ToRole), "To Role Code", "a 1- or 2-character role code", h.ToRole);
        Check(h.FromMpid.Length == 4, "From Participant Id", "a 4-character MPID", h.FromMpid);
        Check(h.ToMpid.Length == 4, "To Participant Id", "a 4-character MPID", h.ToMpid);
        Check(DataFormat.Parse("DATETIME").Accepts(h.CreatedAt), "File Creation Timestamp", "ccyymmddhhmmss", h.CreatedAt);
        _flow = _catalog.Find(h.FlowAndVersion);
        if (_flow is null)
        {
            var known = _catalog.Latest(h.FlowId);
            var (rule, why) = h.FlowId switch
            {
                "D0303" when known is not null => (DtnRules.D0303Version, $"since MHHS (M8) D0303 is sent as version {known.Version}, in which J0049 and J0410 are optional"),
                "D0311" when known is not null => (DtnRules.D0311Version, $"since MHHS (M8) D0311 is sent as version {known.Version}"),
                _ when known is not null => (DtnRules.UnknownFlow, $"the harness knows {h.FlowId} version {known.Version} only"),
                _ => (DtnRules.UnknownFlow, $"the harness knows {string.Join(", ", _catalog.Flows.Select(f => f.Key))}"),
            };
            Report(rule, r.LineNumber, "ZHV", "Data Flow and Version Number", $"'{h.FlowAndVersion}': {why}");
            return;
        }
        Push(null, r.LineNumber, _flow.TopLevel);
        Route(r, h, _flow);
    }

    private static bool IsRole(string s) => s.Length is 1 or 2 && s.All(char.IsAsciiLetterOrDigit);

    private void Route(DtnRecord r, ZhvHeader h, FlowDefinition flow)
    {
        var roles = _catalog.Overlay.RoleCodes;
        if (!roles.TryGetValue(h.FromRole, out var from) || !roles.TryGetValue(h.ToRole, out var to))
        {
            var unknown = roles.ContainsKey(h.FromRole) ? h.ToRole : h.FromRole;
            Report(DtnRules.Route, r.LineNumber, "ZHV", "Role Code", $"role code '{unknown}' is not one the harness can map to a DTC role ({string.Join(", ", roles.Keys)}); the route was not checked", Severity.Warning);
            return;
        }
        if (flow.Routes.Any(route => from.Contains(route.From) && to.Contains(route.To))) return;
        var senders = flow.Routes.Where(route => from.Contains(route.From)).Select(route => route.To).Distinct().ToList();
        Report(DtnRules.Route, r.LineNumber, "ZHV", "Role Code",
            $"{flow.FlowId} has no route {h.FromRole} ({string.Join("/", from)}) → {h.ToRole} ({string.Join("/", to)}); " +
            (senders.Count == 0 ? $"{string.Join("/", from)} does not send {flow.FlowId}" : $"{string.Join("/", from)} sends it to {string.Join(", ", senders)}"));
    }

    private void CheckTrailer(DtnRecord r)
    {
        _trailerSeen = true;
        CloseUnit();
        CloseAll(r.LineNumber);
        if (r.FieldCount != ZptTrailer.FieldCount)
            Report(DtnRules.Trailer, r.LineNumber, "ZPT", null, $"ZPT has {r.FieldCount} fields; expected {ZptTrailer.FieldCount} (file id, record count, checksum, flow count, completion time)");
        if (_header is not null && !r.Field(0).SequenceEqual(_header.FileId))
            Report(DtnRules.Trailer, r.LineNumber, "ZPT", "File Identifier", $"'{r.Field(0)}' differs from the ZHV file id '{_header.FileId}'");
        if (!long.TryParse(r.Field(1), System.Globalization.NumberStyles.None, null, out var records) || records != _body)
            Report(DtnRules.Trailer, r.LineNumber, "ZPT", "Record Count", $"expected {_body} (body lines between ZHV and ZPT), got '{r.Field(1)}'");
        if (_flow is not null && (!long.TryParse(r.Field(3), System.Globalization.NumberStyles.None, null, out var flows) || flows != _level1))
            Report(DtnRules.Trailer, r.LineNumber, "ZPT", "Flow Count", $"expected {_level1} (level-1 groups {string.Join("/", _flow.TopLevel.Select(g => g.Id))}), got '{r.Field(3)}'");
        if (!DataFormat.Parse("DATETIME").Accepts(r.Field(4)))
            Report(DtnRules.Trailer, r.LineNumber, "ZPT", "File Completion Timestamp", $"expected ccyymmddhhmmss, got '{r.Field(4)}'");
    }

    private void Structure(DtnRecord r, GroupDefinition group)
    {
        // Close groups at this level or deeper: a record at the same or a higher level ends their subtree.
        while (_stack.Count > group.Level) Close(_stack[^1], r.LineNumber, pop: true);
        var parent = _stack[^1];
        if (_stack.Count != group.Level || parent.Group?.Id != group.ParentId)
        {
            var where = parent.Group is null ? "the header" : $"{parent.Group.Id} ({parent.Group.Name}) at line {parent.Line}";
            Report(DtnRules.GroupOrder, r.LineNumber, group.Id, null, $"{group.Id} ({group.Name}) must come under {group.ParentId ?? "nothing"}{(group.ParentId is { } p ? $" ({_flow!.Find(p)?.Name})" : "")}; it follows {where}");
            Push(group, r.LineNumber, _flow!.ChildrenOf(group.Id));
            return;
        }
        var index = IndexOf(parent.Children, group);
        if (index >= 0 && ++parent.Counts[index] > group.Max)
            Report(DtnRules.Cardinality, r.LineNumber, group.Id, null, $"{group.Id} ({group.Name}) occurs {parent.Counts[index]} times under {(parent.Group is null ? "the file" : $"{parent.Group.Id} at line {parent.Line}")}; its range is {group.Range}");
        Push(group, r.LineNumber, _flow!.ChildrenOf(group.Id));
    }

    private void Push(GroupDefinition? group, long line, IReadOnlyList<GroupDefinition> children) =>
        _stack.Add((_spare.Count > 0 ? _spare.Pop() : new Frame()).Reset(group, line, children));

    private static int IndexOf(IReadOnlyList<GroupDefinition> groups, GroupDefinition group)
    {
        for (var i = 0; i < groups.Count; i++)
            if (ReferenceEquals(groups[i], group)) return i;
        return -1;
    }

    private void Close(Frame frame, long line, bool pop)
    {
        for (var i = 0; i < frame.Children.Count; i++)
        {
            var child = frame.Children[i];
            if (frame.Counts[i] < child.Min)
                Report(DtnRules.Cardinality, frame.Group is null ? line : frame.Line, frame.Group?.Id ?? child.Id, null,
                    frame.Group is null
                        ? $"the file has {frame.Counts[i]} {child.Id} ({child.Name}) groups; its range is {child.Range}"
                        : $"{frame.Group.Id} ({frame.Group.Name}) has {frame.Counts[i]} {child.Id} ({child.Name}) groups under it; the range is {child.Range}");
        }
        if (pop)
        {
            _stack.RemoveAt(_stack.Count - 1);
            _spare.Push(frame);
        }
    }

    private void CloseAll(long line)
    {
        while (_stack.Count > 0) Close(_stack[^1], line, pop: true);
    }

    private void Fields(DtnRecord r, GroupDefinition group)
    {
        var fields = group.FieldArray;
        var defined = fields.Length;
        if (r.FieldCount != defined)
            Report(DtnRules.FieldCount, r.LineNumber, group.Id, null, $"{r.FieldCount} fields; {group.Id} ({group.Name}) has {defined}: {string.Join(", ", group.Fields.Select(f => f.Ref))}");
        var n = Math.Min(r.FieldCount, defined);
        for (var i = 0; i < n; i++)
        {
            var def = fields[i];
            var value = r.Field(i);
            if (value.IsEmpty)
            {
                if (def.Required) Report(DtnRules.Mandatory, r.LineNumber, group.Id, def.Label, $"mandatory; field {i + 1} is empty");
                continue;
            }
            if (!def.Format.Accepts(value))
                Report(DtnRules.Format, r.LineNumber, group.Id, def.Label, $"expected {def.Format.Expectation}, got '{value}'");
            else if (def.ValidSet is { } set && !set.Contains(value))
                Report(DtnRules.ValidSet, r.LineNumber, group.Id, def.Label, $"'{value}' is not in the valid set ({set.Describe()})");
            if (def.IsMpanCore && MpanProblem(value) is { } problem)
                Report(DtnRules.Mpan, r.LineNumber, group.Id, def.Label, problem);
        }
    }

    private static string? MpanProblem(ReadOnlySpan<char> value)
    {
        if (value.Length != 13) return null; // the format check has already said so
        foreach (var c in value)
            if (c is < '0' or > '9') return null;
        var expected = MpanCore.CheckDigit(value[..12]);
        return value[12] - '0' == expected ? null : $"MPAN core '{value}' has check digit {value[12]}; the digits before it give {expected}";
    }

    // Metering-point units: the MPAN group's record and everything under it, with its ancestors (e.g. 72C).
    private void Units(DtnRecord r, GroupDefinition group)
    {
        var mpanGroup = _flow!.MpanGroup;
        if (mpanGroup is null) return;
        if (group.Level <= mpanGroup.Level) CloseUnit();
        if (group.Level < mpanGroup.Level && group.Level < _ancestors.Length) _ancestors[group.Level] = r;
        else if (ReferenceEquals(group, mpanGroup) || _unit.Count > 0) _unit.Add(r);
    }

    private void CloseUnit()
    {
        if (_unit.Count == 0 || _flow is null || _header is null) return;
        _ancestorList.Clear();
        for (var level = 1; level < _flow.MpanGroup!.Level && level < _ancestors.Length; level++)
            if (_ancestors[level] is { } a) _ancestorList.Add(a);
        // The lists are reused for the next metering point: rules judge the unit now and keep nothing.
        var unit = new FlowUnit(_header, _flow, _ancestorList, _unit, _catalog.Overlay);
        var point = _points is not null && unit.Mpan is { } mpan ? _points.Find(mpan) : null;
        MhhsRules.Check(unit, point, this);
        _unit.Clear();
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
