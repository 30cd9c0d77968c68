using Qualification.Domain;
using Qualification.Stubs;
using Qualification.Stubs.Security;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Qualification.Runner.Composition;

/// <summary>A problem with the user's input (profile, features, options). Exit code 2.</summary>
public sealed class InputException(string message) : Exception(message);

/// <summary>
/// The candidate profile: who the system under qualification is and where it listens. The harness
/// plays every other party. See README "Candidate profile" for every field.
/// </summary>
public sealed record CandidateProfile
{
    /// <summary>Display name.</summary>
    public required string Name { get; init; }
    /// <summary>DIP role: SUP, MSS or MSA.</summary>
    public required string Role { get; init; }
    /// <summary>10-character DIP id.</summary>
    public required string DipId { get; init; }
    /// <summary>4-letter MPID.</summary>
    public required string Mpid { get; init; }
    /// <summary>Market segments it operates in.</summary>
    public IReadOnlyList<string> Segments { get; init; } = ["S"];
    /// <summary>Its DIP webhook.</summary>
    public required Uri CallbackUrl { get; init; }
    /// <summary>The candidate's driver API (docs/driver-api.md), when it offers one.</summary>
    public Uri? DriverUrl { get; init; }
    /// <summary>Where the emulated DIP listens.</summary>
    public string DipUrl { get; init; } = "http://127.0.0.1:7401";
    /// <summary>Where the emulated CSS listens.</summary>
    public string CssUrl { get; init; } = "http://127.0.0.1:7402";
    /// <summary>X-API-Key the candidate sends; when set, the DIP requires it.</summary>
    public string? ApiKey { get; init; }
    /// <summary>Message signing policy of the emulated DIP (harness.signing: required, optional or off; default off).</summary>
    public SigningPolicy Signing { get; init; } = SigningPolicy.Off;
    /// <summary>PEM file of the certificate the candidate signs with (harness.signingCertificate); when set, only it is accepted.</summary>
    public string? SigningCertificate { get; init; }
    /// <summary>The file it was read from.</summary>
    public string? Source { get; init; }

    /// <summary>Reads and checks a profile; every problem names the file and the field.</summary>
    public static CandidateProfile Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"Candidate profile {path} does not exist. Pass --candidate with a YAML file (see README, 'Candidate profile').");
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        ProfileFile? file;
        try { file = deserializer.Deserialize<ProfileFile>(File.ReadAllText(path)); }
        catch (YamlException e)
        {
            throw new InputException($"{path}:{e.Start.Line}:{e.Start.Column}: {e.InnerException?.Message ?? e.Message}. Fields are participant, endpoints and harness (see README).");
        }
        if (file is null) throw new InputException($"{path}: the profile is empty; it needs participant, endpoints and harness sections (see README).");
        var errors = new List<string>();
        var p = file.Participant;
        string Need(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value)) { errors.Add($"{path}: {field} is required"); return ""; }
            return value.Trim();
        }
        var name = Need(p?.Name, "participant.name");
        var role = Need(p?.Role, "participant.role");
        if (role.Length > 0 && role is not (DipRole.Supplier or DipRole.SmartMeteringService or DipRole.AdvancedMeteringService))
            errors.Add($"{path}: participant.role is '{role}'; the harness qualifies SUP, MSS or MSA");
        var dipId = Need(p?.DipId, "participant.dipId");
        if (dipId.Length > 0 && (dipId.Length != 10 || !dipId.All(Uri.IsHexDigit)))
            errors.Add($"{path}: participant.dipId is '{dipId}'; a DIP id is 10 characters (digits or hex), e.g. \"2300000012\" (quote it so YAML keeps it a string)");
        var mpid = Need(p?.Mpid, "participant.mpid");
        if (mpid.Length > 0 && (mpid.Length != 4 || !mpid.All(char.IsAsciiLetterUpper)))
            errors.Add($"{path}: participant.mpid is '{mpid}'; an MPID is 4 upper-case letters");
        foreach (var s in p?.Segments ?? [])
            if (s is not ("S" or "A" or "U")) errors.Add($"{path}: participant.segments has '{s}'; use S, A or U");
        var callback = Need(file.Endpoints?.CallbackUrl, "endpoints.callbackUrl");
        Uri? callbackUri = null;
        if (callback.Length > 0 && (!Uri.TryCreate(callback, UriKind.Absolute, out callbackUri) || callbackUri.Scheme is not ("http" or "https")))
            errors.Add($"{path}: endpoints.callbackUrl '{callback}' is not an http(s) URL");
        Uri? driverUri = null;
        if (file.Endpoints?.DriverUrl is { Length: > 0 } driver && (!Uri.TryCreate(driver, UriKind.Absolute, out driverUri) || driverUri.Scheme is not ("http" or "https")))
            errors.Add($"{path}: endpoints.driverUrl '{driver}' is not an http(s) URL");
        var dipUrl = file.Harness?.DipUrl ?? "http://127.0.0.1:7401";
        var cssUrl = file.Harness?.CssUrl ?? "http://127.0.0.1:7402";
        foreach (var (field, value) in new[] { ("harness.dipUrl", dipUrl), ("harness.cssUrl", cssUrl) })
            if (!Uri.TryCreate(value, UriKind.Absolute, out var u) || u.Scheme != "http")
                errors.Add($"{path}: {field} '{value}' must be an http URL such as http://127.0.0.1:7401");
        var signing = SigningPolicy.Off;
        switch (file.Harness?.Signing?.Trim().ToLowerInvariant())
        {
            case null or "off": break;
            case "optional": signing = SigningPolicy.Optional; break;
            case "required": signing = SigningPolicy.Required; break;
            default: errors.Add($"{path}: harness.signing is '{file.Harness?.Signing}'; use required, optional or off (X-DIP-Signature checks on the candidate's calls)"); break;
        }
        var signingCertificate = file.Harness?.SigningCertificate;
        if (signingCertificate is not null)
        {
            // Relative to the profile, so a profile and its certificate can travel together.
            signingCertificate = Path.GetFullPath(signingCertificate, Path.GetDirectoryName(Path.GetFullPath(path))!);
            if (!File.Exists(signingCertificate)) errors.Add($"{path}: harness.signingCertificate {signingCertificate} does not exist; give the PEM file of the certificate the candidate signs with");
        }
        if (errors.Count > 0) throw new InputException(string.Join(Environment.NewLine, errors));
        if (dipId == HarnessParties.RegistrationServiceDipId || dipId == HarnessParties.LosingSupplierDipId || dipId == HarnessParties.DistributorDipId)
            throw new InputException($"{path}: participant.dipId {dipId} is one the harness plays itself; choose another (see README, 'Parties the harness plays').");
        return new CandidateProfile
        {
            Name = name, Role = role, DipId = dipId, Mpid = mpid, Segments = p!.Segments ?? ["S"], CallbackUrl = callbackUri!,
            DipUrl = dipUrl, CssUrl = cssUrl, ApiKey = file.Harness?.ApiKey, Source = path, Signing = signing, SigningCertificate = signingCertificate, DriverUrl = driverUri,
        };
    }

    private sealed class ProfileFile
    {
        public ParticipantSection? Participant { get; set; }
        public EndpointsSection? Endpoints { get; set; }
        public HarnessSection? Harness { get; set; }
    }

    private sealed class ParticipantSection
    {
        public string? Name { get; set; }
        public string? Role { get; set; }
        public string? DipId { get; set; }
        public string? Mpid { get; set; }
        public List<string>? Segments { get; set; }
    }

    private sealed class EndpointsSection
    {
        public string? CallbackUrl { get; set; }
        public string? DriverUrl { get; set; }
    }

    private sealed class HarnessSection
    {
        public string? DipUrl { get; set; }
        public string? CssUrl { get; set; }
        public string? ApiKey { get; set; }
        public string? Signing { get; set; }
        public string? SigningCertificate { get; set; }
    }
}
