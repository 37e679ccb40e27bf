using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Several nodes of the app, each a process of its own (as production runs them), on one fresh database, forming
/// one Orleans cluster through the membership tables in it (<c>Practice:Cluster:Membership=PostgreSql</c>, ADR 0017).
/// </summary>
public abstract class ClusterNodes(int count) : IAsyncLifetime
{
    public const string AdminEmail = "admin@cluster.test";
    public const string AdminPassword = "a cluster of nodes passphrase";

    private readonly string _clusterId = "cluster-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _mail = Directory.CreateTempSubdirectory("practice-cluster-mail").FullName;

    public string ConnectionString { get; private set; } = "";

    public List<AppProcess> Nodes { get; } = [];

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("cluster");

        // One after the other: the first migrates and creates the first admin, under the start-up lock, and the
        // others then join a cluster that has a member.
        for (var i = 0; i < count; i++)
        {
            Nodes.Add(await AppProcess.StartAsync(Settings(i)));
        }
    }

    /// <summary>A fixture's changes to a node's settings (a job server, SMTP instead of a pickup folder).</summary>
    protected virtual void Configure(int node, Dictionary<string, string?> settings)
    {
    }

    private Dictionary<string, string?> Settings(int node)
    {
        var settings = Defaults(node);
        Configure(node, settings);
        return settings;
    }

    private Dictionary<string, string?> Defaults(int node) => new()
    {
        ["ConnectionStrings:Practice"] = ConnectionString,
        ["Practice:Cluster:Membership"] = "PostgreSql",
        ["Practice:Silo:AdvertisedAddress"] = "127.0.0.1",
        ["Practice:Silo:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["Practice:Silo:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["Practice:Silo:ClusterId"] = _clusterId,
        ["Practice:Jobs:RunServer"] = "false",
        ["Practice:RateLimits:IntakePerMinute"] = "100000",
        ["Practice:RateLimits:SignInPerMinute"] = "100000",
        ["Email:Mode"] = "Pickup",
        ["Email:PickupDirectory"] = Path.Combine(_mail, node.ToString(CultureInfo.InvariantCulture)),
        ["PRACTICE_ADMIN_EMAIL"] = AdminEmail,
        ["PRACTICE_ADMIN_PASSWORD"] = AdminPassword,
    };

    /// <summary>The silos the membership table holds for this cluster, by status (Orleans' numbers: 3 active, 6 dead).</summary>
    public async Task<List<(int Port, int Status)>> MembersAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT port, status FROM cluster_members WHERE cluster_id = @cluster ORDER BY port", connection);
        read.Parameters.AddWithValue("cluster", _clusterId);
        await using var reader = await read.ExecuteReaderAsync();
        var members = new List<(int, int)>();
        while (await reader.ReadAsync())
        {
            members.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }

        return members;
    }

    public static async Task<HttpClient> SignInAsync(AppProcess node)
    {
        var client = node.CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password = AdminPassword });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"sign-in on {node.BaseAddress} answered {(int)response.StatusCode}");
        return client;
    }

    public static async Task<Guid> SubmitIntakeAsync(AppProcess node, string? email = null)
    {
        using var client = node.CreateClient();
        var response = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid(email ?? $"cluster.{Guid.NewGuid():N}@example.test")));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"intake on {node.BaseAddress} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
    }

    public static async Task<JsonElement> DetailAsync(HttpClient staff, Guid intakeId)
    {
        var response = await staff.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {intakeId} through {staff.BaseAddress} answered {(int)response.StatusCode}");
        return await response.JsonAsync();
    }

    public static async Task<Guid> TherapistAsync(HttpClient admin, string name)
    {
        var profile = await admin.PostAsJsonAsync("/api/staff/therapists", new
        {
            displayName = name, specialties = Array.Empty<string>(), formats = new[] { "video" }, acceptingNewClients = true, timeZone = "UTC",
        });
        Assert.Equal(HttpStatusCode.Created, profile.StatusCode);
        return (await profile.JsonAsync()).GetProperty("id").GetGuid();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_mail, recursive: true);
    }
}

public sealed class ThreeNodes() : ClusterNodes(3);

public sealed class TwoNodes() : ClusterNodes(2);
