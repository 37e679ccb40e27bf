using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using netDumbster.smtp;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The shared app for most API tests: real time, the process's one Hangfire server, a first admin,
/// a real SMTP server, and every log line captured for the PHI checks. Hosts with other practice
/// settings derive from it.
/// </summary>
public class ApiFixture : PracticeAppFactory
{
    public const string AdminEmail = "admin@practice.test";
    public const string AdminPassword = "correct horse battery staple";

    public CapturedLogs Logs { get; } = new();

    /// <summary>A real SMTP server on a loopback socket; every email the app sends arrives here.</summary>
    public SimpleSmtpServer Smtp { get; } = SimpleSmtpServer.Start(FreePorts.Next());

    protected override bool RunsJobServer => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithoutRateLimits(builder);
        WithFirstAdmin(builder, AdminEmail, AdminPassword);
        WithSmtp(builder, Smtp.Configuration.Port);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Smtp.Dispose();
        GC.SuppressFinalize(this);
    }
}

[CollectionDefinition(Name)]
public sealed class Api : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
