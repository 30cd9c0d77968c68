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
    /// <summary>Where the emulated DTN gateway listens (null: a free loopback port).</summary>
    public string? DtnUrl { get; init; }
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
    /// <summary>How the harness causes business actions in the candidate (drive: events, api, browser, prompt).</summary>
    public DriveMode Drive { get; init; } = DriveMode.Events;
    /// <summary>The candidate's web portal, page by page (drive: browser).</summary>
    public PortalProfile? Portal { get; init; }
    /// <summary>Operator prompts (drive: prompt).</summary>
    public PromptProfile Prompt { get; init; } = new();
    /// <summary>Container image the harness starts the candidate from (image; --candidate-image overrides it).</summary>
    public string? Image { get; init; }

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
        var dtnUrl = file.Harness?.DtnUrl;
        foreach (var (field, value) in new[] { ("harness.dipUrl", dipUrl), ("harness.cssUrl", cssUrl), ("harness.dtnUrl", dtnUrl ?? "http://127.0.0.1:0") })
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
        var (drive, portal, prompt) = ReadDriving(file, path, driverUri, errors);
        if (errors.Count > 0) throw new InputException(string.Join(Environment.NewLine, errors));
        if (dipId == HarnessParties.RegistrationServiceDipId || dipId == HarnessParties.LosingSupplierDipId || dipId == HarnessParties.DistributorDipId)
            throw new InputException($"{path}: participant.dipId {dipId} is one the harness plays itself; choose another (see README, 'Parties the harness plays').");
        return new CandidateProfile
        {
            Name = name, Role = role, DipId = dipId, Mpid = mpid, Segments = p!.Segments ?? ["S"], CallbackUrl = callbackUri!,
            DipUrl = dipUrl, CssUrl = cssUrl, DtnUrl = dtnUrl, ApiKey = file.Harness?.ApiKey, Source = path, Signing = signing, SigningCertificate = signingCertificate, DriverUrl = driverUri,
            Drive = drive, Portal = portal, Prompt = prompt, Image = string.IsNullOrWhiteSpace(file.Image) ? null : file.Image.Trim(),
        };
    }

    // drive, portal and prompt: how actions that start inside the candidate are caused.
    private static (DriveMode, PortalProfile?, PromptProfile) ReadDriving(ProfileFile file, string path, Uri? driverUri, List<string> errors)
    {
        var drive = (file.Drive?.Trim().ToLowerInvariant()) switch
        {
            null or "" => driverUri is null ? DriveMode.Events : DriveMode.Api,
            "events" => DriveMode.Events,
            "api" => DriveMode.Api,
            "browser" => DriveMode.Browser,
            "prompt" => DriveMode.Prompt,
            _ => (DriveMode?)null,
        };
        if (drive is null) { errors.Add($"{path}: drive is '{file.Drive}'; use events, api, browser or prompt"); drive = DriveMode.Events; }
        if (drive == DriveMode.Api && driverUri is null) errors.Add($"{path}: drive is api but endpoints.driverUrl is not set");
        PortalProfile? portal = null;
        if (file.Portal is { } ps)
        {
            Uri? baseUrl = null;
            if (string.IsNullOrWhiteSpace(ps.BaseUrl) || !Uri.TryCreate(ps.BaseUrl, UriKind.Absolute, out baseUrl) || baseUrl.Scheme is not ("http" or "https"))
                errors.Add($"{path}: portal.baseUrl '{ps.BaseUrl}' is not an http(s) URL");
            var actions = new Dictionary<string, PortalAction>(StringComparer.Ordinal);
            foreach (var (name, a) in ps.Actions ?? [])
            {
                if (a is null) { errors.Add($"{path}: portal.actions.{name} is empty"); continue; }
                if (string.IsNullOrWhiteSpace(a.Path)) errors.Add($"{path}: portal.actions.{name}.path is required (the page's URL path, e.g. /portal/{name})");
                if (string.IsNullOrWhiteSpace(a.Submit)) errors.Add($"{path}: portal.actions.{name}.submit is required (a selector for the submit button, e.g. \"#submit\")");
                if (string.IsNullOrWhiteSpace(a.Success)) errors.Add($"{path}: portal.actions.{name}.success is required (text the page shows once the action is accepted)");
                actions[name] = new PortalAction(a.Path ?? "", a.Fields ?? [], a.Submit ?? "", a.Success ?? "") { Answers = a.Answers ?? [] };
            }
            if (actions.Count == 0) errors.Add($"{path}: portal.actions is empty; map each action (install-meter, …) to its page");
            portal = new PortalProfile(baseUrl ?? new Uri("http://127.0.0.1/"), actions);
        }
        if (drive == DriveMode.Browser && portal is null) errors.Add($"{path}: drive is browser but there is no portal section (baseUrl and actions)");
        var prompt = new PromptProfile();
        if (file.Prompt is { } pr)
        {
            if (pr.Port is < 0 or > 65535) errors.Add($"{path}: prompt.port {pr.Port} is not a TCP port (0 picks a free one)");
            if (pr.TimeoutSeconds is <= 0) errors.Add($"{path}: prompt.timeoutSeconds {pr.TimeoutSeconds} must be positive");
            prompt = new PromptProfile { Port = pr.Port ?? 0, Timeout = TimeSpan.FromSeconds(pr.TimeoutSeconds ?? 600) };
        }
        return (drive.Value, portal, prompt);
    }

    private sealed class ProfileFile
    {
        public ParticipantSection? Participant { get; set; }
        public EndpointsSection? Endpoints { get; set; }
        public HarnessSection? Harness { get; set; }
        public string? Drive { get; set; }
        public string? Image { get; set; }
        public PortalSection? Portal { get; set; }
        public PromptSection? Prompt { get; set; }
    }

    private sealed class PortalSection
    {
        public string? BaseUrl { get; set; }
        public Dictionary<string, PortalActionSection?>? Actions { get; set; }
    }

    private sealed class PortalActionSection
    {
        public string? Path { get; set; }
        public Dictionary<string, string>? Fields { get; set; }
        public string? Submit { get; set; }
        public string? Success { get; set; }
        public Dictionary<string, string>? Answers { get; set; }
    }

    private sealed class PromptSection
    {
        public int? Port { get; set; }
        public double? TimeoutSeconds { get; set; }
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
        public string? DtnUrl { get; set; }
        public string? ApiKey { get; set; }
        public string? Signing { get; set; }
        public string? SigningCertificate { get; set; }
    }
}

/// <summary>How the harness causes business actions that start inside the candidate (profile field drive).</summary>
public enum DriveMode
{
    /// <summary>Not at all: the candidate only reacts to DIP events; scenarios needing an action are skipped.</summary>
    Events,
    /// <summary>The HTTP driver API at endpoints.driverUrl (docs/driver-api.md).</summary>
    Api,
    /// <summary>The candidate's web portal, through Chromium (profile section portal).</summary>
    Browser,
    /// <summary>An operator performs the action and confirms it (profile section prompt).</summary>
    Prompt,
}

/// <summary>One portal page: where it is, which field takes which parameter, how to submit, what success looks like.</summary>
/// <param name="Path">URL path of the page, relative to the portal's base URL.</param>
/// <param name="Fields">Action parameter (and marketTime) → selector of the field that takes it.</param>
/// <param name="Submit">Selector of the submit control.</param>
/// <param name="Success">Text the page shows once the candidate accepted the action.</param>
public sealed record PortalAction(string Path, IReadOnlyDictionary<string, string> Fields, string Submit, string Success)
{
    /// <summary>What the accepted page shows that the harness reads back: answer path (e.g. supplyNumber.topLine) → selector of the element showing it.</summary>
    public IReadOnlyDictionary<string, string> Answers { get; init; } = new Dictionary<string, string>();
}

/// <summary>A candidate's web portal (profile section portal).</summary>
/// <param name="BaseUrl">Where the portal is.</param>
/// <param name="Actions">Business action (install-meter, …) → its page.</param>
public sealed record PortalProfile(Uri BaseUrl, IReadOnlyDictionary<string, PortalAction> Actions);

/// <summary>Operator prompts (profile section prompt).</summary>
public sealed record PromptProfile
{
    /// <summary>Loopback port of the confirmation endpoint (0: a free port, printed with each prompt).</summary>
    public int Port { get; init; }
    /// <summary>How long to wait for the operator's confirmation.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}
