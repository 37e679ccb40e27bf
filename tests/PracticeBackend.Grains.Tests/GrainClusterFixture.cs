using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;
using PracticeBackend.Testing;

namespace PracticeBackend.Grains.Tests;

/// <summary>An in-process Orleans cluster whose grains write to a fresh, migrated PostgreSQL database.</summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    private InProcessTestCluster? _cluster;

    public string ConnectionString { get; private set; } = "";

    public IGrainFactory Grains => _cluster!.Client;

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("grains");
        await using (var db = CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        var connectionString = ConnectionString;
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddDbContextFactory<PracticeDbContext>(o => PracticeDatabase.Configure(o, connectionString));
            silo.Services.AddSingleton(new PracticeClock(TimeProvider.System));
            silo.Services.AddSingleton(PacingSettings.Default);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public PracticeDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<PracticeDbContext>();
        PracticeDatabase.Configure(options, ConnectionString);
        return new PracticeDbContext(options.Options);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GrainCluster : ICollectionFixture<GrainClusterFixture>
{
    public const string Name = "grain cluster";
}
