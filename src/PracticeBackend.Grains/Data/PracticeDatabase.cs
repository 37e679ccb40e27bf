using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore.Design;

namespace PracticeBackend.Grains.Data;

/// <summary>How every process (the app, the tests, <c>dotnet ef</c>) points EF Core at our PostgreSQL.</summary>
public static class PracticeDatabase
{
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(Tuned(connectionString), npgsql => npgsql.MigrationsHistoryTable("ef_migrations_history"))
            .UseSnakeCaseNamingConvention()

            // A failed command surfaces as an exception, which the caller handles (a unique-key race answered
            // from the winner's row) or reports once, with context: EF's own error lines would log the handled
            // races as errors with stack traces, and every failure twice (a database outage is reported once, as the 503 it becomes).
            .ConfigureWarnings(warnings => warnings.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug)));

    /// <summary>
    /// The connection settings every pool of ours uses (EF's and Hangfire's), unless the connection string
    /// sets them itself. Statements used twice are prepared on the server (<c>Max Auto Prepare</c>): EF and
    /// Hangfire send the same few statements all day, and parsing and planning each one again was a large share
    /// of the database's CPU per intake. A connection going back to the pool is not reset (<c>No Reset On
    /// Close</c>; the reset is a round trip per use): nothing of ours leaves session state behind — no SET, no
    /// temporary tables, no session advisory locks (the start-up lock has a connection of its own, outside the
    /// pool). Measured in docs/benchmarks.md.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var keys = given.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var tuned = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!keys.Contains("MaxAutoPrepare"))
        {
            tuned.MaxAutoPrepare = 100;
        }

        if (!keys.Contains("NoResetOnClose"))
        {
            tuned.NoResetOnClose = true;
        }

        return tuned.ConnectionString;
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a database or the app's start-up (STACK P7).</summary>
internal sealed class DesignTimePracticeDbContextFactory : IDesignTimeDbContextFactory<PracticeDbContext>
{
    public PracticeDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PracticeDbContext>();
        PracticeDatabase.Configure(options, "Host=localhost;Database=design_time_only");
        return new PracticeDbContext(options.Options);
    }
}
