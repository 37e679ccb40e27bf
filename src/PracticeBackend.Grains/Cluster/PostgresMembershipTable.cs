using System.Data;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Cluster;

/// <summary>
/// Orleans cluster membership in our PostgreSQL (ADR 0017): <c>cluster_versions</c> holds one version row
/// per cluster, <c>cluster_members</c> one row per silo. This class is the only writer of both.
/// <list type="bullet">
/// <item>Every change to a member (insert, full update) bumps the version in the same transaction, and only
/// when the caller's expected version etag still matches: the <c>UPDATE … WHERE etag = expected</c> on the
/// version row is where concurrent writers queue, and the loser finds no row to update and answers false,
/// with nothing written. An update also requires the row's own etag, which heartbeats never change.</item>
/// <item>Heartbeats (<see cref="UpdateIAmAliveAsync"/>) write the one column, keep the latest time, and never touch
/// the version or the etags. A full update keeps the latest heartbeat too: an entry read before a heartbeat
/// never moves it back.</item>
/// <item>Reads are one statement, so the members and the version come from one snapshot.</item>
/// <item>False means "someone else changed it first" (Orleans re-reads and tries again); an exception means
/// the database could not answer.</item>
/// </list>
/// </summary>
public sealed partial class PostgresMembershipTable(
    IDbContextFactory<PracticeDbContext> contexts,
    IOptions<ClusterOptions> cluster,
    ILogger<PostgresMembershipTable> logger) : IMembershipTable
{
    private const string MemberColumns =
        "m.address, m.port, m.generation, m.silo_name, m.host_name, m.role_name, m.status, m.proxy_port, " +
        "m.update_zone, m.fault_zone, m.suspect_times, m.start_time, m.i_am_alive_time, m.etag";

    private readonly string _clusterId = cluster.Value.ClusterId;

    public async Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken = default)
    {
        if (!tryInitTableVersion)
        {
            return;
        }

        await ExecuteAsync(async (connection, _) =>
        {
            await using var insert = Command(connection,
                "INSERT INTO cluster_versions (cluster_id, version, etag, changed_at) VALUES (@cluster, 0, @etag, now()) ON CONFLICT (cluster_id) DO NOTHING");
            insert.Parameters.AddWithValue("etag", Guid.NewGuid());
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);
        LogInitialized(logger, _clusterId);
    }

    public Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async (connection, transaction) =>
        {
            // Members go with their version row (the foreign key cascades); both statements name the cluster.
            await using var members = Command(connection, "DELETE FROM cluster_members WHERE cluster_id = @cluster", transaction, clusterId);
            await members.ExecuteNonQueryAsync(cancellationToken);
            await using var version = Command(connection, "DELETE FROM cluster_versions WHERE cluster_id = @cluster", transaction, clusterId);
            await version.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken, IsolationLevel.ReadCommitted);

    /// <summary>
    /// Removes Dead silos whose last known update is before <paramref name="beforeDate"/>: the latest of their start,
    /// their heartbeat and the newest suspicion vote against them (Orleans' <c>MembershipEntry.EffectiveUpdateTime</c>,
    /// from which its cleanup agent computes the cutoff, so that a silo declared dead recently stays visible). Rows
    /// in any other state are the membership protocol's to declare Dead first; nothing else is removed here.
    /// </summary>
    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async (connection, _) =>
        {
            // Exact to the tick, as Orleans' cutoff is (when it trims the excess: an entry's last update plus one tick).
            // The time columns hold microseconds, so for them the cutoff is rounded up to one; a vote keeps every tick
            // in its text (SuspectTimes: "O", fixed width, so that byte order is time order).
            await using var delete = Command(connection,
                "DELETE FROM cluster_members WHERE cluster_id = @cluster AND status = @dead AND start_time < @before AND i_am_alive_time < @before " +
                "AND NOT EXISTS (SELECT 1 FROM unnest(string_to_array(suspect_times, '|')) AS vote WHERE split_part(vote, ',', 2) COLLATE \"C\" >= @before_text)");
            var before = beforeDate.UtcDateTime;
            delete.Parameters.AddWithValue("dead", (int)SiloStatus.Dead);
            delete.Parameters.AddWithValue("before", new DateTime(Math.Min((before.Ticks + 9) / 10 * 10, DateTime.MaxValue.Ticks), DateTimeKind.Utc));
            delete.Parameters.AddWithValue("before_text", before.ToString("O", CultureInfo.InvariantCulture));
            var removed = await delete.ExecuteNonQueryAsync(cancellationToken);
            LogCleanedUp(logger, _clusterId, removed);
            return true;
        }, cancellationToken);

    public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async (connection, _) =>
        {
            await using var read = Command(connection,
                $"SELECT v.version, v.etag, {MemberColumns} FROM cluster_versions v " +
                "LEFT JOIN cluster_members m ON m.cluster_id = v.cluster_id AND m.address = @address AND m.port = @port AND m.generation = @generation " +
                "WHERE v.cluster_id = @cluster");
            AddKey(read, key);
            return await ReadTableAsync(read, cancellationToken);
        }, cancellationToken);

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync(async (connection, _) =>
        {
            await using var read = Command(connection,
                $"SELECT v.version, v.etag, {MemberColumns} FROM cluster_versions v " +
                "LEFT JOIN cluster_members m ON m.cluster_id = v.cluster_id WHERE v.cluster_id = @cluster");
            return await ReadTableAsync(read, cancellationToken);
        }, cancellationToken);

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async (connection, transaction) =>
        {
            if (!await BumpVersionAsync(connection, transaction, tableVersion, cancellationToken))
            {
                return false;
            }

            await using var insert = Command(connection,
                "INSERT INTO cluster_members (cluster_id, address, port, generation, silo_name, host_name, role_name, status, proxy_port, " +
                "update_zone, fault_zone, suspect_times, start_time, i_am_alive_time, etag) VALUES (@cluster, @address, @port, @generation, " +
                "@silo_name, @host_name, @role_name, @status, @proxy_port, @update_zone, @fault_zone, @suspect_times, @start_time, @i_am_alive_time, @etag) " +
                "ON CONFLICT DO NOTHING", transaction);
            AddKey(insert, entry.SiloAddress);
            AddEntry(insert, entry);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                await transaction.CommitAsync(cancellationToken);
                return true;
            }

            await transaction.RollbackAsync(cancellationToken);
            return false;
        }, cancellationToken, IsolationLevel.ReadCommitted);

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async (connection, transaction) =>
        {
            if (!Guid.TryParse(etag, out var expectedRowEtag) || !await BumpVersionAsync(connection, transaction, tableVersion, cancellationToken))
            {
                return false;
            }

            await using var update = Command(connection,
                "UPDATE cluster_members SET silo_name = @silo_name, host_name = @host_name, role_name = @role_name, status = @status, " +
                "proxy_port = @proxy_port, update_zone = @update_zone, fault_zone = @fault_zone, suspect_times = @suspect_times, " +
                "start_time = @start_time, i_am_alive_time = GREATEST(i_am_alive_time, @i_am_alive_time), etag = @etag " +
                "WHERE cluster_id = @cluster AND address = @address AND port = @port AND generation = @generation AND etag = @expected_etag", transaction);
            AddKey(update, entry.SiloAddress);
            AddEntry(update, entry);
            update.Parameters.AddWithValue("expected_etag", expectedRowEtag);
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                await transaction.CommitAsync(cancellationToken);
                return true;
            }

            await transaction.RollbackAsync(cancellationToken);
            return false;
        }, cancellationToken, IsolationLevel.ReadCommitted);

    /// <summary>The silo's heartbeat: its own row's one column, the later time kept; a removed row stays removed.</summary>
    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async (connection, _) =>
        {
            await using var update = Command(connection,
                "UPDATE cluster_members SET i_am_alive_time = GREATEST(i_am_alive_time, @i_am_alive_time) " +
                "WHERE cluster_id = @cluster AND address = @address AND port = @port AND generation = @generation");
            AddKey(update, entry.SiloAddress);
            update.Parameters.AddWithValue("i_am_alive_time", Utc(entry.IAmAliveTime));
            await update.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);

    // The interface's older members, which Orleans 10.4 still declares (and its *Async defaults call).
    Task IMembershipTable.InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion);

    Task IMembershipTable.DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId);

    Task IMembershipTable.CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate);

    Task<MembershipTableData> IMembershipTable.ReadRow(SiloAddress key) => ReadRowAsync(key);

    Task<MembershipTableData> IMembershipTable.ReadAll() => ReadAllAsync();

    Task<bool> IMembershipTable.InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion);

    Task<bool> IMembershipTable.UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => UpdateRowAsync(entry, etag, tableVersion);

    Task IMembershipTable.UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry);

    /// <summary>Moves the version on by one when the caller read the current one (its etag and number); false, and nothing written, when not.</summary>
    private async Task<bool> BumpVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(tableVersion.VersionEtag, out var expected))
        {
            return false;
        }

        await using var bump = Command(connection,
            "UPDATE cluster_versions SET version = @version, etag = @new_etag, changed_at = now() " +
            "WHERE cluster_id = @cluster AND etag = @expected AND version = @version - 1", transaction);
        bump.Parameters.AddWithValue("version", tableVersion.Version);
        bump.Parameters.AddWithValue("new_etag", Guid.NewGuid());
        bump.Parameters.AddWithValue("expected", expected);
        if (await bump.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return true;
        }

        await transaction.RollbackAsync(cancellationToken);
        return false;
    }

    private static async Task<MembershipTableData> ReadTableAsync(NpgsqlCommand read, CancellationToken cancellationToken)
    {
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var members = new List<Tuple<MembershipEntry, string>>();
        TableVersion? version = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            version ??= new TableVersion(reader.GetInt32(0), reader.GetGuid(1).ToString());
            if (!reader.IsDBNull(2))
            {
                members.Add(Tuple.Create(ReadEntry(reader), reader.GetGuid(15).ToString()));
            }
        }

        // No version row: the table was never initialised for this cluster (or was deleted). Orleans reads
        // version 0 as "empty"; its next insert then fails on the missing row, as it should.
        return new MembershipTableData(members, version ?? new TableVersion(0, Guid.Empty.ToString()));
    }

    private static MembershipEntry ReadEntry(NpgsqlDataReader reader) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Parse(reader.GetString(2)), reader.GetInt32(3)), reader.GetInt32(4)),
        SiloName = reader.GetString(5),
        HostName = reader.GetString(6),
        RoleName = reader.IsDBNull(7) ? null : reader.GetString(7),
        Status = (SiloStatus)reader.GetInt32(8),
        ProxyPort = reader.GetInt32(9),
        UpdateZone = reader.GetInt32(10),
        FaultZone = reader.GetInt32(11),
        SuspectTimes = SuspectTimes.Parse(reader.GetString(12)),
        StartTime = reader.GetFieldValue<DateTime>(13),
        IAmAliveTime = reader.GetFieldValue<DateTime>(14),
    };

    private static void AddKey(NpgsqlCommand command, SiloAddress silo)
    {
        command.Parameters.AddWithValue("address", silo.Endpoint.Address.ToString());
        command.Parameters.AddWithValue("port", silo.Endpoint.Port);
        command.Parameters.AddWithValue("generation", silo.Generation);
    }

    private static void AddEntry(NpgsqlCommand command, MembershipEntry entry)
    {
        command.Parameters.AddWithValue("silo_name", entry.SiloName ?? "");
        command.Parameters.AddWithValue("host_name", entry.HostName ?? "");
        command.Parameters.AddWithValue("role_name", (object?)entry.RoleName ?? DBNull.Value);
        command.Parameters.AddWithValue("status", (int)entry.Status);
        command.Parameters.AddWithValue("proxy_port", entry.ProxyPort);
        command.Parameters.AddWithValue("update_zone", entry.UpdateZone);
        command.Parameters.AddWithValue("fault_zone", entry.FaultZone);
        command.Parameters.AddWithValue("suspect_times", SuspectTimes.Format(entry.SuspectTimes));
        command.Parameters.AddWithValue("start_time", Utc(entry.StartTime));
        command.Parameters.AddWithValue("i_am_alive_time", Utc(entry.IAmAliveTime));
        command.Parameters.AddWithValue("etag", Guid.NewGuid());
    }

    /// <summary>Orleans' times are UTC <see cref="DateTime"/>s, or Unspecified ones meaning UTC (default values); Npgsql takes UTC only (STACK P8).</summary>
    private static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null, string? clusterId = null)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("cluster", clusterId ?? _clusterId);
        return command;
    }

    /// <summary>
    /// One connection for one operation; with an isolation level, one transaction around it (rolled back unless
    /// the operation commits). Failures propagate: Orleans retries a membership operation that threw.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> operation, CancellationToken cancellationToken, IsolationLevel? isolation = null)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        if (isolation is not { } level)
        {
            return await operation(connection, null!);
        }

        await using var transaction = await connection.BeginTransactionAsync(level, cancellationToken);
        return await operation(connection, transaction);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {ClusterId}: membership table ready")]
    private static partial void LogInitialized(ILogger logger, string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {ClusterId}: removed {Removed} defunct silo rows")]
    private static partial void LogCleanedUp(ILogger logger, string clusterId, int removed);
}

/// <summary>
/// The suspicions column: one <c>ip:port@generation,time</c> entry per vote, joined by "|" — the suspecting silo as
/// <see cref="SiloAddress.ToParsableString"/> writes it (an IPv6 address unbracketed), then the vote's UTC time in
/// round-trip form ("O": <c>2026-12-02T10:00:20.1234567Z</c>). Empty: no votes.
/// </summary>
internal static class SuspectTimes
{
    public static string Format(List<Tuple<SiloAddress, DateTime>>? suspicions) =>
        suspicions is null or { Count: 0 }
            ? ""
            : string.Join('|', suspicions.Select(s => $"{s.Item1.ToParsableString()},{DateTime.SpecifyKind(s.Item2, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture)}"));

    public static List<Tuple<SiloAddress, DateTime>> Parse(string stored) =>
        stored.Length == 0
            ? []
            : [.. stored.Split('|').Select(item =>
            {
                var comma = item.LastIndexOf(',');
                return Tuple.Create(
                    SiloAddress.FromParsableString(item[..comma]),
                    DateTime.Parse(item[(comma + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
            })];
}
