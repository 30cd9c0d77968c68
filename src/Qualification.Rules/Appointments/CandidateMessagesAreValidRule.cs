using NRules.Fluent.Dsl;
using Qualification.Rules.Facts;

namespace Qualification.Rules.Appointments;

/// <summary>
/// Every DIP message a candidate sends matches the DIP API description's schema for its
/// interface and event, so its date elements are datetimes with an offset (DSD002 Annex 2 9.1.1).
/// </summary>
[Requirement("MHHS-DIP-MSG-VALID")]
[Name("Every message a candidate sends is schema-valid")]
public sealed class CandidateMessagesAreValidRule : Rule
{
    /// <inheritdoc />
    public override void Define()
    {
        ObservedMessage message = null!;
        Candidate candidate = null!;
        MessagePasses passes = null!;
        When()
            .Match(() => message, m => m.Direction == Direction.Sent)
            .Match(() => candidate, c => c.DipId == message.SenderDipId)
            .Match(() => passes);
        Then()
            .Do(ctx => MessageValidity.Judge(ctx, "MHHS-DIP-MSG-VALID", message, passes));
    }
}
