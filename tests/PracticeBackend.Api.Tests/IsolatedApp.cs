using System.Globalization;
using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A second host in the test process, with its own database, silo ports and cluster, and no
/// Hangfire server (the shared <see cref="ApiFixture"/> runs the one per process). Subclasses add
/// the settings that make them different.
/// </summary>
public abstract class IsolatedApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync(GetType().Name.ToLowerInvariant()[..Math.Min(12, GetType().Name.Length)]);
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Practice", ConnectionString);
        builder.UseSetting("Practice:Silo:SiloPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Silo:GatewayPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Practice:Silo:ClusterId", "isolated-" + Guid.NewGuid().ToString("N"));
        builder.UseSetting("Practice:Jobs:RunServer", "false");

        // Hangfire keeps its log provider in a static: left to AddHangfire, this short-lived host would
        // point it at its own logger factory, which the other host's jobs then find disposed (STACK P4).
        builder.ConfigureTestServices(services => services.AddSingleton<IGlobalConfiguration>(_ => GlobalConfiguration.Configuration));
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
