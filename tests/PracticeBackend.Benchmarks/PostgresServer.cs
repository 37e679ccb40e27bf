using Npgsql;

namespace PracticeBackend.Benchmarks;

/// <summary>The server every measurement shares: its durability settings, as the server itself reports them, and its processes.</summary>
public sealed record PostgresServer(string Version, string Fsync, string SynchronousCommit, string WalSyncMethod, int? PostmasterPid)
{
    public static async Task<PostgresServer> InspectAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        async Task<string> Show(string setting)
        {
            await using var command = new NpgsqlCommand($"SHOW {setting}", connection);
            return (string)(await command.ExecuteScalarAsync())!;
        }

        await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await pid.ExecuteScalarAsync())!;
        return new PostgresServer(
            await Show("server_version"), await Show("fsync"), await Show("synchronous_commit"), await Show("wal_sync_method"),
            ProcessCpu.ParentOf(backend));
    }

    public string Describe() => $"PostgreSQL {Version}; SHOW fsync = {Fsync}, SHOW synchronous_commit = {SynchronousCommit}, wal_sync_method = {WalSyncMethod}";
}
