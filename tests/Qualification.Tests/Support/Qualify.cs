using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Qualification.Tests.Support;

/// <summary>Runs the real `qualify` command as a separate process, exactly as a user would.</summary>
public static class Qualify
{
    /// <summary>The repository root (where Qualification.sln is).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The built qualify.dll next to the tests.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "qualify.dll");

    private static string FindRoot()
    {
        var recorded = typeof(Qualify).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "Qualification.sln"))) return recorded;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Qualification.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Qualification.sln not found above the test folder.");
    }

    /// <summary>The result of a finished command.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        /// <summary>Both streams, for assertion messages.</summary>
        public string All => Output + Environment.NewLine + Error;
    }

    /// <summary>Runs `qualify args` to completion (bounded by <paramref name="timeout"/>).</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        using var process = Start(args, workingDirectory);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"qualify {string.Join(' ', args)} did not finish in time.\n{await stdout}\n{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts `qualify args` and leaves it running (the caller disposes it).</summary>
    public static Process Start(IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? RepoRoot };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start qualify");
    }

    /// <summary>A free TCP port on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A fresh temporary folder.</summary>
    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "qualify-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Reads summary.json of a run folder.</summary>
    public static JsonObject Summary(string resultsDir) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(resultsDir, "summary.json")))!;

    /// <summary>Requirement id → verdict from a summary.</summary>
    public static Dictionary<string, string> Verdicts(JsonObject summary) =>
        summary["requirements"]!.AsArray().ToDictionary(r => r!["id"]!.GetValue<string>(), r => r!["verdict"]!.GetValue<string>());

    /// <summary>Waits until a line containing <paramref name="marker"/> appears on a process's output.</summary>
    public static async Task WaitForLineAsync(Process process, string marker, TimeSpan timeout)
    {
        var seen = new StringBuilder();
        using var cts = new CancellationTokenSource(timeout);
        while (!cts.IsCancellationRequested)
        {
            var line = await process.StandardOutput.ReadLineAsync(cts.Token);
            if (line is null) break;
            seen.AppendLine(line);
            if (line.Contains(marker, StringComparison.Ordinal)) return;
        }
        throw new TimeoutException($"'{marker}' did not appear; output so far:\n{seen}\n{(process.HasExited ? await process.StandardError.ReadToEndAsync() : "")}");
    }
}
