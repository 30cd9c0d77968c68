namespace Qualification.Rules.Facts;

/// <summary>
/// Where the per-message validity requirements (MHHS-DIP-MSG-VALID, -IF031-VALID, -IF034-VALID)
/// put the messages they judge valid. Every evaluation has one, as a fact. By default a pass
/// becomes a <see cref="Finding"/> like any other; in compact mode (an offline evaluation of a large
/// journal, which keeps only counts and a sample of findings) the rule records the pass here
/// instead: these three requirements judge every message, so one finding per valid message was
/// half of all findings and a large part of the rule engine's work. Failures are always findings.
/// </summary>
public sealed class MessagePasses
{
    private readonly List<(string RequirementId, ObservedMessage Message)> _passes = [];

    /// <summary>Creates the fact; <paramref name="compact"/> records passes here instead of as findings.</summary>
    public MessagePasses(bool compact) => Compact = compact;

    /// <summary>True when passes are recorded here rather than inserted as findings.</summary>
    public bool Compact { get; }

    /// <summary>The valid messages recorded so far, with the requirement that judged each.</summary>
    public IReadOnlyList<(string RequirementId, ObservedMessage Message)> Passes => _passes;

    /// <summary>Records that <paramref name="requirementId"/> judged <paramref name="message"/> valid (one rule firing, one entry).</summary>
    public void Add(string requirementId, ObservedMessage message) => _passes.Add((requirementId, message));

    /// <summary>The finding a recorded pass stands for: exactly what a detailed evaluation inserts for it.</summary>
    public static Finding ToFinding(string requirementId, ObservedMessage message) => Appointments.MessageValidity.Judge(requirementId, message);
}
