using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Testing;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// The whole app, as production runs it, in this process: Kestrel on loopback, the Orleans silo, a Hangfire
/// server (4 workers on 2 cores), sending by SMTP to <see cref="SinkProcess"/>. Nothing else runs here
/// while a window is measured, so this process's CPU time is the app's.
/// </summary>
public sealed class BenchApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchApp(WebApplication app, PostgresServer server)
    {
        _app = app;
        Server = server;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public const string AdminEmail = "admin@bench.test";
    public const string AdminPassword = "a long benchmark passphrase for the admin";

    public Uri BaseAddress { get; }

    /// <summary>A client that keeps no cookies of its own: a sign-in's cookie (Secure, outside Development) is set as a header.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseCookies = false, UseProxy = false, MaxConnectionsPerServer = 128 }) { BaseAddress = BaseAddress };

    public IServiceProvider Services => _app.Services;

    public PostgresServer Server { get; }

    public static int ProcessId => Environment.ProcessId;

    /// <param name="helperPids">Our helper processes running meanwhile (load generator, sink): theirs is neither the app's nor "others".</param>
    public ProcessCpu.Snapshot Cpu(params int[] helperPids) => ProcessCpu.Take(Server.PostmasterPid, helperPids);

    /// <summary>
    /// Load, until the app's JIT has settled: at least <paramref name="minimum"/>, then until a 2-second stretch
    /// spends under 2 % of the app's CPU compiling (tiered compilation re-JITs hot code for a while), at most 60 s.
    /// </summary>
    public async Task<TimeSpan> WarmUpAsync(TimeSpan minimum, params int[] helperPids)
    {
        var clock = Stopwatch.StartNew();
        await Task.Delay(minimum);
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var start = Cpu(helperPids);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var stretch = Cpu(helperPids).Since(start);
            if (stretch.AppJit < stretch.App * 0.02)
            {
                break;
            }
        }

        return clock.Elapsed;
    }

    public Task WaitForQuietAsync(params int[] helperPids) => ProcessCpu.WaitForQuietAsync(Server.PostmasterPid, TimeSpan.FromMinutes(15), helperPids);

    public static async Task<BenchApp> StartAsync(string connectionString, int smtpPort, PostgresServer server)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Practice"] = connectionString,
            ["Practice:Name"] = "Benchmark Practice",
            ["Practice:TimeZone"] = "America/Chicago",
            ["Practice:PublicBaseUrl"] = "http://localhost:5080",
            ["Practice:CrisisResources"] = "If you are in crisis, call or text 988.",
            ["Practice:Email:SignerName"] = "Alex",
            ["Practice:Silo:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Practice:Silo:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Practice:RateLimits:IntakePerMinute"] = "1000000",
            ["Email:Mode"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Email:FromAddress"] = "hello@bench.test",
            ["PRACTICE_ADMIN_EMAIL"] = AdminEmail,
            ["PRACTICE_ADMIN_PASSWORD"] = AdminPassword,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddPracticeBackend();
        var app = builder.Build();
        app.UsePracticeBackend();
        await app.StartAsync();
        return new BenchApp(app, server);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
