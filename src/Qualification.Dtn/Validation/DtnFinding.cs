namespace Qualification.Dtn.Validation;

/// <summary>How bad a finding is.</summary>
public enum Severity
{
    /// <summary>The file breaks the DTC or an MHHS rule.</summary>
    Error,
    /// <summary>Questionable, or the rule rests on an inference; not a violation on its own.</summary>
    Warning,
}

/// <summary>One thing wrong with a flow file.</summary>
/// <param name="RuleId">Which rule, e.g. DTN-FORMAT or REC-DTN-D0311-PC (see <see cref="DtnRules"/>).</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Line">1-based line number; 0 for the file as a whole.</param>
/// <param name="Group">Group id (ZHV, ZPT, 026 …), when one is involved.</param>
/// <param name="Field">Data item, e.g. "J0016 Reading Date &amp; Time", when one is involved.</param>
/// <param name="Message">What was found and what was expected.</param>
public sealed record DtnFinding(string RuleId, Severity Severity, long Line, string? Group, string? Field, string Message)
{
    /// <summary>"line: group field: message [rule]", the form <c>qualify flow</c> prints after the file name.</summary>
    public override string ToString()
    {
        var where = string.Join(' ', new[] { Group, Field }.Where(s => !string.IsNullOrEmpty(s)));
        return $"{Line}: {(where.Length == 0 ? "" : where + ": ")}{(Severity == Severity.Warning ? "warning: " : "")}{Message} [{RuleId}]";
    }
}

/// <summary>The outcome of validating one flow file.</summary>
public sealed record ValidationResult
{
    /// <summary>The ZHV "Data Flow and Version Number", when a header was read.</summary>
    public string? FlowAndVersion { get; init; }
    /// <summary>The flow name from the DTC, when the flow is known.</summary>
    public string? FlowName { get; init; }
    /// <summary>The ZHV file identifier.</summary>
    public string? FileId { get; init; }
    /// <summary>Lines read.</summary>
    public long Lines { get; init; }
    /// <summary>Errors found (all of them, even past the kept list).</summary>
    public long Errors { get; init; }
    /// <summary>Warnings found.</summary>
    public long Warnings { get; init; }
    /// <summary>The findings kept, in file order (the first <see cref="FlowValidator.MaxFindingsKept"/>).</summary>
    public required IReadOnlyList<DtnFinding> Findings { get; init; }
    /// <summary>Whether more findings were counted than kept.</summary>
    public bool Truncated => Errors + Warnings > Findings.Count;
    /// <summary>No errors (warnings allowed).</summary>
    public bool IsValid => Errors == 0;
}
