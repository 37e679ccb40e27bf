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
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var admin = await Server.Value;
        var name = $"t_{purpose}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
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

    private static async Task<string> RunScriptAsync(params string[] arguments)
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
