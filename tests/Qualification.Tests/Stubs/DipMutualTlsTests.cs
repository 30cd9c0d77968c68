using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using Qualification.Domain.Evidence;
using Qualification.Domain.Market;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Security;

namespace Qualification.Tests.Stubs;

/// <summary>The emulated DIP on HTTPS demanding a client certificate from a test CA.</summary>
public class DipMutualTlsTests
{
    private static HttpClient Client(DipEmulator dip, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        // The client trusts exactly the emulator's exported server certificate.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == dip.TlsCertificate!.Thumbprint;
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = [clientCertificate];
        return new HttpClient(handler) { BaseAddress = new Uri(dip.Url), Timeout = TimeSpan.FromSeconds(30) };
    }

    private static async Task<(int Status, string Body)> Post(HttpClient client)
    {
        using var content = new StringContent(DipTestHost.Array(DipTestHost.ValidIf031()), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/dip-channel/IF-031", content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Client_certificate_from_the_test_ca_is_accepted_and_others_are_refused()
    {
        var folder = Directory.CreateTempSubdirectory("qualify-mtls-").FullName;
        var (authority, participant) = HarnessCertificates.WriteParticipantKit(folder, DipTestHost.Supplier.DipId);
        Assert.That(File.ReadAllText(Path.Combine(folder, "2300000012-key.pem")), Does.Contain("PRIVATE KEY"));
        using var journal = new Journal(Path.Combine(folder, "journal.jsonl"));
        var directory = new ParticipantDirectory();
        directory.Add(DipTestHost.Supplier);
        await using var dip = new DipEmulator(new DipEmulatorOptions
        {
            Url = "https://127.0.0.1:0", RequireClientCertificate = true, TrustedClientAuthorities = [authority], CertificateDirectory = folder,
        }, DipSchemaCatalog.Embedded, directory, journal, new MarketClock(MarketTime.ParseLocal("2026-01-05 09:00")), () => null);
        Assert.That(dip.Url, Does.StartWith("https://"));
        Assert.That(dip.TlsCertificatePath, Does.Exist);

        using (var trusted = Client(dip, participant))
        {
            var (status, body) = await Post(trusted);
            Assert.That(status, Is.EqualTo(201), body);
        }
        using (var stranger = Client(dip, HarnessCertificates.CreateSelfSigned("not from the test CA")))
        {
            var (status, body) = await Post(stranger);
            Assert.That(status, Is.EqualTo(401));
            Assert.That(JsonNode.Parse(body)!["messageArray"]![0]!["help"]!.GetValue<string>(), Does.Contain("client certificate (mTLS)").And.Contain("not issued by"));
        }
        using (var anonymous = Client(dip, null))
        {
            // Without a certificate the TLS handshake itself is refused.
            Assert.That(async () => await Post(anonymous), Throws.InstanceOf<HttpRequestException>());
        }
    }
}
