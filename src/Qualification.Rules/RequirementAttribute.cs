using System.Reflection;
using NRules.Fluent.Dsl;

namespace Qualification.Rules;

/// <summary>Marks a rule with the catalogue requirement it judges. A rule judges exactly one requirement.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class RequirementAttribute(string id) : TagAttribute(id)
{
    /// <summary>The requirement id, e.g. REC-MO-22.6.1.</summary>
    public string Id { get; } = id;

    /// <summary>The requirement a rule type judges.</summary>
    public static string Of(Type ruleType) =>
        ruleType.GetCustomAttribute<RequirementAttribute>()?.Id
        ?? throw new InvalidOperationException($"Rule {ruleType.Name} has no [Requirement] attribute.");
}
