using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Configuration;
using Orleans.Connections.Security;
using PracticeBackend.Grains.Cluster;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// The Orleans silo in this process, and how it finds the others (<c>Practice:Cluster:Membership</c>, ADR 0017):
/// alone on loopback, or in a cluster whose membership lives in the practice's PostgreSQL. Our settings only,
/// under <c>Practice:</c>; nothing is read from an <c>Orleans:</c> section.
/// </summary>
internal static class PracticeCluster
{
    public static void Configure(ISiloBuilder orleans, IConfiguration configuration)
    {
        var silo = configuration.GetSection($"{PracticeOptions.Section}:Silo").Get<SiloSettings>() ?? new SiloSettings();
        var cluster = configuration.GetSection($"{PracticeOptions.Section}:Cluster").Get<ClusterSettings>() ?? new ClusterSettings();
        Check(silo.ClusterId, "Practice:Silo:ClusterId");
        Check(silo.ServiceId, "Practice:Silo:ServiceId");
        CheckPort(silo.SiloPort, "Practice:Silo:SiloPort");
        CheckPort(silo.GatewayPort, "Practice:Silo:GatewayPort");
        var advertised = AdvertisedAddress(silo, cluster.Membership);
        var tls = silo.Tls.CertificatePath is { Length: > 0 } path ? SiloCertificates.Load(path, silo.Tls) : null;

        if (cluster.Membership == ClusterMembership.Localhost)
        {
            // Loopback only: the advertised address matters to other silos, and there are none.
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
        }
        else
        {
            orleans.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = silo.ClusterId;
                o.ServiceId = silo.ServiceId;
            });

            // Listens on every interface when an address is given (a container's or pod's), else on the one it advertises.
            var shown = advertised ?? FirstIPv4();
            orleans.ConfigureEndpoints(shown, silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: silo.AdvertisedAddress is { Length: > 0 });
            orleans.Services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
            if (IPAddress.IsLoopback(shown))
            {
                orleans.Services.AddHostedService(sp => new LoopbackAdvertisedWarning(shown, sp.GetRequiredService<ILogger<LoopbackAdvertisedWarning>>()));
            }
        }

        if (tls is not null)
        {
            orleans.UseTls(tls.Own, options =>
            {
                // Every node shows the same certificate (README "Running more than one node"): a peer is one of
                // ours exactly when it shows that certificate, or one listed for a rotation, whoever issued it.
                options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                options.RemoteCertificateValidation = (remote, _, _) => tls.IsOurs(remote);
            });
        }
    }

    private static IPAddress? AdvertisedAddress(SiloSettings silo, ClusterMembership membership)
    {
        if (silo.AdvertisedAddress is not { Length: > 0 } given)
        {
            return null;
        }

        if (!IPAddress.TryParse(given, out var address))
        {
            throw new InvalidOperationException(
                $"Practice:Silo:AdvertisedAddress: \"{given}\" is not an IP address. Give the address other silos reach this one at, e.g. the pod's IP.");
        }

        if (membership == ClusterMembership.PostgreSql && (IPAddress.Any.Equals(address) || IPAddress.IPv6Any.Equals(address)))
        {
            throw new InvalidOperationException(
                $"Practice:Silo:AdvertisedAddress: {address} means \"every interface\", which other silos cannot connect to; give the address they reach this one at (the pod's IP), or leave it unset.");
        }

        return address;
    }

    /// <summary>The machine's first IPv4 address other than loopback, as other silos would reach it; loopback when it has none.</summary>
    private static IPAddress FirstIPv4() =>
        Dns.GetHostAddresses(Dns.GetHostName())
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? IPAddress.Loopback;

    private static void Check(string value, string setting)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"{setting} is empty; every silo of one cluster has the same, non-empty value.");
        }
    }

    private static void CheckPort(int port, string setting)
    {
        if (port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{setting}: {port} is not a TCP port (1–65535).");
        }
    }
}

/// <summary>
/// The certificate this silo shows (<c>Practice:Silo:Tls:CertificatePath</c>) and the others a peer may show during a
/// rotation (<c>Practice:Silo:Tls:AcceptedCertificatePaths</c>), read and checked once at start.
/// </summary>
internal sealed class SiloCertificates(X509Certificate2 own, IReadOnlyList<X509Certificate2> accepted)
{
    private const string Setting = "Practice:Silo:Tls";
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string AnyExtendedKeyUsage = "2.5.29.37.0";

    private readonly byte[][] _ours = [own.RawData, .. accepted.Select(c => c.RawData)];

    public X509Certificate2 Own { get; } = own;

    /// <summary>Pinned: exactly one of the configured certificates, byte for byte.</summary>
    public bool IsOurs(X509Certificate2 remote) => _ours.Any(ours => CryptographicOperations.FixedTimeEquals(remote.RawData, ours));

    public static SiloCertificates Load(string path, SiloTlsSettings settings)
    {
        var own = LoadOwn(path, settings.CertificatePassword);
        var accepted = settings.AcceptedCertificatePaths
            .Select((peer, i) => LoadAccepted(peer, $"{Setting}:{nameof(SiloTlsSettings.AcceptedCertificatePaths)}:{i}"))
            .ToList();
        return new SiloCertificates(own, accepted);
    }

    private static X509Certificate2 LoadOwn(string path, string? password)
    {
        const string setting = $"{Setting}:{nameof(SiloTlsSettings.CertificatePath)}";
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{setting}: no file at {path}.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException exception)
        {
            throw new InvalidOperationException(
                $"{setting}: {path} is not a PKCS#12 file this password opens ({Setting}:{nameof(SiloTlsSettings.CertificatePassword)}).", exception);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{setting}: {path} holds no private key; silos must prove they own it.");
        }

        CheckUsage(certificate, setting, path);
        return certificate;
    }

    private static X509Certificate2 LoadAccepted(string path, string setting)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"{setting}: no file at '{path}'; give a certificate file (PEM or DER), or remove the entry.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException(
                $"{setting}: {path} is not a certificate in PEM or DER form (from a .pfx: openssl pkcs12 -in silo.pfx -nokeys -clcerts | openssl x509 -out silo.crt).");
        }

        CheckUsage(certificate, setting, path);
        return certificate;
    }

    /// <summary>
    /// Each silo is the TLS server of the connections others open to it and the client of those it opens: a
    /// certificate limited to other uses (an Enhanced Key Usage without both) is refused by the side that checks it.
    /// </summary>
    private static void CheckUsage(X509Certificate2 certificate, string setting, string path)
    {
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is not { } usage)
        {
            return;
        }

        var allowed = usage.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
        if (allowed.Contains(AnyExtendedKeyUsage))
        {
            return;
        }

        var missing = new[] { (Name: "serverAuth", Oid: ServerAuth), (Name: "clientAuth", Oid: ClientAuth) }
            .Where(u => !allowed.Contains(u.Oid))
            .Select(u => $"{u.Name} ({u.Oid})")
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{setting}: the certificate in {path} has an Enhanced Key Usage without {string.Join(" and ", missing)}; every silo is both the "
                + "TLS server and the TLS client of its peers. Make one with both (openssl req … -addext \"extendedKeyUsage=serverAuth,clientAuth\"), or without the extension.");
        }
    }
}

/// <summary>Said once at start: with PostgreSQL membership, a loopback address is reachable from this machine only.</summary>
internal sealed partial class LoopbackAdvertisedWarning(IPAddress advertised, ILogger<LoopbackAdvertisedWarning> logger) : StartingPhaseTask
{
    public override Task StartingAsync(CancellationToken cancellationToken)
    {
        LogLoopback(logger, advertised.ToString());
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Practice:Silo:AdvertisedAddress: this silo advertises {AdvertisedAddress}, a loopback address, with PostgreSql membership: silos on other machines cannot reach it (fine only when every node runs on this machine)")]
    private static partial void LogLoopback(ILogger logger, string advertisedAddress);
}
