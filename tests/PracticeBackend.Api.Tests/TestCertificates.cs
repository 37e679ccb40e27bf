using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PracticeBackend.Api.Tests;

/// <summary>Self-signed RSA certificates, as README's openssl lines make them for the key ring and for silo TLS.</summary>
internal static class TestCertificates
{
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>A certificate with its private key, limited to these Enhanced Key Usages when any are given.</summary>
    public static X509Certificate2 SelfSigned(string name, params string[] usages)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        }

        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
    }
}
