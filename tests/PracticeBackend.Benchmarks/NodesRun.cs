using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using PracticeBackend.Testing;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// Intake and bookings with one, two and three nodes — each node the built app in a process of its own
/// (<see cref="AppProcess"/>), all in one Orleans cluster through the membership tables, on one fresh database
/// per cluster size on the same PostgreSQL as the raw INSERT baseline. Eight clients in all, split across the
/// nodes (one load generator per node), so the offered load is the same and only the number of nodes changes.
/// On one 2-core machine more nodes cannot add CPU: what this shows is whether anything serialises across
/// nodes (a global lock, a hot row, chatty membership) — throughput that holds as nodes are added says no.
/// </summary>
public sealed class NodesRun(Baseline baseline, Report report, BenchmarkOptions options)
{
    private const int Clients = 8;
    private const int Calendars = 50;
    private const int People = 200;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(15);

    public async Task RunAsync()
    {
        report.Section($"Across nodes: 1, 2 and 3 app processes in one cluster (PostgreSQL membership), {Clients} clients split across them");
        await using var sink = await SinkProcess.StartAsync();
        foreach (var count in new[] { 1, 2, 3 })
        {
            var nodes = await StartAsync(count, sink.Port);
            try
            {
                var intake = await MeasureAsync(nodes, plans: null);
                Print($"intake, {count} node{(count > 1 ? "s" : "")}", "requests/s", intake);
                var bookings = await MeasureAsync(nodes, await BookingPlansAsync(nodes));
                Print($"bookings, {count} node{(count > 1 ? "s" : "")}, {Calendars} calendars", "bookings/s", bookings);
            }
            finally
            {
                foreach (var node in nodes)
                {
                    await node.DisposeAsync();
                }
            }
        }
    }

    private void Print(string name, string unit, List<LoadMessage> perNode)
    {
        var perSecond = perNode.Sum(r => r.Requests / r.Seconds);
        var failed = perNode.Sum(r => r.Failed);
        var latencies = string.Join(", ", perNode.Select(r => $"p50 {r.Latency!.P50:0.0} / p99 {r.Latency.P99:0.0} ms"));
        report.Line($"{name}, {options.Seconds} s after {Warmup.TotalSeconds:0} s warm-up{(failed > 0 ? $" {failed} FAILED" : "")}",
            $"{perSecond:0.0} {unit}; per node: {latencies}",
            Report.Ratio(perSecond / baseline.Eight.CommitsPerSecond, "raw INSERT commits/s (8)"));
    }

    /// <summary>Warms every node's load up together, then measures them in the same window.</summary>
    private async Task<List<LoadMessage>> MeasureAsync(List<AppProcess> nodes, List<string>? plans)
    {
        var loads = nodes.Select((node, i) => LoadProcess.Start(node.BaseAddress, ClientsOf(i, nodes.Count), options.Seconds, plans?[i])).ToList();
        try
        {
            await Task.Delay(Warmup);
            await Task.WhenAll(loads.Select(l => l.EndWarmupAsync()));
            await Task.Delay(TimeSpan.FromSeconds(3));
            return [.. await Task.WhenAll(loads.Select(l => l.MeasureAsync()))];
        }
        finally
        {
            foreach (var load in loads)
            {
                await load.DisposeAsync();
            }

            foreach (var plan in plans ?? [])
            {
                File.Delete(plan);
            }
        }
    }

    private static int ClientsOf(int node, int nodes) => Clients / nodes + (node < Clients % nodes ? 1 : 0);

    /// <summary>
    /// One plan per node's load generator, all on the same calendars, each a month after the one before it, so
    /// no two requests anywhere ask for the same time (every refusal would be a failure).
    /// </summary>
    private static async Task<List<string>> BookingPlansAsync(List<AppProcess> nodes)
    {
        using var admin = nodes[0].CreateClient();
        var login = await admin.PostAsJsonAsync("/api/auth/login", new { email = BenchApp.AdminEmail, password = BenchApp.AdminPassword });
        login.EnsureSuccessStatusCode();
        var cookie = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        admin.DefaultRequestHeaders.Add("Cookie", cookie);
        var therapists = new Guid[Calendars];
        for (var i = 0; i < Calendars; i++)
        {
            var created = await admin.PostAsJsonAsync("/api/staff/therapists", new { displayName = $"Node Calendar {i}", formats = new[] { "video" }, acceptingNewClients = true, timeZone = "America/Chicago" });
            created.EnsureSuccessStatusCode();
            therapists[i] = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }

        var clients = new Guid[People];
        for (var i = 0; i < People; i++)
        {
            var intake = await admin.PostAsJsonAsync("/api/intake", new
            {
                name = "Bench", email = $"nodes.{Guid.NewGuid():N}@example.org", pace = "gentle", message = "A short message.",
                consent = new { contact = true, version = "2026-11" },
            });
            intake.EnsureSuccessStatusCode();
            var id = (await intake.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("intakeId").GetGuid();
            clients[i] = (await admin.GetFromJsonAsync<JsonElement>($"/api/staff/intake/{id}")).GetProperty("clientId").GetGuid();
        }

        var first = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(3);
        var plans = new List<string>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var plan = Path.GetTempFileName();
            await File.WriteAllTextAsync(plan, JsonSerializer.Serialize(new BookingPlan(cookie, therapists, clients, first.AddDays(30 * i), StepMinutes: 60)));
            plans.Add(plan);
        }

        return plans;
    }

    private static async Task<List<AppProcess>> StartAsync(int count, int smtpPort)
    {
        var database = await TestPostgres.CreateDatabaseAsync("nodes");
        var cluster = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var nodes = new List<AppProcess>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(await AppProcess.StartAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Practice"] = database,
                ["Practice:Cluster:Membership"] = "PostgreSql",
                ["Practice:Silo:AdvertisedAddress"] = "127.0.0.1",
                ["Practice:Silo:ClusterId"] = cluster,
                ["Practice:Silo:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
                ["Practice:Silo:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
                ["Practice:RateLimits:IntakePerMinute"] = "1000000",
                ["Practice:RateLimits:SignInPerMinute"] = "1000000",
                ["Email:Mode"] = "Smtp",
                ["Email:Smtp:Host"] = "127.0.0.1",
                ["Email:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
                ["Email:Smtp:Security"] = "None",
                ["Email:FromAddress"] = "hello@bench.test",
                ["Logging:LogLevel:Default"] = "Warning",
                ["PRACTICE_ADMIN_EMAIL"] = BenchApp.AdminEmail,
                ["PRACTICE_ADMIN_PASSWORD"] = BenchApp.AdminPassword,
            }));
        }

        return nodes;
    }
}
