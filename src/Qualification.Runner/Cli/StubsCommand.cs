using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NodaTime;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Runner.Composition;
using Qualification.Stubs;
using Qualification.Stubs.Css;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Security;
using Qualification.Stubs.Smrs;

namespace Qualification.Runner.Cli;

/// <summary>
/// <c>qualify stubs</c>: the emulated DIP, SMRS, CSS and DTN gateway on their own, kept up until Ctrl-C, so a
/// participant can point its production DIP client at them (changing only the base URL and
/// certificates) and rehearse outside a qualification run. Everything is journalled as in a run.
/// </summary>
public static class StubsCommand
{
    /// <summary>The command and its options.</summary>
    public static Command Create()
    {
        var candidate = new Option<string?>("--candidate") { Description = "Candidate profile (YAML): its DIP id, webhook, API key, signing policy and the URLs to listen on." };
        var results = new Option<string?>("--results") { Description = "Folder for the journal and the harness certificate (default reports/stubs-<time>)." };
        var mtls = new Option<bool>("--mtls") { Description = "Serve the DIP on HTTPS and demand a client certificate from a test CA the harness generates (certificate and key written to the results folder)." };
        var command = new Command("stubs", "Start the emulated DIP, SMRS, CSS and DTN gateway and keep them up until Ctrl-C, printing their URLs and certificate paths.")
        {
            candidate, results, mtls,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try { return await ExecuteAsync(parse.GetValue(candidate), parse.GetValue(results), Console.Out, cancellation, parse.GetValue(mtls)); }
            catch (InputException e)
            {
                Console.Error.WriteLine("qualify: " + e.Message);
                return ExitCodes.Broken;
            }
        });
        return command;
    }

    /// <summary>Starts the emulators and waits for <paramref name="cancellation"/> (Ctrl-C).</summary>
    public static async Task<int> ExecuteAsync(string? candidateFile, string? resultsDir, TextWriter output, CancellationToken cancellation, bool mutualTls = false)
    {
        var profile = candidateFile is null ? null : CandidateProfile.Load(candidateFile);
        var folder = resultsDir ?? Path.Combine("reports", "stubs-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        // Stubs may run for days: the journal goes to disk only, never accumulated in memory.
        using var journal = new Journal(Path.Combine(folder, "journal.jsonl"), keepInMemory: false);
        // Real time: there is no scenario to compress, and the candidate's own clock is the reference.
        var clock = new MarketClock(SystemClock.Instance.GetCurrentInstant(), 1);
        var directory = new ParticipantDirectory();
        // Without a profile nobody is being judged, so signatures are checked when sent and pushes are signed.
        var signing = profile?.Signing ?? SigningPolicy.Optional;
        var dipUrl = profile?.DipUrl ?? "http://127.0.0.1:7401";
        X509Certificate2? clientAuthority = null;
        string? clientCertificatePath = null;
        if (mutualTls)
        {
            // The DIP requires mTLS for all traffic; rehearse it with a test CA made for this session.
            dipUrl = new UriBuilder(dipUrl) { Scheme = "https" }.Uri.ToString().TrimEnd('/');
            var dipId = profile?.DipId ?? "participant";
            clientAuthority = HarnessCertificates.WriteParticipantKit(folder, dipId).Authority;
            clientCertificatePath = Path.GetFullPath(Path.Combine(folder, dipId + "-cert.pem"));
        }
        // The run's token for GET /harness/journal: printed below and written beside the
        // journal, readable only by the user who started the stubs.
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var tokenPath = Path.Combine(folder, "harness-token");
        await File.WriteAllTextAsync(tokenPath, token + "\n", cancellation);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tokenPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        DipEmulator dip;
        try
        {
            dip = new DipEmulator(new DipEmulatorOptions
            {
                HarnessToken = token,
                Url = dipUrl, RequireApiKey = profile?.ApiKey is not null, Signing = signing, CertificateDirectory = folder,
                RequireClientCertificate = mutualTls, TrustedClientAuthorities = clientAuthority is null ? [] : [clientAuthority],
            }, DipSchemaCatalog.Embedded, directory, journal, clock, () => null);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new InputException($"The DIP emulator could not listen on {dipUrl}: {e.Message}. Is a run or another stubs command using the port? Change harness.dipUrl in the profile.");
        }
        await using var dipLifetime = dip;
        var smrs = new SmrsEmulator(dip);
        CssEmulator css;
        try { css = new CssEmulator(smrs, journal, clock, () => null, profile?.CssUrl ?? "http://127.0.0.1:7402"); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new InputException($"The CSS emulator could not listen on {profile?.CssUrl ?? "http://127.0.0.1:7402"}: {e.Message}. Change harness.cssUrl in the profile.");
        }
        using var cssLifetime = css;
        // Advanced and Traditional MTDs and register reads still travel as DTN flows beside the DIP.
        var dtnUrl = profile?.DtnUrl ?? "http://127.0.0.1:7403";
        Qualification.Stubs.Dtn.DtnGateway dtn;
        try
        {
            dtn = new Qualification.Stubs.Dtn.DtnGateway(new Qualification.Stubs.Dtn.DtnGatewayOptions
            {
                Url = dtnUrl,
                InboxFolder = Path.Combine(folder, "dtn", "inbox"),
                OutboxFolder = Path.Combine(folder, "dtn", "outbox"),
                MeteringPoints = new Qualification.Stubs.Dtn.SmrsMeteringPoints(smrs),
                MarketTime = () => MarketTime.ToDip(clock.GetCurrentInstant()),
            }, journal, () => null);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new InputException($"The DTN gateway could not listen on {dtnUrl}: {e.Message}. Change harness.dtnUrl in the profile.");
        }
        using var dtnLifetime = dtn;
        smrs.Dtn = dtn;

        if (profile is not null)
        {
            directory.Add(new Participant(profile.DipId, profile.Role, profile.Mpid, profile.Name, profile.CallbackUrl, profile.ApiKey, profile.Segments.ToHashSet()));
            if (profile.SigningCertificate is { } pem)
            {
                try { directory.PinSigningCertificate(profile.DipId, X509Certificate2.CreateFromPemFile(pem)); }
                catch (CryptographicException e) { throw new InputException($"harness.signingCertificate {pem} is not a PEM certificate: {e.Message}"); }
            }
        }
        var segments = new HashSet<string> { "S", "A" };
        directory.Add(new Participant(HarnessParties.DistributorDipId, "LDSO", HarnessParties.DistributorMpid, "Harness distributor", null, null, segments));
        directory.Add(new Participant(HarnessParties.LosingSupplierDipId, "SUP", HarnessParties.LosingSupplierMpid, "Harness losing supplier", null, null, segments));
        directory.Add(new Participant(HarnessParties.IncumbentMeteringServiceDipId, "MSS", HarnessParties.IncumbentMeteringServiceMpid, "Harness incumbent metering service", null, null, segments));
        directory.Add(new Participant(HarnessParties.GainingMeteringServiceDipId, "MSA", HarnessParties.GainingMeteringServiceMpid, "Harness gaining metering service", null, null, segments));

        // Scheduled central events (SLA timers, effective dates) fire as real time passes.
        await using var ticker = new Timer(_ => { try { clock.FireDue(); } catch (Exception e) { journal.Append(new JournalRecord { Kind = JournalKind.Marker, Note = "harness fault in a scheduled event: " + e.Message }); } }, null, 200, 200);

        output.WriteLine($"DIP   {dip.Url}   (POST {dip.Url}/dip-channel/IF-031; API description {dip.Schemas.Version}; signing {signing.ToString().ToLowerInvariant()})");
        output.WriteLine($"CSS   {css.Url}   (GET {css.Url}/css/registrations/{{CSSRegistrationID}})");
        output.WriteLine($"DTN   {dtn.Url}   (POST {dtn.Url}/dtn/flows a flow file; GET {dtn.Url}/dtn/flows?to={{MPID}}; inbox folder {Path.GetFullPath(Path.Combine(folder, "dtn", "inbox"))})");
        output.WriteLine($"SMRS  behind the DIP as the Registration Service, DIP id {HarnessParties.RegistrationServiceDipId}");
        output.WriteLine(dip.SigningCertificatePath is { } cert
            ? $"Harness signing certificate (trust it to verify pushes): {Path.GetFullPath(cert)}"
            : "Harness signing certificate: none (signing is off)");
        if (dip.TlsCertificatePath is { } tls)
            output.WriteLine($"mTLS: server certificate {Path.GetFullPath(tls)}; client certificate {clientCertificatePath} with key {clientCertificatePath![..^"-cert.pem".Length]}-key.pem, issued by {Path.GetFullPath(Path.Combine(folder, "test-ca.pem"))}");
        output.WriteLine(profile is null
            ? "Participant: none registered; register a webhook with POST /dip-channel/{IF-id}/pubconfig/{your DIP id}"
            : $"Participant: {profile.Name} ({profile.Role} {profile.DipId}), pushes to {profile.CallbackUrl}{(profile.ApiKey is null ? "" : "; X-API-Key required")}");
        output.WriteLine($"Journal: {Path.GetFullPath(journal.Path)}");
        output.WriteLine($"Journal over HTTP: GET {dip.Url}/harness/journal?after=0 with 'Authorization: Bearer {token}' (token also in {Path.GetFullPath(tokenPath)})");
        output.WriteLine("Ctrl-C stops.");
        output.Flush();
        try { await Task.Delay(Timeout.Infinite, cancellation); }
        catch (TaskCanceledException) { }
        return ExitCodes.Passed;
    }
}
