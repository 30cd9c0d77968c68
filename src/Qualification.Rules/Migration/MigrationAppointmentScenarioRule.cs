using NRules.Fluent.Dsl;
using Qualification.Domain;
using Qualification.Domain.Dip;
using Qualification.Rules.Catalogue;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Migration;

/// <summary>
/// A qualified supplier migrates a legacy (non-migrated) metering point by appointing its MHHS metering
/// service with appointment scenario MCA when it is the current supplier (change of agent) or MCS when
/// it is the gaining supplier (change of supplier), never with an MHHS scenario such as COS or CSP; and
/// it uses MCA/MCS only for legacy points. Whether the point was legacy is what SMRS holds, and SMRS
/// answers every IF-031 with IF-032: acceptance of MCA/MCS, or the migration rejections REG9005–REG9009,
/// are the observations judged.
/// </summary>
[Requirement("MHHS-MIG-MCA-MCS")]
[Name("Legacy metering points are migrated with MCA or MCS")]
public sealed class MigrationAppointmentScenarioRule : Rule
{
    // SMRS migration rejections (interface catalogue, REG9005–REG9009) and what each says of the supplier.
    private static readonly (string Code, string Meaning)[] Rejections =
    [
        ("REG9009", "used an MHHS appointment scenario for a metering point that is not migrated; a legacy point is migrated with MCA (current supplier) or MCS (gaining supplier)"),
        ("REG9005", "used MCA as a gaining supplier; on a change of supplier the migration scenario is MCS"),
        ("REG9006", "used MCS as the current supplier; the current supplier migrates with MCA"),
        ("REG9007", "used a migration scenario for a metering point that is already migrated"),
    ];

    /// <inheritdoc />
    public override void Define()
    {
        Requirement requirement = null!;
        ObservedMessage request = null!;
        Candidate supplier = null!;
        IEnumerable<ObservedMessage> answers = null!;

        When()
            .Match(() => requirement, r => r.Id == "MHHS-MIG-MCA-MCS")
            .Match(() => request, m => m.Direction == Direction.Sent && m.InterfaceId == "IF-031" && m.EventCode == "[MSApp]" && m.SchemaValid)
            .Match(() => supplier, c => c.Role == DipRole.Supplier && c.DipId == request.SenderDipId)
            .Query(() => answers, q => q
                .Match<ObservedMessage>(m => m.Direction == Direction.Published && m.InterfaceId == "IF-032" && m.EventCode == "[MSAppInitialResp]",
                    m => m.Scenario == request.Scenario && m.Mpan == request.Mpan && m.RecipientDipId == supplier.DipId && m.MarketTime >= request.MarketTime)
                .Collect());
        Then()
            .Do(ctx => ctx.InsertAll(Judge(requirement, request, answers)));
    }

    private static IEnumerable<Finding> Judge(Requirement requirement, ObservedMessage request, IEnumerable<ObservedMessage> answers)
    {
        var scenario = request.CustomBlock.Text("B070", "appointmentScenario");
        var efd = request.CustomBlock.Text("B070", "proposedMeteringServiceDIPEffectiveFromDate");
        var service = request.CustomBlock.Text("B070", "proposedMeteringServiceDIPID");
        // SMRS echoes the request's B070 in its answer: that pairs them.
        var answer = answers.Where(a => a.CustomBlock.Text("B070", "appointmentScenario") == scenario
                                        && a.CustomBlock.Text("B070", "proposedMeteringServiceDIPEffectiveFromDate") == efd
                                        && a.CustomBlock.Text("B070", "proposedMeteringServiceDIPID") == service)
            .OrderBy(a => a.MarketTime).FirstOrDefault();
        if (answer is null) yield break;
        var evidence = new[]
        {
            new EvidenceItem(request.Id, $"request: {request.Describe()} with appointment scenario {scenario}", request.MarketTime),
            new EvidenceItem(answer.Id, $"answer: {answer.Describe()} ({answer.ResponseCode}{(answer.ResponseMessages.Count > 0 ? ": " + string.Join("; ", answer.ResponseMessages) : "")})", answer.MarketTime),
        };
        var rejection = Rejections.FirstOrDefault(r => answer.ResponseMessages.Any(m => m.StartsWith(r.Code, StringComparison.Ordinal)));
        if (rejection.Code is not null)
            yield return new Finding(requirement.Id, Verdict.Failed, request.Scenario, request.Mpan,
                $"the supplier asked for appointment scenario {scenario} for {request.Mpan} and SMRS refused it ({rejection.Code}): it {rejection.Meaning}", evidence);
        else if (scenario is "MCA" or "MCS" && answer.ResponseCode == "A")
            yield return new Finding(requirement.Id, Verdict.Passed, request.Scenario, request.Mpan,
                $"legacy metering point {request.Mpan} migrated with appointment scenario {scenario}, accepted by SMRS", evidence);
    }
}
