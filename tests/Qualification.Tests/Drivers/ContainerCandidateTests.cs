using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Qualification.Tests.Support;

namespace Qualification.Tests.Drivers;

/// <summary>
/// A candidate in a container: `qualify run --candidate-image` starts it through Testcontainers on a
/// real engine (host networking, QUALIFY_* environment), waits for its health endpoint, runs the
/// scenarios, keeps its logs as evidence and removes it. No registry is reachable, so the test builds
/// the image locally: a FROM scratch image holding this machine's .NET runtime, the built `qualify`
/// (whose `participant` command reads QUALIFY_* defaults) and the shared libraries ldd names.
/// Where no engine answers, the test is ignored with the reason, never passed.
/// </summary>
public partial class ContainerCandidateTests
{
    private static string? _image;
    private static string? _engineProblem;

    [OneTimeSetUp]
    public async Task BuildImage()
    {
        _engineProblem = await EngineProblemAsync();
        if (_engineProblem is not null) return;
        var clock = Stopwatch.StartNew();
        _image = await ImageBuilder.BuildAsync();
        TestContext.Progress.WriteLine($"candidate image {_image} ready in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Test]
    public async Task Container_CandidateImage_AppointmentAndMeterWorksScenariosPass_LogsKept_ContainerRemoved()
    {
        if (_engineProblem is not null) Assert.Ignore("No container engine, so a containerised candidate cannot be started here: " + _engineProblem);
        var dir = Qualify.TempDir("drive-container");
        var ports = DriverRuns.Ports.Free();
        var results = Path.Combine(dir, "run");
        var profile = DriverRuns.Profile(dir, ports, "drive: api\n", driverApi: true);
        var clock = Stopwatch.StartNew();
        var run = await Qualify.RunAsync([.. DriverRuns.RunArgs(profile, results), "--candidate-image", _image!], TimeSpan.FromMinutes(4));
        TestContext.Out.WriteLine($"qualify run with the candidate in a container: {clock.Elapsed.TotalSeconds:0.0} s");

        DriverRuns.AssertQualified(run, results);
        var log = Path.Combine(results, "candidate-container.log");
        Assert.That(File.Exists(log), Is.True, run.All);
        var logText = File.ReadAllText(log);
        // The candidate got the harness's URLs and its identity from the environment.
        Assert.That(logText, Does.Contain($"reference MSS {DriverRuns.Mpid} ({DriverRuns.DipId}) listening; DIP webhook {ports.CandidateUrl}/dip/inbound"), logText);
        Assert.That(logText, Does.Contain($"QUALIFY_DIP_URL=http://127.0.0.1:{ports.Dip}"));
        var notes = File.ReadLines(Path.Combine(results, "journal.jsonl")).Select(l => JsonNode.Parse(l)!["note"]?.GetValue<string>() ?? "").ToList();
        Assert.That(notes, Has.Some.Contains("started with host networking"));
        Assert.That(notes, Has.Some.Contains("healthy after"));
        Assert.That(notes, Has.Some.Contains("its logs are in candidate-container.log"));
        // Stopped and removed at the end.
        var left = await Docker(["ps", "-a", "-q", "--filter", $"label=org.qualify.candidate={DriverRuns.DipId}"]);
        Assert.That(left.Output.Trim(), Is.Empty, "containers left behind: " + left.Output);
    }

    [Test]
    public async Task Container_ImageThatNeverBecomesHealthy_IsBrokenInput_WithItsLogs()
    {
        if (_engineProblem is not null) Assert.Ignore("No container engine, so a containerised candidate cannot be started here: " + _engineProblem);
        var dir = Qualify.TempDir("drive-container-bad");
        var ports = DriverRuns.Ports.Free();
        var results = Path.Combine(dir, "run");
        // The profile says MSS, but the container is told to be a role the participant refuses: it exits at once.
        var profile = DriverRuns.Profile(dir, ports, "drive: api\n", driverApi: true);
        File.WriteAllText(profile, File.ReadAllText(profile).Replace("role: MSS", "role: MSA"));
        var run = await Qualify.RunAsync([.. DriverRuns.RunArgs(profile, results), "--candidate-image", _image!], TimeSpan.FromMinutes(3));

        Assert.That(run.ExitCode, Is.EqualTo(2), run.All);
        Assert.That(run.All, Does.Contain("--candidate-image").And.Contain("the candidate did not start"));
        Assert.That(File.ReadAllText(Path.Combine(results, "candidate-container.log")), Does.Contain("MSA"));
        var left = await Docker(["ps", "-a", "-q", "--filter", $"label=org.qualify.candidate={DriverRuns.DipId}"]);
        Assert.That(left.Output.Trim(), Is.Empty);
    }

    /// <summary>Null when an engine answers, else why not.</summary>
    private static async Task<string?> EngineProblemAsync()
    {
        Qualify.Result version;
        try { version = await Docker(["version", "--format", "{{.Server.APIVersion}}"]); }
        catch (System.ComponentModel.Win32Exception e) { return "the docker command is not installed (" + e.Message + "); .ci/run installs docker.io and starts dockerd"; }
        if (version.ExitCode != 0) return $"`docker version` failed: {version.Error.Trim()} (.ci/run starts dockerd; set DOCKER_HOST to its socket)";
        // Debian's docker.io speaks API 1.41, older than Testcontainers' default client; no registry serves Ryuk.
        if (Environment.GetEnvironmentVariable("DOCKER_API_VERSION") is null) Environment.SetEnvironmentVariable("DOCKER_API_VERSION", version.Output.Trim());
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED") is null) Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        return null;
    }

    internal static async Task<Qualify.Result> Docker(IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? Path.GetTempPath() };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return new Qualify.Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Builds the reference participant's image from local files only.</summary>
    private static partial class ImageBuilder
    {
        public static async Task<string> BuildAsync()
        {
            var app = AppContext.BaseDirectory;
            var qualify = new FileInfo(Path.Combine(app, "qualify.dll"));
            var runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');      // …/shared/Microsoft.NETCore.App/<version>
            var dotnetRoot = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
            var tag = $"qualify-test/reference-participant:{qualify.LastWriteTimeUtc.Ticks:x}-{qualify.Length:x}";
            if ((await Docker(["image", "inspect", tag])).ExitCode == 0) return tag;

            var context = Qualify.TempDir("candidate-image");
            var root = Path.Combine(context, "root");
            // The .NET host and the two shared frameworks qualify needs, from this machine.
            Copy(Path.Combine(dotnetRoot, "dotnet"), root);
            CopyTree(Path.Combine(dotnetRoot, "host"), root);
            CopyTree(runtime, root);
            var aspnet = Directory.GetDirectories(Path.Combine(dotnetRoot, "shared", "Microsoft.AspNetCore.App"))
                .OrderByDescending(d => d, StringComparer.Ordinal).First(d => Path.GetFileName(d).Split('.')[0] == Path.GetFileName(runtime).Split('.')[0]);
            CopyTree(aspnet, root);
            // The built qualify (framework-dependent): the assemblies and their json next to the tests.
            foreach (var f in Directory.GetFiles(app).Where(f => f.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)))
                File.Copy(f, Path.Combine(Directory.CreateDirectory(Path.Combine(root, "app")).FullName, Path.GetFileName(f)), true);
            // Shared libraries the host and the runtime's native parts link against (glibc, libstdc++…).
            var natives = new[] { Path.Combine(dotnetRoot, "dotnet") }.Concat(Directory.GetFiles(runtime, "*.so")).Concat(Directory.GetFiles(aspnet, "*.so"))
                .Concat(Directory.GetFiles(Path.Combine(dotnetRoot, "host"), "*.so", SearchOption.AllDirectories));
            foreach (var native in natives)
            {
                var ldd = await Run("ldd", native);
                foreach (Match m in LibraryPath().Matches(ldd))
                    if (!m.Value.StartsWith(dotnetRoot, StringComparison.Ordinal) && File.Exists(m.Value)) Copy(m.Value, root);
            }
            Directory.CreateDirectory(Path.Combine(root, "tmp"));
            var dotnetInImage = Path.Combine(dotnetRoot, "dotnet");
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $$"""
                FROM scratch
                COPY root/ /
                ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_EnableDiagnostics=0 DOTNET_ROOT={{dotnetRoot}}
                ENTRYPOINT ["{{dotnetInImage}}", "/app/qualify.dll", "participant"]
                """);
            var build = await Docker(["build", "-q", "-t", tag, "."], context, new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "0" });
            if (build.ExitCode != 0) throw new InvalidOperationException($"docker build of {tag} failed:\n{build.All}");
            // Images of earlier builds are not needed again: keep the engine's data root from growing run after run.
            var earlier = await Docker(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "qualify-test/reference-participant"]);
            foreach (var old in earlier.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(t => t != tag))
                await Docker(["rmi", old]);
            try { Directory.Delete(context, true); } catch (IOException) { }
            return tag;
        }

        [GeneratedRegex(@"/[^\s()]+\.so[.\d]*")]
        private static partial Regex LibraryPath();

        private static void Copy(string file, string root)
        {
            var target = root + Path.GetFullPath(file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // Resolve symlinks: the image holds the real bytes under the linked name.
            File.Copy(new FileInfo(file).ResolveLinkTarget(true)?.FullName ?? file, target, true);
        }

        private static void CopyTree(string dir, string root)
        {
            foreach (var f in Directory.GetFiles(dir, "*", SearchOption.AllDirectories)) Copy(f, root);
        }

        private static async Task<string> Run(string command, string arg)
        {
            var info = new ProcessStartInfo(command, [arg]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(info)!;
            var output = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            return output;
        }
    }
}
