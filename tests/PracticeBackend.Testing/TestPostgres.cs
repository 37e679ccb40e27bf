using System.Diagnostics;
using Npgsql;

namespace PracticeBackend.Testing;

/// <summary>
/// The PostgreSQL every test talks to. <c>PRACTICE_TEST_DATABASE</c> names a server (./test.sh sets
/// it); otherwise one throwaway server per test process is started with deploy/local-postgres.sh,
/// the same script ./run.sh uses, and removed when the process exits. Each fixture gets its own database.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<string>> Server = new(StartAsync);
    private static string? _throwawayDirectory;

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose) => await CreateDatabaseAsync(await Server.Value, purpose);

    /// <summary>Creates an empty database on the server <paramref name="admin"/> points at.</summary>
    public static async Task<string> CreateDatabaseAsync(string admin, string purpose)
    {
        var name = $"t_{purpose}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        // Pools outlive the hosts that used them (Npgsql keeps them per connection string), and their idle
        // connections would otherwise stay open for five minutes: with many hosts in one run, more than the
        // server's max_connections. Closed after 10 s idle instead.
        return new NpgsqlConnectionStringBuilder(admin)
        {
            Database = name,
            Pooling = true,
            ConnectionIdleLifetime = 10,
            ConnectionPruningInterval = 2,
        }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("PRACTICE_TEST_DATABASE") is { Length: > 0 } configured)
        {
            return configured;
        }

        var output = await RunScriptAsync("throwaway");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _throwawayDirectory = lines.Single(l => l.StartsWith("DATADIR=", StringComparison.Ordinal))["DATADIR=".Length..];
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunScriptAsync("destroy", _throwawayDirectory).GetAwaiter().GetResult();
        return lines.Single(l => l.StartsWith("CONNECTION=", StringComparison.Ordinal))["CONNECTION=".Length..];
    }

    internal static async Task<string> RunScriptAsync(params string[] arguments)
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "local-postgres.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"deploy/local-postgres.sh {string.Join(' ', arguments)} failed ({process.ExitCode}). Set PRACTICE_TEST_DATABASE to use an existing server.\n{await stderr}");
        }

        return await stdout;
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PracticeBackend.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("PracticeBackend.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// A second throwaway PostgreSQL server of a test's own, which the test may stop and start (an outage);
/// the shared server is never stopped. Removed on dispose.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private ThrowawayPostgres(string dataDirectory, string adminConnectionString)
    {
        DataDirectory = dataDirectory;
        AdminConnectionString = adminConnectionString;
        Port = new NpgsqlConnectionStringBuilder(adminConnectionString).Port;
    }

    public string DataDirectory { get; }

    /// <summary>The server's <c>postgres</c> database, as its superuser.</summary>
    public string AdminConnectionString { get; }

    public int Port { get; }

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var lines = (await TestPostgres.RunScriptAsync("throwaway")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new ThrowawayPostgres(
            lines.Single(l => l.StartsWith("DATADIR=", StringComparison.Ordinal))["DATADIR=".Length..],
            lines.Single(l => l.StartsWith("CONNECTION=", StringComparison.Ordinal))["CONNECTION=".Length..]);
    }

    public Task<string> CreateDatabaseAsync(string purpose) => TestPostgres.CreateDatabaseAsync(AdminConnectionString, purpose);

    /// <summary>A fast shutdown: open sessions are ended (57P01) and new connections are refused until <see cref="StartAgainAsync"/>.</summary>
    public Task StopAsync() => TestPostgres.RunScriptAsync("stop", DataDirectory);

    public Task StartAgainAsync() => TestPostgres.RunScriptAsync("start", DataDirectory, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync() => await TestPostgres.RunScriptAsync("destroy", DataDirectory);
}
