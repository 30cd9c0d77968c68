using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Qualification.Rules.Catalogue;

/// <summary>
/// The requirement catalogue, read from a YAML file that code managers edit
/// (<c>features/requirements.yaml</c>). Errors name the file, the entry and the field.
/// </summary>
public sealed class RequirementCatalog
{
    private readonly Dictionary<string, Requirement> _byId;

    /// <summary>Creates a catalogue from requirements.</summary>
    public RequirementCatalog(IEnumerable<Requirement> requirements, string source)
    {
        Source = source;
        _byId = new(StringComparer.Ordinal);
        foreach (var r in requirements)
            if (!_byId.TryAdd(r.Id, r)) throw new FormatException($"{source}: requirement id '{r.Id}' appears twice; ids must be unique.");
    }

    /// <summary>Where it was read from.</summary>
    public string Source { get; }

    /// <summary>All requirements in file order.</summary>
    public IReadOnlyCollection<Requirement> All => _byId.Values;

    /// <summary>The requirement with that id, or null.</summary>
    public Requirement? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The requirement with that id; throws naming the catalogue when absent.</summary>
    public Requirement Get(string id) => Find(id) ?? throw new KeyNotFoundException($"Requirement '{id}' is not in {Source}.");

    /// <summary>Reads a catalogue file.</summary>
    public static RequirementCatalog Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Requirement catalogue {path} does not exist; pass --features DIR with a requirements.yaml in it.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses catalogue YAML.</summary>
    public static RequirementCatalog Parse(string yaml, string source)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        CatalogueFile? file;
        try { file = deserializer.Deserialize<CatalogueFile>(yaml); }
        catch (YamlException e) { throw new FormatException($"{source}:{e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e); }
        if (file?.Requirements is null || file.Requirements.Count == 0)
            throw new FormatException($"{source}: no 'requirements:' list; see features/README.md for the layout.");
        var list = new List<Requirement>();
        for (var i = 0; i < file.Requirements.Count; i++)
        {
            var e = file.Requirements[i];
            string Need(string? value, string field) => string.IsNullOrWhiteSpace(value)
                ? throw new FormatException($"{source}: requirements[{i}]{(e.Id is null ? "" : $" ({e.Id})")}: '{field}' is required.")
                : value.Trim();
            Sla? sla = null;
            if (!string.IsNullOrWhiteSpace(e.Sla))
            {
                try { sla = Sla.Parse(e.Sla); }
                catch (FormatException x) { throw new FormatException($"{source}: requirements[{i}] ({e.Id}): {x.Message}", x); }
            }
            Sla? raiseWithin = null;
            if (!string.IsNullOrWhiteSpace(e.RaiseWithin))
            {
                try { raiseWithin = Sla.Parse(e.RaiseWithin); }
                catch (FormatException x) { throw new FormatException($"{source}: requirements[{i}] ({e.Id}): raiseWithin: {x.Message}", x); }
            }
            list.Add(new Requirement
            {
                Id = Need(e.Id, "id"), Title = Need(e.Title, "title"), Process = Need(e.Process, "process"), Source = Need(e.Source, "source"),
                Roles = e.Roles ?? [], Segments = e.Segments ?? [], Interfaces = e.Interfaces ?? [], Sla = sla, RaiseWithin = raiseWithin, Mandatory = e.Mandatory ?? true, Planned = e.Planned ?? false,
            });
        }
        return new RequirementCatalog(list, source);
    }

    private sealed class CatalogueFile
    {
        public List<Entry>? Requirements { get; set; }
    }

    private sealed class Entry
    {
        public string? Id { get; set; }
        public string? Title { get; set; }
        public string? Process { get; set; }
        public string? Source { get; set; }
        public List<string>? Roles { get; set; }
        public List<string>? Segments { get; set; }
        public List<string>? Interfaces { get; set; }
        public string? Sla { get; set; }
        public string? RaiseWithin { get; set; }
        public bool? Mandatory { get; set; }
        public bool? Planned { get; set; }
    }
}
