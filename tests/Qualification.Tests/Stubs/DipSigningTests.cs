using System.Security.Cryptography.X509Certificates;
using System.Text;
using Qualification.Stubs.Dip;
using Qualification.Stubs.Security;

namespace Qualification.Tests.Stubs;

/// <summary>Message signing on calls into the emulated DIP (X-DIP-* headers), under each policy.</summary>
public class DipSigningTests
{
    private static readonly X509Certificate2 SupplierCertificate = HarnessCertificates.CreateSelfSigned("test supplier");
    private static readonly X509Certificate2 OtherCertificate = HarnessCertificates.CreateSelfSigned("someone else");

    private static DipTestHost Host(SigningPolicy policy)
    {
        var host = new DipTestHost(new DipEmulatorOptions { Signing = policy, SignatureMaxSkew = TimeSpan.FromMinutes(5) });
        host.Directory.PinSigningCertificate(DipTestHost.Supplier.DipId, SupplierCertificate);
        return host;
    }

    private static string Body(string unique) => DipTestHost.Array(DipTestHost.ValidIf031(unique));

    [Test]
    public async Task Signed_request_verifies_and_is_accepted()
    {
        await using var host = Host(SigningPolicy.Required);
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", Body("SIG1"), signWith: SupplierCertificate);
        Assert.That(status, Is.EqualTo(201), body?.ToJsonString());
    }

    [Test]
    public async Task Unsigned_request_is_refused_when_signing_is_required_and_passes_when_optional()
    {
        await using var required = Host(SigningPolicy.Required);
        var (status, body, _) = await required.PostAsync("/dip-channel/IF-031", Body("UNS1"));
        Assert.That(status, Is.EqualTo(401));
        Assert.That(DipTestHost.Help(body)[0], Does.Contain("signature headers missing").And.Contain("X-DIP-Signature"));

        await using var optional = Host(SigningPolicy.Optional);
        var (optionalStatus, _, _) = await optional.PostAsync("/dip-channel/IF-031", Body("UNS2"));
        Assert.That(optionalStatus, Is.EqualTo(201));
        // Optional still means: a signature that is sent must be right.
        var (badStatus, badBody, _) = await optional.PostAsync("/dip-channel/IF-031", Body("UNS3"), signWith: SupplierCertificate, tamper: t => t.Replace("UNS3", "UNS4"));
        Assert.That(badStatus, Is.EqualTo(401));
        Assert.That(DipTestHost.Help(badBody)[0], Does.Contain("content hash"));
    }

    [Test]
    public async Task Tampered_body_is_refused_naming_the_content_hash()
    {
        await using var host = Host(SigningPolicy.Required);
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", Body("TAMP"), signWith: SupplierCertificate,
            tamper: t => t.Replace("\"COS\"", "\"CSP\""));
        Assert.That(status, Is.EqualTo(401));
        Assert.That(DipTestHost.Messages(body)[0], Is.EqualTo(DipEmulator.Unauthorised));
        Assert.That(DipTestHost.Help(body)[0], Does.Contain("content hash"));
    }

    [Test]
    public async Task Certificate_not_registered_for_the_sender_is_refused()
    {
        await using var host = Host(SigningPolicy.Required);
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", Body("CERT"), signWith: OtherCertificate);
        Assert.That(status, Is.EqualTo(401));
        Assert.That(DipTestHost.Help(body)[0], Does.Contain("certificate").And.Contain(OtherCertificate.Thumbprint).And.Contain("not a certificate registered"));
    }

    [Test]
    public async Task Signature_by_another_key_than_the_certificate_carried_is_refused()
    {
        await using var host = Host(SigningPolicy.Required);
        var url = new Uri(host.Http.BaseAddress!, "/dip-channel/IF-031").ToString();
        var bytes = Encoding.UTF8.GetBytes(Body("KEY1"));
        var forged = DipSignature.Sign("POST", url, bytes, OtherCertificate, DateTimeOffset.UtcNow) with { Certificate = DipSignature.EncodeCertificate(SupplierCertificate) };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        foreach (var (n, v) in forged.AsPairs()) request.Headers.TryAddWithoutValidation(n, v);
        using var response = await host.Http.SendAsync(request);
        var help = DipTestHost.Help(System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync()));
        Assert.That((int)response.StatusCode, Is.EqualTo(401));
        Assert.That(help[0], Does.Contain("signature: does not verify"));
    }

    [Test]
    public async Task Stale_signature_date_is_refused()
    {
        await using var host = Host(SigningPolicy.Required);
        var (status, body, _) = await host.PostAsync("/dip-channel/IF-031", Body("OLD1"), signWith: SupplierCertificate, signedAt: DateTimeOffset.UtcNow.AddMinutes(-10));
        var (fresh, _, _) = await host.PostAsync("/dip-channel/IF-031", Body("OLD2"), signWith: SupplierCertificate, signedAt: DateTimeOffset.UtcNow.AddMinutes(-2));
        Assert.That(status, Is.EqualTo(401));
        Assert.That(DipTestHost.Help(body)[0], Does.Contain("signature date").And.Contain("stale"));
        Assert.That(fresh, Is.EqualTo(201), "two minutes is inside the five-minute skew");
    }

    [Test]
    public async Task Signing_off_ignores_signature_headers()
    {
        await using var host = Host(SigningPolicy.Off);
        var (status, _, _) = await host.PostAsync("/dip-channel/IF-031", Body("OFF1"), signWith: OtherCertificate, tamper: t => t.Replace("OFF1", "OFF2"));
        Assert.That(status, Is.EqualTo(201));
        Assert.That(host.Dip.SigningCertificate, Is.Null);
    }

    [Test]
    public void Certificates_issued_by_the_test_authority_chain_to_it_and_others_do_not()
    {
        using var authority = HarnessCertificates.CreateAuthority("qualify test CA");
        using var issued = HarnessCertificates.Issue(authority, "participant 2300000012");
        Assert.That(issued.HasPrivateKey, Is.True);
        Assert.That(HarnessCertificates.IsIssuedBy(issued, authority), Is.True);
        Assert.That(HarnessCertificates.IsIssuedBy(OtherCertificate, authority), Is.False);
    }

    [Test]
    public async Task Trusted_authority_policy_accepts_its_certificates_and_refuses_self_signed_ones()
    {
        using var authority = HarnessCertificates.CreateAuthority("qualify test CA");
        using var issued = HarnessCertificates.Issue(authority, "participant 2300000012");
        await using var host = new DipTestHost(new DipEmulatorOptions { Signing = SigningPolicy.Required, TrustedSigningAuthorities = [authority] });
        var (ok, _, _) = await host.PostAsync("/dip-channel/IF-031", Body("CA01"), signWith: issued);
        var (refused, body, _) = await host.PostAsync("/dip-channel/IF-031", Body("CA02"), signWith: OtherCertificate);
        Assert.That(ok, Is.EqualTo(201));
        Assert.That(refused, Is.EqualTo(401));
        Assert.That(DipTestHost.Help(body)[0], Does.Contain("not issued by a certificate authority this DIP trusts"));
    }
}
