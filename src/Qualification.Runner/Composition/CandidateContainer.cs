using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Images;
using Qualification.Domain.Evidence;

namespace Qualification.Runner.Composition;

/// <summary>
/// A candidate started from a container image (<c>qualify run --candidate-image</c>, profile
/// <c>image</c>) through Testcontainers: host networking, so the candidate and the harness meet on
/// loopback exactly as with a candidate started by hand; the harness URLs and the candidate's
/// identity passed as <c>QUALIFY_*</c> environment variables; ready when <c>GET /health</c> on its
/// callback port answers 2xx; its logs written to <c>candidate-container.log</c> in the run folder
/// (and a journal note) when it is stopped at the end of the run.
/// </summary>
public sealed class CandidateContainer : IAsyncDisposable
{
    /// <summary>Log file name in the run folder.</summary>
    public const string LogFile = "candidate-container.log";

    private readonly IContainer _container;
    private readonly Journal _journal;
    private readonly string _runDir;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private bool _stopped;

    private CandidateContainer(string image, IContainer container, Journal journal, string runDir, IReadOnlyDictionary<string, string> environment)
    {
        Image = image;
        _container = container;
        _journal = journal;
        _runDir = runDir;
        _environment = environment;
    }

    /// <summary>The image it runs.</summary>
    public string Image { get; }

    /// <summary>The environment a candidate image is given (documented in README, "Candidates in containers").</summary>
    public static Dictionary<string, string> Environment(CandidateProfile profile, string dipUrl, string cssUrl, string? dtnUrl)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["QUALIFY_DIP_URL"] = dipUrl.TrimEnd('/'),
            ["QUALIFY_CSS_URL"] = cssUrl.TrimEnd('/'),
            ["QUALIFY_CALLBACK_URL"] = profile.CallbackUrl.ToString(),
            ["QUALIFY_CALLBACK_PORT"] = profile.CallbackUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["QUALIFY_ROLE"] = profile.Role,
            ["QUALIFY_DIP_ID"] = profile.DipId,
            ["QUALIFY_MPID"] = profile.Mpid,
            // .NET candidates in minimal images (no ICU) still start; others ignore it.
            ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
        };
        if (dtnUrl is not null) env["QUALIFY_DTN_URL"] = dtnUrl.TrimEnd('/');
        if (profile.ApiKey is not null) env["QUALIFY_API_KEY"] = profile.ApiKey;
        return env;
    }

    /// <summary>Starts the image and returns once its health endpoint answers.</summary>
    public static async Task<CandidateContainer> StartAsync(string image, CandidateProfile profile, string dipUrl, string cssUrl, string? dtnUrl,
        Journal journal, string runDir, TimeSpan? healthTimeout = null, CancellationToken cancellation = default)
    {
        if (!EngineAvailable(out var why))
            throw new InputException($"--candidate-image {image}: no container engine is reachable ({why}). Start one (e.g. dockerd) and set DOCKER_HOST if its socket is not /var/run/docker.sock; "
                + "Debian's docker.io needs DOCKER_API_VERSION=1.41, and TESTCONTAINERS_RYUK_DISABLED=true where no registry is reachable.");
        var env = Environment(profile, dipUrl, cssUrl, dtnUrl);
        var health = new Uri(profile.CallbackUrl, "/health");
        var timeout = healthTimeout ?? TimeSpan.FromSeconds(60);
        var container = new ContainerBuilder(image)
            // Images are built locally (no registry is reachable from a qualification machine): never pull.
            .WithImagePullPolicy(PullPolicy.Never)
            .WithEnvironment(env)
            .WithLabel("org.qualify.candidate", profile.DipId)
            // Host networking: the candidate listens on its profile's loopback callback port and reaches
            // the harness on 127.0.0.1; no bridge, no published ports.
            .WithCreateParameterModifier(p => (p.HostConfig ??= new()).NetworkMode = "host")
            // Ready when GET /health answers 2xx; Testcontainers gives up at once if the container exits.
            .WithWaitStrategy(Wait.ForUnixContainer().AddCustomWaitStrategy(new HealthEndpoint(health), w => w.WithTimeout(timeout).WithInterval(TimeSpan.FromMilliseconds(250))))
            .Build();
        var started = Stopwatch.StartNew();
        var candidate = new CandidateContainer(image, container, journal, runDir, env);
        journal.Append(new JournalRecord
        {
            Kind = JournalKind.Marker, Note = $"candidate container {image} starting with host networking; waiting for {health}",
            Body = new JsonObject { ["image"] = image, ["environment"] = new JsonObject(env.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(kv.Key == "QUALIFY_API_KEY" ? "***" : kv.Value)))) },
        });
        try { await container.StartAsync(cancellation); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var exited = e is ContainerNotRunningException || e.InnerException is ContainerNotRunningException;
            var reason = exited ? $"the container exited before {health} answered" : e is TimeoutException ? $"{health} did not answer 2xx within {timeout.TotalSeconds:0} s" : e.GetBaseException().Message;
            await candidate.StopAsync();
            throw new InputException($"--candidate-image {image}: the candidate did not start: {reason}. Its logs are in {Path.Combine(runDir, LogFile)}.");
        }
        journal.Append(new JournalRecord { Kind = JournalKind.Marker, Note = $"candidate container {image} ({Short(container.Id)}) started with host networking; healthy after {started.Elapsed.TotalSeconds:0.0} s ({health})" });
        return candidate;
    }

    private sealed class HealthEndpoint(Uri health) : IWaitUntil
    {
        private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

        public async Task<bool> UntilAsync(IContainer container)
        {
            try
            {
                using var response = await Http.GetAsync(health);
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
        }
    }

    /// <summary>Whether Testcontainers finds an engine; <paramref name="why"/> says what it tried when not.</summary>
    public static bool EngineAvailable(out string why)
    {
        try
        {
            why = "";
            if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not null) return true;
            why = "Testcontainers found no Docker endpoint (DOCKER_HOST, /var/run/docker.sock)";
        }
        catch (Exception e) { why = e.GetBaseException().Message; }
        return false;
    }

    /// <summary>Stops and removes the container, keeping its logs as evidence. Safe to call twice.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        var path = Path.Combine(_runDir, LogFile);
        string note;
        try
        {
            var (stdout, stderr) = await _container.GetLogsAsync(timestampsEnabled: true);
            var text = new StringBuilder()
                .Append("# candidate container ").Append(Image).Append(" (").Append(SafeId).Append(")\n")
                .Append("# environment: ").Append(string.Join(" ", _environment.Select(kv => $"{kv.Key}={(kv.Key == "QUALIFY_API_KEY" ? "***" : kv.Value)}"))).Append('\n')
                .Append("# --- stdout ---\n").Append(stdout)
                .Append("# --- stderr ---\n").Append(stderr);
            Directory.CreateDirectory(_runDir);
            await File.WriteAllTextAsync(path, text.ToString());
            note = $"candidate container {Short(SafeId)} stopped; its logs are in {LogFile}";
        }
        catch (Exception e) { note = $"candidate container {Short(SafeId)} stopped; its logs could not be read: {e.GetBaseException().Message}"; }
        try { await _container.DisposeAsync(); }
        catch (Exception e) { note += $"; removing it failed: {e.GetBaseException().Message}"; }
        _journal.Append(new JournalRecord
        {
            Kind = JournalKind.Marker, Note = note,
            Body = new JsonObject { ["image"] = Image, ["containerId"] = SafeId, ["logs"] = File.Exists(path) ? LogFile : null },
        });
    }

    private string SafeId
    {
        get
        {
            try { return _container.Id; }
            catch (Exception) { return "(not created)"; }
        }
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();
}
