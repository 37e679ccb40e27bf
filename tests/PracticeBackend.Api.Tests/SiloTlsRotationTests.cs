using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Silo TLS rotated node by node (README "Running more than one node"): halfway through, one node shows the old
/// certificate and the other the new one, each listing the other's under Practice:Silo:Tls:AcceptedCertificatePaths,
/// and they are still one cluster — a silo joins only once it has connected to every active one, over TLS here.
/// </summary>
public sealed class SiloTlsRotationTests(TwoNodesMidRotation cluster) : IClassFixture<TwoNodesMidRotation>
{
    [Fact]
    public async Task TwoNodes_ShowingOldAndNewCertificates_EachAcceptingTheOther_AreOneCluster_AndAnswerForEachOther()
    {
        Assert.Equal(2, (await cluster.MembersAsync()).Count(m => m.Status == 3));

        var intake = await ClusterNodes.SubmitIntakeAsync(cluster.Nodes[0]);
        using var onNew = await ClusterNodes.SignInAsync(cluster.Nodes[1]);
        var therapist = await ClusterNodes.TherapistAsync(onNew, "Across Rotated Nodes");
        Assert.Equal(HttpStatusCode.NoContent, (await onNew.AssignAsync(intake, therapist)).StatusCode);
        using var onOld = await ClusterNodes.SignInAsync(cluster.Nodes[0]);
        Assert.Equal(therapist, (await ClusterNodes.DetailAsync(onOld, intake)).GetProperty("assignedTherapistId").GetGuid());
    }
}

/// <summary>Two nodes in the middle of a rotation: node 0 shows the old certificate, node 1 the new one; each accepts the other's.</summary>
public sealed class TwoNodesMidRotation : ClusterNodes
{
    private const string Password = "a silo pfx passphrase";

    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("silo-rotation-");
    private readonly (string Pfx, string Crt) _old;
    private readonly (string Pfx, string Crt) _new;

    public TwoNodesMidRotation()
        : base(2)
    {
        _old = Write("silo-2026");
        _new = Write("silo-2027");
    }

    protected override void Configure(int node, Dictionary<string, string?> settings)
    {
        var (shows, accepts) = node == 0 ? (_old, _new) : (_new, _old);
        settings["Practice:Silo:Tls:CertificatePath"] = shows.Pfx;
        settings["Practice:Silo:Tls:CertificatePassword"] = Password;
        settings["Practice:Silo:Tls:AcceptedCertificatePaths:0"] = accepts.Crt;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _files.Delete(recursive: true);
    }

    /// <summary>A self-signed certificate for TLS server and client, as its .pfx (with the key) and its .crt (PEM, without).</summary>
    private (string Pfx, string Crt) Write(string name)
    {
        using var certificate = TestCertificates.SelfSigned(name, TestCertificates.ServerAuth, TestCertificates.ClientAuth);
        var pfx = Path.Combine(_files.FullName, name + ".pfx");
        var crt = Path.Combine(_files.FullName, name + ".crt");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, Password));
        File.WriteAllText(crt, certificate.ExportCertificatePem());
        return (pfx, crt);
    }
}
