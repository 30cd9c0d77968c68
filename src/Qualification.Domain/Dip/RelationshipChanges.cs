namespace Qualification.Domain.Dip;

/// <summary>
/// A supplier's decisions about related metering points and import/export associations, by the
/// name a driver asks for them, and the IF-019 event each is sent to SMRS as. One vocabulary for
/// the participant that acts and the rule that judges.
/// </summary>
public static class RelationshipChanges
{
    /// <summary>IF-019 event code by driver action.</summary>
    public static IReadOnlyDictionary<string, string> EventByAction { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["associate-import-export"] = "[LinkedImportExportCreate]",
        ["remove-import-export"] = "[LinkedImportExportRemove]",
        ["relate-metering-points"] = "[RelatedCreate]",
        ["add-related-metering-points"] = "[RelatedAdd]",
        ["remove-related-metering-points"] = "[RelatedRemove]",
    };

    /// <summary>True when the driver action is a relationship decision.</summary>
    public static bool IsRelationshipAction(string action) => EventByAction.ContainsKey(action);
}
