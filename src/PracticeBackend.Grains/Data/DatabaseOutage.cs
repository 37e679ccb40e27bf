using System.Net.Sockets;
using Npgsql;

namespace PracticeBackend.Grains.Data;

/// <summary>
/// Failures that say the database is away for a moment (it restarts, refuses connections, times out) rather
/// than that the request was wrong: the caller should answer "try again shortly", not "something broke".
/// </summary>
public static class DatabaseOutage
{
    public static bool Is(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(Is))
            {
                return true;
            }

            if (current switch
            {
                PostgresException postgres => IsOutageState(postgres.SqlState),
                NpgsqlException { IsTransient: true } => true,
                TimeoutException or SocketException => true,
                _ => false,
            })
            {
                return true;
            }
        }

        return false;
    }

    // 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed or starting;
    // 53300: too many connections. https://www.postgresql.org/docs/current/errcodes-appendix.html
    private static bool IsOutageState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState is "57P01" or "57P02" or "57P03" or "53300";
}
