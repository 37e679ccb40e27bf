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
            orleans.ConfigureEndpoints(advertised ?? FirstIPv4(), silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: silo.AdvertisedAddress is { Length: > 0 });
            orleans.Services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
        }

        if (silo.Tls.CertificatePath is { Length: > 0 } path)
        {
            var certificate = LoadCertificate(path, silo.Tls.CertificatePassword);
            orleans.UseTls(certificate, tls =>
            {
                // Every node shows the same certificate (README "Running more than one node"): a peer is one of
                // ours exactly when it shows that certificate, whoever issued it.
                tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                tls.RemoteCertificateValidation = (remote, _, _) =>
                    CryptographicOperations.FixedTimeEquals(remote.RawData, certificate.RawData);
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

        if (membership == ClusterMembership.PostgreSql && IPAddress.Any.Equals(address))
        {
            throw new InvalidOperationException("Practice:Silo:AdvertisedAddress: 0.0.0.0 cannot be reached by other silos; give this machine's address.");
        }

        return address;
    }

    /// <summary>The machine's first IPv4 address other than loopback, as other silos would reach it; loopback when it has none.</summary>
    private static IPAddress FirstIPv4() =>
        Dns.GetHostAddresses(Dns.GetHostName())
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? IPAddress.Loopback;

    private static X509Certificate2 LoadCertificate(string path, string? password)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Practice:Silo:Tls:CertificatePath: no file at {path}.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException exception)
        {
            throw new InvalidOperationException(
                $"Practice:Silo:Tls:CertificatePath: {path} is not a PKCS#12 file this password opens (Practice:Silo:Tls:CertificatePassword).", exception);
        }

        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"Practice:Silo:Tls:CertificatePath: {path} holds no private key; silos must prove they own it.");
    }

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
