using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// What the database alone can do, on the server and database the app then uses, before the app starts:
/// single-row INSERTs of an intake-sized row, each its own autocommit transaction (so each waits for its
/// WAL flush: fsync and synchronous_commit are on), from N connections with Npgsql, and the same INSERT
/// from pgbench beside it, to check the baseline itself.
/// </summary>
public sealed partial record Baseline(RawInserts Eight, RawInserts One, Pgbench? Pgbench)
{
    public const int Connections = 8;

    /// <summary>Shaped like intake_requests' main columns; its primary key and one secondary index, as there.</summary>
    private const string Table = """
        CREATE TABLE IF NOT EXISTS bench_raw_intake (
            id uuid PRIMARY KEY,
            client_id uuid NOT NULL,
            status varchar(32) NOT NULL,
            pace varchar(32) NOT NULL,
            preferred_format varchar(16) NOT NULL,
            time_zone varchar(64) NOT NULL,
            message_sealed bytea,
            submitted_at timestamptz NOT NULL,
            last_contact_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_bench_raw_intake_client_id ON bench_raw_intake (client_id);
        """;

    private const string Insert = """
        INSERT INTO bench_raw_intake (id, client_id, status, pace, preferred_format, time_zone, message_sealed, submitted_at, last_contact_at)
        VALUES ($1, $2, 'Submitted', 'Gentle', 'Either', 'America/Chicago', $3, $4, $4)
        """;

    /// <summary>The same row for pgbench (ids from the server, the same 200 bytes of sealed message).</summary>
    private const string PgbenchScript = """
        INSERT INTO bench_raw_intake (id, client_id, status, pace, preferred_format, time_zone, message_sealed, submitted_at, last_contact_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'Submitted', 'Gentle', 'Either', 'America/Chicago', decode(repeat('a5', 200), 'hex'), now(), now());
        """;

    public const int SealedMessageBytes = 200;

    public static async Task<Baseline> RunAsync(string connectionString, PostgresServer server, int seconds, Report report)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand(Table, connection);
            await create.ExecuteNonQueryAsync();
        }

        report.Section($"Baselines: single-row INSERT commits of an intake-sized row ({SealedMessageBytes}-byte bytea), each its own transaction");
        var duration = TimeSpan.FromSeconds(seconds);
        var eight = await RawInsertsAsync(connectionString, server, Connections, duration);
        report.Line($"raw INSERT, Npgsql, {Connections} connections, {seconds} s",
            $"{eight.CommitsPerSecond:0} commits/s; {eight.Latency.Describe()}; {eight.Window.Describe()}", "baseline (intake, 8 clients)");

        await ProcessCpu.WaitForQuietAsync(server.PostmasterPid, TimeSpan.FromMinutes(15));
        var pgbench = await PgbenchAsync(connectionString, Connections, seconds);
        if (pgbench is not null)
        {
            report.Line($"raw INSERT, pgbench -n -M prepared -c {Connections} -j 2 -T {seconds}",
                $"{pgbench.TransactionsPerSecond:0} tps; {pgbench.Latency.Describe()}",
                Report.Ratio(pgbench.TransactionsPerSecond / eight.CommitsPerSecond, "Npgsql's (checks the baseline)"));
        }
        else
        {
            report.Line("raw INSERT, pgbench", "not run: pgbench not found (apt-get install postgresql-client)");
        }

        var one = await RawInsertsAsync(connectionString, server, 1, duration);
        report.Line($"raw INSERT, Npgsql, 1 connection, {seconds} s",
            $"{one.CommitsPerSecond:0} commits/s; {one.Latency.Describe()}; {one.Window.Describe()}", "baseline (intake, 1 client)");
        report.Line($"client CPU per raw INSERT ({Connections} connections; this process)", $"{eight.ClientCpuMilliseconds:0.000} ms", "baseline (app CPU)");
        if (eight.PostgresCpuMilliseconds is { } database)
        {
            report.Line($"PostgreSQL CPU per raw INSERT ({Connections} connections)", $"{database:0.000} ms", "baseline (PostgreSQL CPU)");
        }

        return new Baseline(eight, one, pgbench);
    }

    /// <summary>N tasks, each with its own connection and a prepared INSERT, as fast as commits allow.</summary>
    private static async Task<RawInserts> RawInsertsAsync(string connectionString, PostgresServer server, int connections, TimeSpan duration)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        var clients = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => InsertingClient.OpenAsync(unpooled)));
        try
        {
            await ProcessCpu.WaitForQuietAsync(server.PostmasterPid, TimeSpan.FromMinutes(15));
            await Task.WhenAll(clients.Select(c => c.RunAsync(TimeSpan.FromSeconds(2)))); // warm-up (JIT), not counted
            var start = ProcessCpu.Take(server.PostmasterPid);
            var latencies = await Task.WhenAll(clients.Select(c => c.RunAsync(duration)));
            var window = ProcessCpu.Take(server.PostmasterPid).Since(start);
            var commits = latencies.Sum(l => l.Count);
            return new RawInserts(
                commits / window.Wall.TotalSeconds,
                Latency.Of(latencies.SelectMany(l => l)),
                window.App.TotalMilliseconds / commits,
                window.Postgres?.TotalMilliseconds / commits,
                window);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private sealed class InsertingClient(NpgsqlConnection connection, NpgsqlCommand insert) : IAsyncDisposable
    {
        public static async Task<InsertingClient> OpenAsync(string connectionString)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var insert = new NpgsqlCommand(Insert, connection)
            {
                Parameters =
                {
                    new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid },
                    new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid },
                    new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea },
                    new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz },
                },
            };
            await insert.PrepareAsync();
            return new InsertingClient(connection, insert);
        }

        public async Task<List<double>> RunAsync(TimeSpan duration)
        {
            var latencies = new List<double>(16384);
            var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var message = new byte[SealedMessageBytes];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                Random.Shared.NextBytes(message);
                insert.Parameters[0].Value = Guid.CreateVersion7();
                insert.Parameters[1].Value = Guid.CreateVersion7();
                insert.Parameters[2].Value = message;
                insert.Parameters[3].Value = DateTime.UtcNow;
                var begun = Stopwatch.GetTimestamp();
                await insert.ExecuteNonQueryAsync();
                latencies.Add(Stopwatch.GetElapsedTime(begun).TotalMilliseconds);
            }

            return latencies;
        }

        public async ValueTask DisposeAsync()
        {
            await insert.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>pgbench over TCP (works as root: no need to become the server's OS user), its per-transaction log read back for percentiles.</summary>
    private static async Task<Pgbench?> PgbenchAsync(string connectionString, int clients, int seconds)
    {
        if (FindPgbench() is not { } pgbench)
        {
            return null;
        }

        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var directory = Directory.CreateTempSubdirectory("practice-pgbench.");
        try
        {
            var script = Path.Combine(directory.FullName, "intake-insert.sql");
            await File.WriteAllTextAsync(script, PgbenchScript);
            var start = new ProcessStartInfo(pgbench) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[]
            {
                "-n", "-M", "prepared", "-f", script, "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2",
                "-T", seconds.ToString(CultureInfo.InvariantCulture), "--log", "--log-prefix=" + Path.Combine(directory.FullName, "pgbench"),
                "-h", target.Host!, "-p", target.Port.ToString(CultureInfo.InvariantCulture), "-U", target.Username!, target.Database!,
            })
            {
                start.ArgumentList.Add(argument);
            }

            if (target.Password is { } password)
            {
                start.Environment["PGPASSWORD"] = password;
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"pgbench failed ({process.ExitCode}):\n{await output}\n{await errors}");
            }

            // Each log line: client_id transaction_no latency_us script_no epoch epoch_us.
            var latencies = directory.EnumerateFiles("pgbench.*")
                .SelectMany(f => File.ReadLines(f.FullName))
                .Select(l => double.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture) / 1000.0);
            return new Pgbench(double.Parse(TpsLine().Match(await output).Groups[1].Value, CultureInfo.InvariantCulture), Latency.Of(latencies));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string? FindPgbench()
    {
        var newest = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "pgbench")))
                .OrderBy(d => int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin", "pgbench"))
                .LastOrDefault()
            : null;
        return newest ?? (File.Exists("/usr/bin/pgbench") ? "/usr/bin/pgbench" : null);
    }

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex TpsLine();
}

/// <param name="ClientCpuMilliseconds">This process's CPU per commit: the least a .NET client can spend on one.</param>
/// <param name="PostgresCpuMilliseconds">The server's CPU per commit, when its processes are local.</param>
public sealed record RawInserts(double CommitsPerSecond, Latency Latency, double ClientCpuMilliseconds, double? PostgresCpuMilliseconds, ProcessCpu.Window Window);

public sealed record Pgbench(double TransactionsPerSecond, Latency Latency);
