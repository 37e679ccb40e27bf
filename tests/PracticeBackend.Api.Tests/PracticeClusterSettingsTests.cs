using static PracticeBackend.Api.Tests.Exceptions;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Practice:Silo and Practice:Cluster settings that cannot work between machines stop the start, naming the setting
/// (or, for a loopback address that works on one machine only, warn): the mistakes of a first multi-node deployment.
/// </summary>
public sealed class PracticeClusterSettingsTests : IDisposable
{
    private const string ServerAuth = TestCertificates.ServerAuth;
    private const string ClientAuth = TestCertificates.ClientAuth;
    private const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    private const string Password = "a silo pfx passphrase";

    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("silo-tls-");

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task Host_RefusesToStart_NamingTheAdvertisedAddress_WhenItIsEveryInterface_WithPostgreSqlMembership(string address)
    {
        var refusal = await StartFailureAsync(new()
        {
            ["Practice:Cluster:Membership"] = "PostgreSql",
            ["Practice:Silo:AdvertisedAddress"] = address,
        });

        Assert.StartsWith($"Practice:Silo:AdvertisedAddress: {address} means \"every interface\", which other silos cannot connect to", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_StartsButWarns_NamingTheAddress_WhenItAdvertisesLoopbackWithPostgreSqlMembership()
    {
        // With a silo certificate for both server and client: the usage check lets it through.
        var certificate = Pfx("silo-both", ServerAuth, ClientAuth);
        await using var app = new ClusterSettingsApp(new()
        {
            ["Practice:Cluster:Membership"] = "PostgreSql",
            ["Practice:Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Practice:Silo:Tls:CertificatePath"] = certificate,
            ["Practice:Silo:Tls:CertificatePassword"] = Password,
        });

        await app.InitializeAsync();

        var warning = Assert.Single(app.Logs.Since(0), line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Practice:Silo:AdvertisedAddress", StringComparison.Ordinal));
        Assert.Contains("this silo advertises 127.0.0.1, a loopback address, with PostgreSql membership: silos on other machines cannot reach it", warning, StringComparison.Ordinal);
        Assert.Contains("AdvertisedAddress=127.0.0.1", warning, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> CertificatesNotForSilos => new()
    {
        { "own-server-only", "Practice:Silo:Tls:CertificatePath: the certificate in {path} has an Enhanced Key Usage without clientAuth (1.3.6.1.5.5.7.3.2); every silo is both the TLS server and the TLS client of its peers." },
        { "own-email-only", "Practice:Silo:Tls:CertificatePath: the certificate in {path} has an Enhanced Key Usage without serverAuth (1.3.6.1.5.5.7.3.1) and clientAuth (1.3.6.1.5.5.7.3.2);" },
        { "accepted-client-only", "Practice:Silo:Tls:AcceptedCertificatePaths:0: the certificate in {path} has an Enhanced Key Usage without serverAuth (1.3.6.1.5.5.7.3.1);" },
        { "accepted-missing", "Practice:Silo:Tls:AcceptedCertificatePaths:0: no file at '{path}'; give a certificate file (PEM or DER), or remove the entry." },
    };

    [Theory]
    [MemberData(nameof(CertificatesNotForSilos))]
    public async Task Host_RefusesToStart_NamingTheSetting_WhenASiloCertificateIsNotForTlsServerAndClient(string problem, string expected)
    {
        var named = problem.StartsWith("accepted", StringComparison.Ordinal) ? "Practice:Silo:Tls:AcceptedCertificatePaths:0" : "Practice:Silo:Tls:CertificatePath";
        var settings = new Dictionary<string, string?>
        {
            ["Practice:Silo:Tls:CertificatePath"] = problem switch
            {
                "own-server-only" => Pfx("silo-server-only", ServerAuth),
                "own-email-only" => Pfx("silo-email-only", EmailProtection),
                _ => Pfx("silo-own"),
            },
            ["Practice:Silo:Tls:CertificatePassword"] = Password,
        };
        if (named != "Practice:Silo:Tls:CertificatePath")
        {
            settings[named] = problem == "accepted-missing" ? Path.Combine(_files.FullName, "absent.crt") : Crt("silo-next", ClientAuth);
        }

        var refusal = await StartFailureAsync(settings);

        Assert.StartsWith(expected.Replace("{path}", settings[named], StringComparison.Ordinal), refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, refusal, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Delete(recursive: true);

    /// <summary>A self-signed RSA certificate with its key in a .pfx, limited to <paramref name="usages"/> when any are given.</summary>
    private string Pfx(string name, params string[] usages)
    {
        using var certificate = TestCertificates.SelfSigned(name, usages);
        var path = Path.Combine(_files.FullName, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }

    /// <summary>The certificate alone, in PEM, as a peer's is listed for a rotation.</summary>
    private string Crt(string name, params string[] usages)
    {
        using var certificate = TestCertificates.SelfSigned(name, usages);
        var path = Path.Combine(_files.FullName, name + ".crt");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>Starts a host that must not start; returns the refusal's message (the one naming the setting).</summary>
    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings) =>
        Assert.Single(await Exceptions.StartFailureAsync(new ClusterSettingsApp(settings)),
            e => e is InvalidOperationException && e.Message.StartsWith("Practice:", StringComparison.Ordinal)).Message;

    /// <summary>A host with the given Practice:Silo and Practice:Cluster settings, its log kept.</summary>
    private sealed class ClusterSettingsApp(Dictionary<string, string?> settings) : PracticeAppFactory
    {
        public CapturedLogs Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            foreach (var (setting, value) in settings)
            {
                builder.UseSetting(setting, value);
            }

            builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
        }
    }
}
