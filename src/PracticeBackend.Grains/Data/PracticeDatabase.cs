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
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("ef_migrations_history"))
            .UseSnakeCaseNamingConvention()

            // A failed command surfaces as an exception, which the caller handles (a unique-key race answered
            // from the winner's row) or reports once, with context: EF's own error lines would log the handled
            // races as errors with stack traces, and every failure twice (a database outage is reported once, as the 503 it becomes).
            .ConfigureWarnings(warnings => warnings.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug)));
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
