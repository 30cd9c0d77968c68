using NRules.Fluent.Dsl;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Dtn;

/// <summary>
/// Every DTN flow a candidate sends passes the DTC 15.4 structure (header, groups, trailer counts,
/// formats, valid sets) and the MHHS flow rules from the REC deck, as the harness's gateway validates it.
/// </summary>
[Requirement("REC-DTN-FLOW-VALID")]
[Name("DTN flows are valid")]
public sealed class DtnFlowsAreValidRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        ObservedFlow flow = null!;
        Candidate candidate = null!;
        When()
            .Match(() => flow, f => !f.FromHarness)
            .Match(() => candidate, c => c.Mpid != null && c.Mpid == flow.SenderMpid);
        Then()
            .Do(ctx => ctx.Insert(Judge(flow)));
    }

    private static Finding Judge(ObservedFlow f)
    {
        var evidence = new[] { new EvidenceItem(f.Id, $"DTN {f.Flow} from {f.SenderMpid}", f.MarketTime) };
        return f.Valid
            ? new Finding("REC-DTN-FLOW-VALID", Verdict.Passed, f.Scenario, "", $"{f.Flow} from {f.SenderMpid} passed the DTC structure and MHHS flow rules", evidence)
            : new Finding("REC-DTN-FLOW-VALID", Verdict.Failed, f.Scenario, "", $"{f.Flow} from {f.SenderMpid} failed validation: {string.Join("; ", f.Findings.Take(3))}", evidence);
    }
}
