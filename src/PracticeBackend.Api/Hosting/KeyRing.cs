using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// Section <c>Practice:KeyRing</c>: the certificate that encrypts the Data Protection keys where they are stored,
/// in PostgreSQL beside the rows they seal, so that a copy of the database alone opens nothing (ADR 0013).
/// </summary>
public sealed class KeyRingSettings
{
    public const string Section = "Practice:KeyRing";

    /// <summary>A PKCS#12 (.pfx) file holding an RSA certificate and its private key; the same file on every node.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Certificates in use before a rotation: they still open the keys they encrypted, and encrypt nothing new.</summary>
    public List<string> RetiredCertificatePaths { get; set; } = [];

    /// <summary>Each retired certificate's password, by position; where none is given, <see cref="CertificatePassword"/>.</summary>
    public List<string> RetiredCertificatePasswords { get; set; } = [];
}

/// <summary>The certificates the key ring is encrypted under, read and checked once at start.</summary>
internal sealed record KeyRingCertificates(X509Certificate2? Current, IReadOnlyList<X509Certificate2> Retired, bool WarnWhenUnprotected)
{
    public static KeyRingCertificates Load(KeyRingSettings settings, bool warnWhenUnprotected)
    {
        var current = string.IsNullOrWhiteSpace(settings.CertificatePath)
            ? null
            : Open(settings.CertificatePath, settings.CertificatePassword, $"{KeyRingSettings.Section}:{nameof(KeyRingSettings.CertificatePath)}");
        var retired = settings.RetiredCertificatePaths
            .Select((path, i) => Open(
                path,
                i < settings.RetiredCertificatePasswords.Count ? settings.RetiredCertificatePasswords[i] : settings.CertificatePassword,
                $"{KeyRingSettings.Section}:{nameof(KeyRingSettings.RetiredCertificatePaths)}:{i}"))
            .ToList();
        return new KeyRingCertificates(current, retired, warnWhenUnprotected);
    }

    /// <summary>"SHA-256 fingerprint AB:CD:… (CN=…)": as <c>openssl x509 -noout -fingerprint -sha256</c> shows it.</summary>
    public static string Describe(X509Certificate2 certificate) =>
        $"SHA-256 fingerprint {Fingerprint(certificate)} ({certificate.Subject})";

    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHashString(HashAlgorithmName.SHA256).Chunk(2).Select(pair => new string(pair)));

    private static X509Certificate2 Open(string path, string? password, string setting)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException($"{setting} is empty: give the path of a PKCS#12 (.pfx) file, or remove the setting.");
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{setting}: there is no file at '{path}'. Every node needs the same certificate file there (README \"Protecting the key ring\").");
        }

        X509Certificate2 certificate;
        try
        {
            // Ephemeral: the private key stays in this process and is never written to a key store on disk.
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException($"{setting}: '{path}' could not be read as a PKCS#12 (.pfx) file with the password configured for it "
                + $"({KeyRingSettings.Section}:{nameof(KeyRingSettings.CertificatePassword)}, or {KeyRingSettings.Section}:{nameof(KeyRingSettings.RetiredCertificatePasswords)} for a retired one): "
                + "the password is wrong or the file is not a .pfx.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: '{path}' cannot be read by this process; give its user read access.");
        }
        catch (IOException failure)
        {
            throw new InvalidOperationException($"{setting}: '{path}' could not be read ({failure.GetType().Name}); check the file and the volume it is on.");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{setting}: '{path}' holds a certificate without its private key, which is needed to open the keys; export it with the key (openssl pkcs12 -export -inkey …).");
        }

        using (var rsa = certificate.GetRSAPrivateKey())
        {
            if (rsa is null)
            {
                certificate.Dispose();
                throw new InvalidOperationException($"{setting}: '{path}' holds a key that is not RSA; Data Protection encrypts its keys to RSA certificates only.");
            }
        }

        return certificate;
    }
}

internal static class KeyRing
{
    /// <summary>
    /// Data Protection with its keys in PostgreSQL (every node reads every row, ADR 0004), encrypted there under
    /// <c>Practice:KeyRing:CertificatePath</c> when it is set; retired certificates still open the keys they encrypted.
    /// </summary>
    public static IServiceCollection AddPracticeKeyRing(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.GetSection(KeyRingSettings.Section).Get<KeyRingSettings>() ?? new KeyRingSettings();
        var certificates = KeyRingCertificates.Load(settings, warnWhenUnprotected: !environment.IsDevelopment() && !environment.IsEnvironment("Testing"));
        services.AddSingleton(certificates);

        // In the Starting phase, after migrations: before Data Protection's own hosted service opens the ring,
        // which would make a key of its own (unencrypted, without the certificate) if it could open none of the stored ones.
        services.AddHostedService<KeyRingCheck>();

        var dataProtection = services.AddDataProtection()
            .SetApplicationName("PracticeBackend")
            .PersistKeysToDbContext<PracticeDbContext>();
        if (certificates.Current is { } current)
        {
            dataProtection.ProtectKeysWithCertificate(current);
        }

        if (certificates.Retired.Count > 0)
        {
            dataProtection.UnprotectKeysWithAnyCertificate([.. certificates.Retired]);
        }

        return services;
    }
}

/// <summary>
/// At start, under the start-up lock: every key in the ring must open with the configured certificates, or the node
/// does not start (what those keys sealed would be unreadable here, and Data Protection would add an unencrypted key
/// of its own for every node to use). With a certificate configured and no live key encrypted under it (the keys were
/// made before it was set, or under a retired one), a key encrypted under it is made, taking over two days later.
/// </summary>
internal sealed partial class KeyRingCheck(
    IKeyManager keyManager,
    IOptions<KeyManagementOptions> keyManagement,
    KeyRingCertificates certificates,
    StartUpLock startUpLock,
    ILogger<KeyRingCheck> logger) : StartingPhaseTask
{
    /// <summary>How early Data Protection itself makes the next key, so that every node has read it before it is used.</summary>
    private static readonly TimeSpan PropagationWindow = TimeSpan.FromDays(2);

    private static readonly XName X509Certificate = XName.Get("X509Certificate", "http://www.w3.org/2000/09/xmldsig#");

    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var exclusive = await startUpLock.AcquireAsync(cancellationToken);
        var keys = keyManager.GetAllKeys().Where(k => !k.IsRevoked).ToList();
        var encryptedUnder = EncryptingCertificates();

        var unreadable = keys.Where(k => !Opens(k)).ToList();
        if (unreadable.Count > 0)
        {
            throw new InvalidOperationException(Unreadable(unreadable, encryptedUnder));
        }

        if (certificates.Current is not { } current)
        {
            if (certificates.WarnWhenUnprotected)
            {
                LogUnprotected(logger);
            }

            return;
        }

        var plain = keys.Count(k => encryptedUnder.GetValueOrDefault(k.KeyId) is null);
        if (plain > 0)
        {
            LogPlainKeys(logger, plain, keys.Count);
        }

        var now = DateTimeOffset.UtcNow;
        var live = keys.Where(k => k.ExpirationDate > now).ToList();
        var fingerprint = KeyRingCertificates.Fingerprint(current);
        if (live.Count == 0 || live.Any(k => encryptedUnder.GetValueOrDefault(k.KeyId) is { } under && under.Fingerprint == fingerprint))
        {
            // No live key at all: Data Protection makes one on first use, under the certificate.
            return;
        }

        var activation = now + PropagationWindow;
        var made = keyManager.CreateNewKey(activation, activation + keyManagement.Value.NewKeyLifetime);
        LogKeyMade(logger, made.KeyId, activation);
    }

    /// <summary>
    /// Whether this node can decrypt the key. A wrong or missing certificate, or a stored key that is damaged (text
    /// that is no base64, XML Data Protection cannot read, a decryptor it cannot make), is a "no" that the refusal
    /// explains, never a stack trace; anything else (a database that cannot be read, say) is not about the key.
    /// </summary>
    private static bool Opens(IKey key)
    {
        try
        {
            return key.CreateEncryptor() is not null;
        }
        catch (Exception failure) when (failure is CryptographicException or FormatException or XmlException or InvalidOperationException
            or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The certificate each stored key was encrypted under (from its XML); none for a key stored unencrypted.</summary>
    private Dictionary<Guid, EncryptedUnder?> EncryptingCertificates()
    {
        var repository = keyManagement.Value.XmlRepository
            ?? throw new InvalidOperationException("Data Protection has no key repository; AddPracticeKeyRing sets PostgreSQL.");
        var found = new Dictionary<Guid, EncryptedUnder?>();
        foreach (var key in repository.GetAllElements().Where(e => e.Name.LocalName == "key"))
        {
            if (!Guid.TryParse((string?)key.Attribute("id"), out var id))
            {
                continue;
            }

            var certificate = key.Descendants(X509Certificate).FirstOrDefault()?.Value;
            if (certificate is null)
            {
                found[id] = key.Descendants().Any(e => e.Name.LocalName == "encryptedSecret") ? new EncryptedUnder("", "another mechanism than a certificate") : null;
                continue;
            }

            found[id] = Named(certificate);
        }

        return found;
    }

    /// <summary>The certificate a key's XML names (base64 DER), or a description saying that copy is damaged.</summary>
    private static EncryptedUnder Named(string certificate)
    {
        try
        {
            using var parsed = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(certificate));
            return new EncryptedUnder(KeyRingCertificates.Fingerprint(parsed), "the certificate with " + KeyRingCertificates.Describe(parsed));
        }
        catch (Exception damaged) when (damaged is FormatException or CryptographicException)
        {
            return new EncryptedUnder("", "a certificate whose copy in the stored key cannot be read (the stored key is damaged)");
        }
    }

    private string Unreadable(List<IKey> keys, Dictionary<Guid, EncryptedUnder?> encryptedUnder)
    {
        var held = new[] { certificates.Current }.Concat(certificates.Retired).OfType<X509Certificate2>().Select(KeyRingCertificates.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var ids = string.Join(", ", keys.Select(k => k.KeyId));
        var under = string.Join("; ", keys.Select(k => encryptedUnder.GetValueOrDefault(k.KeyId) switch
        {
            { } known when held.Contains(known.Fingerprint) => known.Description + ", which this node has: the stored key is damaged",
            { } known => known.Description,
            null => "nothing this node can name (the stored key may be damaged)",
        }).Distinct());
        return $"{KeyRingSettings.Section}: {keys.Count} Data Protection key(s) stored in the database cannot be opened on this node ({ids}); "
            + $"they were encrypted under {under}. Set {KeyRingSettings.Section}:{nameof(KeyRingSettings.CertificatePath)} to that certificate "
            + $"or, after a rotation, list it under {KeyRingSettings.Section}:{nameof(KeyRingSettings.RetiredCertificatePaths)}; every node needs the same certificates. "
            + "Without it, nothing those keys sealed can be read (README \"Protecting the key ring\").";
    }

    private sealed record EncryptedUnder(string Fingerprint, string Description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Practice:KeyRing:CertificatePath is not set: the Data Protection keys that seal names, addresses and messages are stored unencrypted in the database beside what they seal, so a copy of the database discloses it all (README \"Protecting the key ring\")")]
    private static partial void LogUnprotected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "{PlainKeys} of the {Keys} Data Protection keys were stored unencrypted, before Practice:KeyRing:CertificatePath was set; what they sealed stays readable from a copy of the database")]
    private static partial void LogPlainKeys(ILogger logger, int plainKeys, int keys);

    [LoggerMessage(Level = LogLevel.Information, Message = "No live Data Protection key was encrypted under Practice:KeyRing:CertificatePath; made key {KeyId} under it, which seals new data from {ActivationDate:O} (every node reads it before then)")]
    private static partial void LogKeyMade(ILogger logger, Guid keyId, DateTimeOffset activationDate);
}
