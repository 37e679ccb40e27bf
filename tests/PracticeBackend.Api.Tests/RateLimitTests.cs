using System.Globalization;
using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A host of its own with a low intake limit (the shared fixture sets limits out of reach, since all
/// its tests come from one address). No Hangfire server here: one per test process is enough.
/// </summary>
public sealed class RateLimitedApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const int IntakePerMinute = 3;

    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync("ratelimit");
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Practice", _connectionString);
        builder.UseSetting("Practice:Silo:SiloPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Silo:GatewayPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Silo:ClusterId", "ratelimit-" + Guid.NewGuid().ToString("N"));
        builder.UseSetting("Practice:RateLimits:IntakePerMinute", IntakePerMinute.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Jobs:RunServer", "false");

        // Hangfire keeps its log provider in a static: left to AddHangfire, this short-lived host would
        // point it at its own logger factory, which the other host's jobs then find disposed (STACK P4).
        builder.ConfigureTestServices(services => services.AddSingleton<IGlobalConfiguration>(_ => GlobalConfiguration.Configuration));
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}

public sealed class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task Intake_Answers429WithRetryAfter_OnceAnAddressPassesItsLimit()
    {
        using var client = app.CreateClient();
        for (var i = 0; i < RateLimitedApp.IntakePerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(IntakeForms.Post(IntakeForms.Valid()))).StatusCode);
        }

        var limited = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid()));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }
}
