using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The whole app on a real socket (Kestrel), with its own fresh PostgreSQL database, its own silo
/// ports and cluster id (STACK P6). Hosts that deliver mail run a Hangfire server of their own
/// (<see cref="RunsJobServer"/>), on their own storage, with Hangfire's static log silenced (STACK P4).
/// </summary>
public abstract class PracticeAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    protected virtual bool RunsJobServer => false;

    /// <summary>A database another host uses too (start-up race tests); null gives this host a fresh one.</summary>
    protected virtual string? SharedDatabase => null;

    public async Task InitializeAsync()
    {
        ConnectionString = SharedDatabase
            ?? await CreateDatabaseAsync(GetType().Name.ToLowerInvariant()[..Math.Min(12, GetType().Name.Length)]);
        UseKestrel(0);
        StartServer();
    }

    /// <summary>A fresh database on the shared test server; a host with a server of its own creates it there.</summary>
    protected virtual Task<string> CreateDatabaseAsync(string purpose) => TestPostgres.CreateDatabaseAsync(purpose);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Practice", ConnectionString);
        builder.UseSetting("Practice:Silo:SiloPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Silo:GatewayPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Silo:ClusterId", "test-" + Guid.NewGuid().ToString("N"));
        if (!RunsJobServer)
        {
            builder.UseSetting("Practice:Jobs:RunServer", "false");
        }

        // Hangfire keeps its log provider in a static: each host would point it at its own logger factory,
        // which the other hosts' jobs then find disposed (STACK P4). Test hosts give it one that logs nothing.
        builder.ConfigureTestServices(services => services.AddSingleton<Hangfire.Logging.ILogProvider>(QuietHangfireLog.Instance));
    }

    /// <summary>All requests in a test come from one address; per-IP limits are tested by a host of their own.</summary>
    protected static void WithoutRateLimits(IWebHostBuilder builder)
    {
        builder.UseSetting("Practice:RateLimits:IntakePerMinute", "100000");
        builder.UseSetting("Practice:RateLimits:SignInPerMinute", "100000");
        builder.UseSetting("Practice:RateLimits:LinksPerMinute", "100000");
    }

    protected static void WithFirstAdmin(IWebHostBuilder builder, string email, string password)
    {
        builder.UseSetting("PRACTICE_ADMIN_EMAIL", email);
        builder.UseSetting("PRACTICE_ADMIN_PASSWORD", password);
    }

    /// <summary>Mail goes to a real SMTP server on a loopback socket.</summary>
    protected static void WithSmtp(IWebHostBuilder builder, int port)
    {
        builder.UseSetting("Email:Mode", "Smtp");
        builder.UseSetting("Email:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Email:Smtp:Port", port.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Email:Smtp:Security", "None");
        builder.UseSetting("Email:Smtp:TimeoutSeconds", "5");
        builder.UseSetting("Email:FromAddress", "hello@practice.test");
    }

    /// <summary>Every client checks its /api requests and answers against the served OpenAPI document (ADR 0008).</summary>
    public new HttpClient CreateClient() => CreateClient(ClientOptions);

    /// <inheritdoc cref="CreateClient()"/>
    public new HttpClient CreateClient(WebApplicationFactoryClientOptions options) => Contract.ApiContracts.CreateCheckedClient(this, options);

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}

/// <summary>Hangfire's log for test hosts: nothing, so no host's disposed logger factory is ever reached from another.</summary>
internal sealed class QuietHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
{
    public static readonly QuietHangfireLog Instance = new();

    public Hangfire.Logging.ILog GetLogger(string name) => this;

    public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
}
