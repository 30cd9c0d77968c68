using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qualification.Runner.Reporting;

/// <summary>Why an evidence bundle was refused.</summary>
public sealed class EvidenceRefusedException(IReadOnlyList<string> reasons)
    : Exception("evidence bundle refused:" + Environment.NewLine + string.Join(Environment.NewLine, reasons.Select(r => "  - " + r)))
{
    /// <summary>Each reason on its own line.</summary>
    public IReadOnlyList<string> Reasons { get; } = reasons;
}

/// <summary>The outcome of verifying a bundle.</summary>
/// <param name="Valid">True when the signature, every hash and the file list hold.</param>
/// <param name="Fingerprint">SHA-256 fingerprint of the signing public key (hex, colon-separated).</param>
/// <param name="Problems">What does not hold.</param>
/// <param name="Files">Files the manifest lists.</param>
/// <param name="RunId">The run the bundle is evidence for.</param>
public sealed record VerifyResult(bool Valid, string Fingerprint, IReadOnlyList<string> Problems, int Files, string? RunId);

/// <summary>
/// The signed evidence bundle: a zip of a run's summary, RTTM, journal, JUnit, Cucumber and Allure
/// outputs with <c>manifest.json</c> (SHA-256 and size of every file) and <c>signer.pem</c> (the
/// public key). The signature (ECDSA P-256, SHA-256, IEEE P1363 form, lower-case hex) is the zip's
/// comment and covers every byte before it: entries, headers, directory and end record.
/// <para>
/// What verification proves: the bundle is byte for byte what the holder of the private key
/// whose fingerprint <c>verify</c> prints signed; any changed, added or removed byte fails. The
/// public key travels inside the bundle, so the proof of *who* signed is only as good as the
/// assessor's check of that fingerprint against the one the harness operator published out of
/// band (<c>qualify evidence</c> prints it; <c>verify --fingerprint</c> enforces it). The manifest
/// lets files be checked once extracted.
/// </para>
/// </summary>
public static class EvidenceBundle
{
    /// <summary>The manifest entry.</summary>
    public const string ManifestName = "manifest.json";
    /// <summary>Length of the signature comment: 64-byte P1363 signature as hex.</summary>
    private const int SignatureLength = 128;
    /// <summary>The public key entry (SubjectPublicKeyInfo PEM).</summary>
    public const string KeyName = "signer.pem";

    // Run outputs packed when present; summary.json, rttm and journal are required.
    private static readonly string[] Required = ["summary.json", "rttm.csv", "rttm.html", "journal.jsonl"];
    private static readonly string[] Optional = ["junit.xml", CucumberFormatters.MessagesFile, CucumberFormatters.HtmlFile];
    private static readonly string[] Folders = ["allure-results", "allure-report", "allure-report-single"];

    /// <summary>
    /// Refusal reasons for a run folder: an interrupted run, or a mandatory requirement that binds
    /// the candidate but was not executed or not observed (SKIPPED / NOT_OBSERVED).
    /// </summary>
    public static IReadOnlyList<string> Refusals(JsonObject summary)
    {
        var reasons = new List<string>();
        if (summary["interrupted"]?.GetValue<bool>() == true) reasons.Add("the run was interrupted: not every scenario ran; run again to completion");
        foreach (var r in summary["requirements"]?.AsArray() ?? [])
        {
            if (r is null || r["mandatory"]?.GetValue<bool>() != true) continue;
            // Not binding the candidate's roles, or catalogued but not yet judged by any rule of this
            // harness version ("planned"): neither is the candidate's gap. Older summaries lack both flags.
            if (r["applicable"]?.GetValue<bool>() == false || r["planned"]?.GetValue<bool>() == true) continue;
            var verdict = r["judgedVerdict"]?.GetValue<string>() ?? r["verdict"]?.GetValue<string>();
            if (verdict is "SKIPPED" or "NOT_OBSERVED")
                reasons.Add($"mandatory requirement {r["id"]} was {(verdict == "SKIPPED" ? "not executed" : "not observed")} ({verdict}): {r["reason"]}");
        }
        return reasons;
    }

    /// <summary>Requirement ids a run's summary marks as planned (catalogued, not judged by any rule yet).</summary>
    public static IReadOnlyList<string> NotJudged(string runDir)
    {
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "summary.json")));
        return (summary?["requirements"]?.AsArray() ?? []).Where(r => r?["planned"]?.GetValue<bool>() == true).Select(r => r!["id"]!.GetValue<string>()).ToList();
    }

    /// <summary>
    /// Packs <paramref name="runDir"/> into <paramref name="bundlePath"/> and signs it with
    /// <paramref name="key"/>. Throws <see cref="EvidenceRefusedException"/> when the run may not be
    /// certified, and <see cref="FileNotFoundException"/> when a required output is missing.
    /// </summary>
    /// <returns>The signing key's fingerprint.</returns>
    public static string Build(string runDir, string bundlePath, ECDsa key)
    {
        var summaryPath = Path.Combine(runDir, "summary.json");
        if (!File.Exists(summaryPath)) throw new FileNotFoundException($"{runDir} has no summary.json: is it a run folder (reports/<run-id>)?", summaryPath);
        var summary = JsonNode.Parse(File.ReadAllText(summaryPath))!.AsObject();
        var refusals = Refusals(summary);
        if (refusals.Count > 0) throw new EvidenceRefusedException(refusals);

        var files = new List<string>();
        foreach (var name in Required)
        {
            if (!File.Exists(Path.Combine(runDir, name))) throw new FileNotFoundException($"{runDir} lacks {name}; the run did not finish writing its evidence.", name);
            files.Add(name);
        }
        files.AddRange(Optional.Where(n => File.Exists(Path.Combine(runDir, n))));
        foreach (var folder in Folders.Where(f => Directory.Exists(Path.Combine(runDir, f))))
            files.AddRange(Directory.EnumerateFiles(Path.Combine(runDir, folder), "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(runDir, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
        // Whatever else the run wrote (certificates, DTN files…) is evidence too, except bundles and private keys.
        files.AddRange(Directory.EnumerateFiles(runDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(runDir, f).Replace('\\', '/'))
            .Where(f => !files.Contains(f) && !f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) && !f.EndsWith(".partial", StringComparison.Ordinal)
                        && !(f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) && Path.GetFileName(f).Contains("key", StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal).ToList());

        var publicKey = key.ExportSubjectPublicKeyInfo();
        var manifest = new JsonObject
        {
            ["format"] = "qualify-evidence/1",
            ["runId"] = summary["runId"]?.GetValue<string>(),
            ["candidate"] = summary["candidate"]?.GetValue<string>(),
            ["gatePassed"] = summary["gate"]?["passed"]?.GetValue<bool>(),
            ["passRate"] = summary["passRate"]?.DeepClone(),
            ["createdAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["harness"] = $"qualify {typeof(EvidenceBundle).Assembly.GetName().Version}",
            ["notJudgedByThisHarness"] = new JsonArray((summary["requirements"]?.AsArray() ?? []).Where(r => r?["planned"]?.GetValue<bool>() == true)
                .Select(r => (JsonNode)r!["id"]!.GetValue<string>()).ToArray()),
            ["signer"] = new JsonObject { ["algorithm"] = "ECDSA P-256 SHA-256", ["fingerprint"] = Fingerprint(publicKey) },
            ["files"] = new JsonArray(files.Select(f =>
            {
                var bytes = File.ReadAllBytes(Path.Combine(runDir, f));
                return (JsonNode)new JsonObject { ["path"] = f, ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)), ["size"] = bytes.Length };
            }).ToArray()),
        };
        var manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(bundlePath))!);
        var temp = bundlePath + ".partial";
        using (var zip = ZipFile.Open(temp, ZipArchiveMode.Create))
        {
            Add(zip, ManifestName, manifestBytes);
            Add(zip, KeyName, Encoding.ASCII.GetBytes(PemEncoding.WriteString("PUBLIC KEY", publicKey) + "\n"));
            foreach (var f in files) Add(zip, f, File.ReadAllBytes(Path.Combine(runDir, f)));
        }
        // Sign the whole archive: set the end record's comment length, sign every byte so far, append the signature as the comment.
        var raw = File.ReadAllBytes(temp);
        if (raw.Length < 22 || BitConverter.ToUInt32(raw, raw.Length - 22) != 0x06054b50) throw new InvalidDataException("unexpected zip layout (no end record)");
        BitConverter.TryWriteBytes(raw.AsSpan(raw.Length - 2), (ushort)SignatureLength);
        var signature = key.SignData(raw, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(raw);
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(signature)));
        }
        File.Move(temp, bundlePath, overwrite: true);
        return Fingerprint(publicKey);
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        // Fixed timestamps: the same run packs to the same entries.
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = entry.Open();
        s.Write(bytes);
    }

    /// <summary>
    /// Verifies a bundle: the signature over every byte before it, the manifest's hash and size of
    /// every entry, no entry outside the manifest, and (when given) the expected signer fingerprint.
    /// </summary>
    public static VerifyResult Verify(string bundlePath, string? expectedFingerprint = null)
    {
        var problems = new List<string>();
        var fingerprint = "";
        string? runId = null;
        var count = 0;
        try
        {
            var raw = File.ReadAllBytes(bundlePath);
            var eocd = raw.Length - SignatureLength - 22;
            if (eocd < 0 || BitConverter.ToUInt32(raw, eocd) != 0x06054b50 || BitConverter.ToUInt16(raw, eocd + 20) != SignatureLength)
                throw new InvalidDataException("no signature where the zip's end record should carry it (the file was truncated, extended or is not a qualify bundle)");
            var signed = raw.AsMemory(0, raw.Length - SignatureLength);
            var hex = Encoding.ASCII.GetString(raw, raw.Length - SignatureLength, SignatureLength);
            var signature = Convert.FromHexString(hex);
            // Exact form only: hex parsing ignores case, so a flipped case bit must not slip through.
            if (Convert.ToHexStringLower(signature) != hex) throw new FormatException("the signature is not in its exact lower-case hex form");

            using var zip = new ZipArchive(new MemoryStream(raw), ZipArchiveMode.Read);
            var entries = zip.Entries.ToList();
            var byName = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var e in entries)
                if (!byName.TryAdd(e.FullName, e)) problems.Add($"entry {e.FullName} appears twice");
            byte[] Read(string name)
            {
                if (!byName.TryGetValue(name, out var e)) throw new InvalidDataException($"the bundle has no {name}");
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m); // a corrupted deflate stream or CRC mismatch throws here
                return m.ToArray();
            }
            using var key = ECDsa.Create();
            key.ImportFromPem(Encoding.ASCII.GetString(Read(KeyName)));
            fingerprint = Fingerprint(key.ExportSubjectPublicKeyInfo());
            if (!key.VerifyData(signed.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                problems.Add("the signature does not match the bundle's bytes (something in it was changed after signing, or another key signed it)");
            var manifest = JsonNode.Parse(Read(ManifestName))!.AsObject();
            runId = manifest["runId"]?.GetValue<string>();
            if (manifest["signer"]?["fingerprint"]?.GetValue<string>() is { } claimed && claimed != fingerprint)
                problems.Add($"the manifest names signer {claimed} but the bundle's key is {fingerprint}");
            var listed = new HashSet<string>(StringComparer.Ordinal) { ManifestName, KeyName };
            foreach (var f in manifest["files"]?.AsArray() ?? [])
            {
                count++;
                var path = f!["path"]!.GetValue<string>();
                listed.Add(path);
                if (!byName.ContainsKey(path)) { problems.Add($"{path} is listed but missing"); continue; }
                byte[] bytes;
                try { bytes = Read(path); }
                catch (InvalidDataException e) { problems.Add($"{path} cannot be read: {e.Message}"); continue; }
                if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != f["sha256"]!.GetValue<string>()) problems.Add($"{path} was changed (SHA-256 differs)");
                else if (bytes.Length != f["size"]!.GetValue<long>()) problems.Add($"{path} was changed (size differs)");
            }
            foreach (var extra in entries.Where(e => !listed.Contains(e.FullName))) problems.Add($"{extra.FullName} is not in the manifest");
            if (expectedFingerprint is not null && !SameFingerprint(expectedFingerprint, fingerprint))
                problems.Add($"signed by {fingerprint}, not by the expected {expectedFingerprint}");
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or CryptographicException or FormatException or ArgumentException or IOException
                                     or NullReferenceException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException)
        {
            problems.Add($"the bundle is damaged: {e.Message}");
        }
        return new VerifyResult(problems.Count == 0, fingerprint, problems, count, runId);
    }

    /// <summary>SHA-256 of a SubjectPublicKeyInfo, hex pairs separated by colons.</summary>
    public static string Fingerprint(byte[] subjectPublicKeyInfo) =>
        string.Join(':', SHA256.HashData(subjectPublicKeyInfo).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    private static bool SameFingerprint(string a, string b) =>
        string.Equals(a.Replace(":", "").Trim(), b.Replace(":", ""), StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The harness installation's signing key: an ECDSA P-256 key pair created on first use and kept
/// in a file readable only by its owner. Its public fingerprint identifies the installation.
/// </summary>
public static class SigningKey
{
    /// <summary>Default key location: $QUALIFY_KEY, else ~/.config/qualify/evidence-signing-key.pem.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("QUALIFY_KEY") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "qualify", "evidence-signing-key.pem");

    /// <summary>Loads the key at <paramref name="path"/>, creating it (owner-only) when absent.</summary>
    public static (ECDsa Key, bool Created) LoadOrCreate(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return (key, false);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var pem = PemEncoding.WriteString("PRIVATE KEY", key.ExportPkcs8PrivateKey()) + "\n";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options)) stream.Write(Encoding.ASCII.GetBytes(pem));
        return (key, true);
    }
}
