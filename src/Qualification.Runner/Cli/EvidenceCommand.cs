using System.CommandLine;
using Qualification.Runner.Composition;
using Qualification.Runner.Reporting;

namespace Qualification.Runner.Cli;

/// <summary>
/// <c>qualify evidence</c> packs and signs a run's evidence; <c>qualify verify</c> checks a bundle.
/// See <see cref="EvidenceBundle"/> for what a verification proves.
/// </summary>
public static class EvidenceCommand
{
    /// <summary><c>qualify evidence --run DIR [--out FILE] [--key FILE]</c>.</summary>
    public static Command CreateEvidence()
    {
        var run = new Option<string>("--run") { Description = "Run folder (reports/<run-id>).", Required = true };
        var output = new Option<string?>("--out") { Description = "Bundle file (default <run>/evidence-<run-id>.zip)." };
        var key = new Option<string?>("--key") { Description = "Signing key (PEM, created on first use; default $QUALIFY_KEY or ~/.config/qualify/evidence-signing-key.pem)." };
        var command = new Command("evidence", "Pack a run's summary, RTTM, journal, JUnit, Cucumber and Allure outputs into a signed zip. Refuses interrupted runs and unexecuted mandatory requirements (exit 1).")
        {
            run, output, key,
        };
        command.SetAction(parse => Evidence(parse.GetValue(run)!, parse.GetValue(output), parse.GetValue(key), Console.Out, Console.Error));
        return command;
    }

    /// <summary><c>qualify verify BUNDLE [--fingerprint FP]</c>.</summary>
    public static Command CreateVerify()
    {
        var bundle = new Argument<string>("bundle") { Description = "The evidence zip." };
        var fingerprint = new Option<string?>("--fingerprint") { Description = "The signer fingerprint you expect (published by the harness operator); without it, only integrity is proven." };
        var command = new Command("verify", "Verify an evidence bundle: signature, every file's SHA-256, nothing added. Exit 0 valid, 1 invalid.")
        {
            bundle, fingerprint,
        };
        command.SetAction(parse => Verify(parse.GetValue(bundle)!, parse.GetValue(fingerprint), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Builds the bundle; 0 built, 1 refused, 2 broken input.</summary>
    public static int Evidence(string runDir, string? bundle, string? keyPath, TextWriter output, TextWriter error)
    {
        try
        {
            var dir = Path.GetFullPath(runDir);
            var path = Path.GetFullPath(bundle ?? Path.Combine(dir, $"evidence-{Path.GetFileName(dir.TrimEnd(Path.DirectorySeparatorChar))}.zip"));
            var keyFile = keyPath ?? SigningKey.DefaultPath;
            var (key, created) = SigningKey.LoadOrCreate(keyFile);
            using (key)
            {
                if (created) output.WriteLine($"created signing key {keyFile} (keep it private; publish its fingerprint)");
                var fingerprint = EvidenceBundle.Build(dir, path, key);
                output.WriteLine($"evidence bundle: {path}");
                output.WriteLine($"signed by:       ECDSA P-256 key {keyFile}");
                output.WriteLine($"fingerprint:     {fingerprint}");
                output.WriteLine($"verify with:     qualify verify {path} --fingerprint {fingerprint}");
                if (!Directory.Exists(Path.Combine(dir, "allure-report")))
                    output.WriteLine("note: no allure-report/ in the run folder; run `qualify report` first to include the HTML report.");
                var planned = Reporting.EvidenceBundle.NotJudged(dir);
                if (planned.Count > 0)
                    output.WriteLine($"note: {planned.Count} catalogued requirement(s) are not judged by this harness version (planned): {string.Join(", ", planned)}");
            }
            return ExitCodes.Passed;
        }
        catch (EvidenceRefusedException e)
        {
            error.WriteLine("qualify evidence: " + e.Message);
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException or InputException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            error.WriteLine("qualify evidence: " + e.Message);
            return ExitCodes.Broken;
        }
    }

    /// <summary>Verifies; 0 valid, 1 invalid.</summary>
    public static int Verify(string bundle, string? fingerprint, TextWriter output, TextWriter error)
    {
        if (!File.Exists(bundle))
        {
            error.WriteLine($"qualify verify: {bundle} does not exist.");
            return ExitCodes.Broken;
        }
        var result = EvidenceBundle.Verify(bundle, fingerprint);
        output.WriteLine($"bundle:      {Path.GetFullPath(bundle)}");
        output.WriteLine($"run:         {result.RunId ?? "?"} ({result.Files} files)");
        output.WriteLine($"signer:      {(result.Fingerprint.Length == 0 ? "?" : result.Fingerprint)}");
        if (result.Valid)
        {
            output.WriteLine(fingerprint is null
                ? "VALID: intact and signed by the key above. Compare its fingerprint with the one the harness operator published (or pass --fingerprint)."
                : "VALID: intact and signed by the expected key.");
            return ExitCodes.Passed;
        }
        foreach (var p in result.Problems) output.WriteLine("  - " + p);
        output.WriteLine("INVALID");
        return ExitCodes.Failed;
    }
}
