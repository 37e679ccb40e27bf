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
public sealed class NodesRun(Baseline baseline, Report report, BenchmarkOptions options, PostgresServer server)
{
    private const int Clients = 8;
    private const int Calendars = 50;
    private const int People = 200;
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(15);
    private const string TieredCompilationThread = ".NET Tiered Com";
    private static readonly TimeSpan MaximumWarmup = TimeSpan.FromSeconds(90);

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

    /// <summary>
    /// The throughput, each node's latencies, and where the CPU went per request in the measured window: the app
    /// nodes together, PostgreSQL, the load generators, and how busy the machine was (on 2 cores, the limit).
    /// </summary>
    private void Print(string name, string unit, Measured measured)
    {
        var (perNode, cpu, warmup) = measured;
        var perSecond = perNode.Sum(r => r.Requests / r.Seconds);
        var requests = perNode.Sum(r => r.Requests);
        var failed = perNode.Sum(r => r.Failed);
        var latencies = string.Join(", ", perNode.Select(r => $"p50 {r.Latency!.P50:0.0} / p99 {r.Latency.P99:0.0} ms"));
        double PerRequest(TimeSpan spent) => requests > 0 ? spent.TotalMilliseconds / requests : 0;
        var where = $"CPU per request: nodes {PerRequest(cpu.Nodes.Helpers):0.0} ms, PostgreSQL {PerRequest(cpu.Nodes.Postgres ?? TimeSpan.Zero):0.0} ms, "
            + $"load generators {PerRequest(cpu.Loads.Helpers):0.0} ms; machine {cpu.Nodes.BusyShare:0 %} busy";
        report.Line($"{name}, {options.Seconds} s after {warmup.TotalSeconds:0} s warm-up{(failed > 0 ? $" {failed} FAILED" : "")}",
            $"{perSecond:0.0} {unit}; per node: {latencies}; {where}",
            Report.Ratio(perSecond / baseline.Eight.CommitsPerSecond, "raw INSERT commits/s (8)"));
    }

    /// <param name="Nodes">The app nodes' processes as helpers, with PostgreSQL.</param>
    /// <param name="Loads">The load generators' processes as helpers.</param>
    private sealed record Cpu(ProcessCpu.Window Nodes, ProcessCpu.Window Loads);

    private sealed record Measured(List<LoadMessage> PerNode, Cpu Cpu, TimeSpan Warmup);


    /// <summary>Warms every node's load up together, then measures them in the same window.</summary>
    private async Task<Measured> MeasureAsync(List<AppProcess> nodes, List<string>? plans)
    {
        var loads = nodes.Select((node, i) => LoadProcess.Start(node.BaseAddress, ClientsOf(i, nodes.Count), options.Seconds, plans?[i])).ToList();
        try
        {
            var warmup = await WarmUpAsync(nodes);
            await Task.WhenAll(loads.Select(l => l.EndWarmupAsync()));
            await Task.Delay(TimeSpan.FromSeconds(3));
            var nodePids = nodes.Select(n => n.ProcessId).ToArray();
            var loadPids = loads.Select(l => l.ProcessId).ToArray();
            var (nodesBefore, loadsBefore) = (ProcessCpu.Take(server.PostmasterPid, nodePids), ProcessCpu.Take(null, loadPids));
            List<LoadMessage> perNode = [.. await Task.WhenAll(loads.Select(l => l.MeasureAsync()))];
            var cpu = new Cpu(ProcessCpu.Take(server.PostmasterPid, nodePids).Since(nodesBefore), ProcessCpu.Take(null, loadPids).Since(loadsBefore));
            return new Measured(perNode, cpu, warmup);
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

    /// <summary>
    /// Load, until every node's JIT has settled: at least <see cref="MinimumWarmup"/>, then until a 3-second stretch in
    /// which each node's tiered-compilation thread (".NET Tiered Com", read from /proc) spent under 2 % of that node's
    /// CPU, at most <see cref="MaximumWarmup"/>. On 2 cores shared by several nodes, their load generators and
    /// PostgreSQL, tiered compilation is starved for CPU: a fixed 15 s warm-up measured nodes still running
    /// instrumented (PGO) code, with a quarter of their CPU in the JIT and five times the CPU per request.
    /// </summary>
    private static async Task<TimeSpan> WarmUpAsync(List<AppProcess> nodes)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(MinimumWarmup);
        while (clock.Elapsed < MaximumWarmup)
        {
            var before = nodes.Select(n => ProcessCpu.ThreadTicks(n.ProcessId, TieredCompilationThread)).ToList();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var after = nodes.Select(n => ProcessCpu.ThreadTicks(n.ProcessId, TieredCompilationThread)).ToList();
            if (before.Zip(after).All(pair => pair.Second.Named - pair.First.Named < (pair.Second.All - pair.First.All) * 0.02))
            {
                break;
            }
        }

        return clock.Elapsed;
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
