using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Qualification.Stubs.Security;

/// <summary>
/// Test certificates the harness makes for itself at start: a self-signed signing certificate for
/// the emulated DIP's pushes, and (for participants and mTLS rehearsals) a test CA that issues
/// participant certificates. Nothing here is fit for production; keys live only for the run.
/// </summary>
public static class HarnessCertificates
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    /// <summary>A self-signed RSA-2048 certificate with its private key, usable for signing.</summary>
    public static X509Certificate2 CreateSelfSigned(string commonName)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}, O=qualify test harness", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        // A minute of back-dating absorbs small clock differences between processes.
        return request.CreateSelfSigned(now.AddMinutes(-1), now.Add(Lifetime));
    }

    /// <summary>A test certificate authority (RSA-2048, CA basic constraint) with its private key.</summary>
    public static X509Certificate2 CreateAuthority(string commonName)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}, O=qualify test harness", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-1), now.Add(Lifetime));
    }

    /// <summary>A participant certificate issued by <paramref name="authority"/>, for signing and TLS client authentication.</summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, string commonName)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}, O=qualify test participant", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false)); // TLS client authentication
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(authority, now.AddMinutes(-1), now.Add(Lifetime - TimeSpan.FromDays(1)), serial);
        return issued.CopyWithPrivateKey(rsa);
    }

    /// <summary>A TLS server certificate for 127.0.0.1/localhost (self-signed, with its key), for an HTTPS emulator.</summary>
    public static X509Certificate2 CreateTlsServer(string commonName)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}, O=qualify test harness", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // TLS server authentication
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-1), now.Add(Lifetime));
        // Kestrel needs a key it can use from the TLS stack; a PKCS#12 round trip gives it one on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A test CA and a participant certificate it issued (for mTLS rehearsals and signing), written
    /// to <paramref name="folder"/> as test-ca.pem, &lt;dipId&gt;-cert.pem and &lt;dipId&gt;-key.pem.
    /// </summary>
    public static (X509Certificate2 Authority, X509Certificate2 Participant) WriteParticipantKit(string folder, string dipId)
    {
        var authority = CreateAuthority("qualify test CA");
        var participant = Issue(authority, "DIP participant " + dipId);
        ExportCertificate(authority, Path.Combine(folder, "test-ca.pem"));
        ExportCertificate(participant, Path.Combine(folder, dipId + "-cert.pem"));
        ExportPrivateKey(participant, Path.Combine(folder, dipId + "-key.pem"));
        return (authority, participant);
    }

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="authority"/> (revocation not checked: test certificates have none).</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>Writes the certificate (never the key) as PEM and returns the path.</summary>
    public static string ExportCertificate(X509Certificate2 certificate, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>Writes the private key as PKCS#8 PEM (for a participant the harness made certificates for) and returns the path.</summary>
    public static string ExportPrivateKey(X509Certificate2 certificate, string path)
    {
        using var key = certificate.GetRSAPrivateKey() ?? throw new ArgumentException("The certificate has no RSA private key.", nameof(certificate));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        return path;
    }
}
