using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// Applies migrations in the host's Starting phase, before the silo or anything else that touches
/// the tables starts. Nodes starting together take turns (<see cref="StartUpLock"/>), so they migrate once.
/// </summary>
internal sealed partial class DatabaseMigrator(
    IDbContextFactory<PracticeDbContext> contexts,
    IOptions<PracticeOptions> options,
    StartUpLock startUpLock,
    ILogger<DatabaseMigrator> logger) : StartingPhaseTask
{
    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Database.MigrateOnStart)
        {
            LogSkipped(logger);
            return;
        }

        await using var exclusive = await startUpLock.AcquireAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
        await db.Database.MigrateAsync(cancellationToken);
        LogMigrated(logger, pending);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database migrated ({PendingCount} migrations applied)")]
    private static partial void LogMigrated(ILogger logger, int pendingCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Practice:Database:MigrateOnStart is off; not migrating")]
    private static partial void LogSkipped(ILogger logger);
}
