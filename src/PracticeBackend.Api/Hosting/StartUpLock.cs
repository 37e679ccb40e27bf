using Npgsql;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// Start-up work that nodes starting at the same moment must do one after the other (migrations,
/// the first admin): a PostgreSQL advisory lock on a connection of its own, outside the pool, so
/// the lock ends with that connection — at the end of the work, or when a crashed node's socket closes.
/// EF Core's own migration lock does not cover this: with Npgsql it lasts one migration's transaction.
/// </summary>
internal sealed class StartUpLock(IConfiguration configuration)
{
    // Any fixed number shared by every node; pg_advisory_lock keys are application-chosen.
    private const long Key = 0x5052_4143_5449_4345; // "PRACTICE"

    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("Practice")) { Pooling = false }.ConnectionString;
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", Key);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch (Exception)
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
