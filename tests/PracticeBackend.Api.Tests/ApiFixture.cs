using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using netDumbster.smtp;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The whole app — Kestrel on a real socket, the co-hosted silo, migrations — against its own
/// fresh PostgreSQL database, with every log line captured for the PHI checks.
/// </summary>
public sealed class ApiFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@practice.test";
    public const string AdminPassword = "correct horse battery staple";

    public string ConnectionString { get; private set; } = "";

    public CapturedLogs Logs { get; } = new();

    /// <summary>A real SMTP server on a loopback socket; every email the app sends arrives here.</summary>
    public SimpleSmtpServer Smtp { get; } = SimpleSmtpServer.Start(FreePorts.Next());

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("api");
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Practice", ConnectionString);
        builder.UseSetting("Practice:Silo:SiloPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Silo:GatewayPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Silo:ClusterId", "test-" + Guid.NewGuid().ToString("N"));
        builder.UseSetting("Practice:RateLimits:IntakePerMinute", "100000");
        builder.UseSetting("Practice:RateLimits:SignInPerMinute", "100000");
        builder.UseSetting("PRACTICE_ADMIN_EMAIL", AdminEmail);
        builder.UseSetting("PRACTICE_ADMIN_PASSWORD", AdminPassword);
        builder.UseSetting("Email:Mode", "Smtp");
        builder.UseSetting("Email:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Email:Smtp:Port", Smtp.Configuration.Port.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Email:Smtp:Security", "None");
        builder.UseSetting("Email:FromAddress", "hello@practice.test");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Smtp.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class Api : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
