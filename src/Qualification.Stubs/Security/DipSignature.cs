using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Qualification.Stubs.Security;

/// <summary>How strictly the emulated DIP treats message signatures during a run.</summary>
public enum SigningPolicy
{
    /// <summary>Signature headers are ignored and pushes are not signed.</summary>
    Off,
    /// <summary>Unsigned calls pass; a call that carries signature headers must verify. Pushes are signed.</summary>
    Optional,
    /// <summary>Every call must carry four valid signature headers. Pushes are signed.</summary>
    Required,
}

/// <summary>The four DIP signature headers of one HTTP call.</summary>
/// <param name="ContentHash">X-DIP-Content-Hash: Base64(SHA-256(body)).</param>
/// <param name="Date">X-DIP-Signature-Date: UTC, millisecond precision.</param>
/// <param name="Signature">X-DIP-Signature: Base64(RSA PKCS#1 v1.5 over SHA-256 of the string to sign).</param>
/// <param name="Certificate">X-DIP-Signature-Certificate: Base64 of the signing certificate's PEM text.</param>
public sealed record SignatureHeaders(string ContentHash, string Date, string Signature, string Certificate)
{
    /// <summary>The headers as name/value pairs, for adding to a request.</summary>
    public IEnumerable<KeyValuePair<string, string>> AsPairs() =>
    [
        new(DipSignature.ContentHashHeader, ContentHash),
        new(DipSignature.DateHeader, Date),
        new(DipSignature.SignatureHeader, Signature),
        new(DipSignature.CertificateHeader, Certificate),
    ];
}

/// <summary>The outcome of checking a call's signature.</summary>
/// <param name="Valid">True when every check passed.</param>
/// <param name="Problem">Which check failed and why; null when valid.</param>
/// <param name="Certificate">The certificate the call was signed with, when it could be read.</param>
public sealed record SignatureCheck(bool Valid, string? Problem, X509Certificate2? Certificate)
{
    /// <summary>A failed check.</summary>
    public static SignatureCheck Fail(string problem, X509Certificate2? certificate = null) => new(false, problem, certificate);
}

/// <summary>
/// DIP message signing (mhhs-domain.md §3): the body is hashed (SHA-256, Base64), the string
/// <c>METHOD;lower(url);date;hash</c> is signed with RSA PKCS#1 v1.5 over SHA-256, and the signing
/// certificate travels as Base64 of its PEM text. Used both to verify what participants send and
/// to sign what the emulated DIP pushes.
/// </summary>
public static class DipSignature
{
    /// <summary>Header carrying the body hash.</summary>
    public const string ContentHashHeader = "X-DIP-Content-Hash";
    /// <summary>Header carrying the signing time.</summary>
    public const string DateHeader = "X-DIP-Signature-Date";
    /// <summary>Header carrying the signature.</summary>
    public const string SignatureHeader = "X-DIP-Signature";
    /// <summary>Header carrying the signing certificate.</summary>
    public const string CertificateHeader = "X-DIP-Signature-Certificate";

    /// <summary>Base64(SHA-256(body)).</summary>
    public static string ContentHash(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));

    /// <summary>The text that is signed: <c>UPPER(method);lower(url);date;hash</c>.</summary>
    public static string StringToSign(string method, string url, string date, string contentHash) =>
        $"{method.ToUpperInvariant()};{url.ToLowerInvariant()};{date};{contentHash}";

    /// <summary>The signature date format: UTC with milliseconds, e.g. 2026-01-05T10:15:00.123Z.</summary>
    public static string FormatDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Signs one call with a certificate that has an RSA private key.</summary>
    public static SignatureHeaders Sign(string method, string url, ReadOnlySpan<byte> body, X509Certificate2 certificate, DateTimeOffset at)
    {
        using var key = certificate.GetRSAPrivateKey() ?? throw new ArgumentException("The signing certificate has no RSA private key.", nameof(certificate));
        var hash = ContentHash(body);
        var date = FormatDate(at);
        var signature = key.SignData(Encoding.UTF8.GetBytes(StringToSign(method, url, date, hash)), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new SignatureHeaders(hash, date, Convert.ToBase64String(signature), EncodeCertificate(certificate));
    }

    /// <summary>Base64 of the certificate's PEM text (no key), as the certificate header carries it.</summary>
    public static string EncodeCertificate(X509Certificate2 certificate) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));

    /// <summary>Reads a certificate header: Base64 of PEM text (the DIP's form) or, leniently, Base64 of DER.</summary>
    public static X509Certificate2? DecodeCertificate(string header, out string? problem)
    {
        problem = null;
        byte[] bytes;
        try { bytes = Convert.FromBase64String(header.Trim()); }
        catch (FormatException) { problem = $"{CertificateHeader} is not Base64"; return null; }
        try
        {
            var text = Encoding.ASCII.GetString(bytes);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(bytes);
        }
        catch (CryptographicException e) { problem = $"{CertificateHeader} does not hold a certificate ({e.Message})"; return null; }
    }

    /// <summary>
    /// Verifies one call: all four headers present, body hash, date within <paramref name="maxSkew"/>
    /// of <paramref name="now"/>, certificate readable and in date, signature made by that
    /// certificate's key, and (when <paramref name="trusted"/> is given) the certificate is trusted.
    /// The first failing check is reported by name.
    /// </summary>
    public static SignatureCheck Verify(string method, string url, ReadOnlySpan<byte> body, Func<string, string?> header, DateTimeOffset now, TimeSpan maxSkew,
        Func<X509Certificate2, string?>? trusted = null)
    {
        var missing = new[] { ContentHashHeader, DateHeader, SignatureHeader, CertificateHeader }.Where(h => string.IsNullOrWhiteSpace(header(h))).ToList();
        if (missing.Count > 0) return SignatureCheck.Fail($"signature headers missing: {string.Join(", ", missing)}");
        var hash = header(ContentHashHeader)!.Trim();
        var date = header(DateHeader)!.Trim();
        var actualHash = ContentHash(body);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(actualHash)))
            return SignatureCheck.Fail($"content hash: {ContentHashHeader} is {hash} but Base64(SHA-256(body)) is {actualHash}; the body was changed after signing or the hash was taken over other bytes");
        if (!DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
            return SignatureCheck.Fail($"signature date: {DateHeader} '{date}' is not a date-time; use UTC with milliseconds, e.g. {FormatDate(now)}");
        var skew = (now - signedAt).Duration();
        if (skew > maxSkew)
            return SignatureCheck.Fail($"signature date: {DateHeader} {date} is {skew.TotalSeconds:0} s away from the DIP's clock ({FormatDate(now)}); the limit is {maxSkew.TotalSeconds:0} s (stale or replayed request)");
        var certificate = DecodeCertificate(header(CertificateHeader)!, out var certProblem);
        if (certificate is null) return SignatureCheck.Fail("certificate: " + certProblem);
        if (now.UtcDateTime < certificate.NotBefore.ToUniversalTime() || now.UtcDateTime > certificate.NotAfter.ToUniversalTime())
            return SignatureCheck.Fail($"certificate: '{certificate.Subject}' is valid {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now", certificate);
        using var key = certificate.GetRSAPublicKey();
        if (key is null) return SignatureCheck.Fail($"certificate: '{certificate.Subject}' has no RSA public key", certificate);
        byte[] signature;
        try { signature = Convert.FromBase64String(header(SignatureHeader)!.Trim()); }
        catch (FormatException) { return SignatureCheck.Fail($"signature: {SignatureHeader} is not Base64", certificate); }
        var toSign = StringToSign(method, url, date, hash);
        if (!key.VerifyData(Encoding.UTF8.GetBytes(toSign), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return SignatureCheck.Fail($"signature: does not verify with the key of certificate '{certificate.Subject}' over \"{toSign}\" (RSA PKCS#1 v1.5, SHA-256); wrong key, or a different method, URL or date was signed", certificate);
        if (trusted?.Invoke(certificate) is { } distrust) return SignatureCheck.Fail("certificate: " + distrust, certificate);
        return new SignatureCheck(true, null, certificate);
    }
}
