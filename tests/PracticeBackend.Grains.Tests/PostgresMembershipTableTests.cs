using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using PracticeBackend.Grains.Cluster;
using PracticeBackend.Grains.Data;
using PracticeBackend.Testing;

namespace PracticeBackend.Grains.Tests;

/// <summary>
/// The membership table's contract with Orleans (ADR 0017), against real PostgreSQL: what silos rely on when they
/// join, vote each other dead and heartbeat. Each test has a cluster id of its own in one shared database.
/// </summary>
public sealed class PostgresMembershipTableTests(MembershipDatabase database) : IClassFixture<MembershipDatabase>
{
    private static readonly DateTime Now = new(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ANewCluster_ReadsAsEmpty_AtVersionZero()
    {
        var table = await database.TableAsync();

        var read = await table.ReadAllAsync();

        Assert.Empty(read.Members);
        Assert.Equal(0, read.Version.Version);
        Assert.False(string.IsNullOrEmpty(read.Version.VersionEtag));
    }

    [Fact]
    public async Task Initialising_Twice_KeepsTheVersion()
    {
        var table = await database.TableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1), (await table.ReadAllAsync()).Version.Next()));

        await table.InitializeMembershipTableAsync(true);

        Assert.Equal(1, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Inserting_AddsTheSilo_AndMovesTheVersionOn()
    {
        var table = await database.TableAsync();
        var before = (await table.ReadAllAsync()).Version;

        Assert.True(await table.InsertRowAsync(Entry(1), before.Next()));

        var after = await table.ReadRowAsync(Entry(1).SiloAddress);
        var (entry, etag) = Assert.Single(after.Members);
        Assert.Equal(Entry(1).ToFullString(), entry.ToFullString());
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(1, after.Version.Version);
        Assert.NotEqual(before.VersionEtag, after.Version.VersionEtag);
    }

    [Fact]
    public async Task AnInsert_FromAStaleRead_OrOfASiloAlreadyThere_IsRefused_AndChangesNothing()
    {
        var table = await database.TableAsync();
        var stale = (await table.ReadAllAsync()).Version;
        Assert.True(await table.InsertRowAsync(Entry(1), stale.Next()));

        Assert.False(await table.InsertRowAsync(Entry(1), stale.Next()));   // the same silo, stale version
        Assert.False(await table.InsertRowAsync(Entry(2), stale.Next()));   // another silo, stale version
        var current = (await table.ReadAllAsync()).Version;
        Assert.False(await table.InsertRowAsync(Entry(1), current.Next())); // the same silo again, current version

        var read = await table.ReadAllAsync();
        Assert.Single(read.Members);
        Assert.Equal(current, read.Version);
    }

    [Fact]
    public async Task AnUpdate_WritesTheWholeEntry_OnlyWithTheCurrentVersionAndRowEtag()
    {
        var table = await database.TableAsync();
        var before = (await table.ReadAllAsync()).Version;
        Assert.True(await table.InsertRowAsync(Entry(1), before.Next()));
        var read = await table.ReadAllAsync();
        var (entry, etag) = read.Members.Single();
        Assert.NotNull(entry);

        // Another silo's vote, then its death: what the membership protocol writes into a silo's row.
        entry.Status = SiloStatus.Dead;
        entry.AddOrUpdateSuspector(Entry(2).SiloAddress, Now.AddSeconds(20), 2);
        entry.AddOrUpdateSuspector(Entry(3).SiloAddress, Now.AddSeconds(21), 2);
        entry.IAmAliveTime = Now.AddSeconds(15);

        Assert.False(await table.UpdateRowAsync(entry, etag, read.Version));               // the version not moved on
        Assert.False(await table.UpdateRowAsync(entry, etag, before.Next()));              // the version read before the insert
        Assert.False(await table.UpdateRowAsync(entry, Guid.NewGuid().ToString(), read.Version.Next())); // another row etag
        Assert.False(await table.UpdateRowAsync(Entry(9), etag, read.Version.Next()));     // no such silo

        // None of them wrote anything: the version, the row's etag and the row are as they were.
        var unchanged = await table.ReadAllAsync();
        Assert.Equal(read.Version, unchanged.Version);
        var (untouched, untouchedEtag) = unchanged.Members.Single();
        Assert.Equal(etag, untouchedEtag);
        Assert.Equal(Entry(1).ToFullString(), untouched.ToFullString());

        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));
        Assert.False(await table.UpdateRowAsync(entry, etag, read.Version.Next()));        // the same inputs twice

        var after = await table.ReadAllAsync();
        var (stored, newEtag) = after.Members.Single();
        Assert.Equal(entry.ToFullString(), stored.ToFullString());
        Assert.Equal(2, stored.SuspectTimes?.Count);
        Assert.NotEqual(etag, newEtag);
        Assert.Equal(2, after.Version.Version);
    }

    [Fact]
    public async Task OfTwentySilosInsertingAtOnce_FromOneRead_ExactlyOneSucceeds()
    {
        var table = await database.TableAsync();
        var version = (await table.ReadAllAsync()).Version.Next();

        var results = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() => table.InsertRowAsync(Entry(i), version))));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single((await table.ReadAllAsync()).Members);
    }

    [Fact]
    public async Task SilosUpdatingAtOnce_WhoReadAgainWhenRefused_AllGetThrough_AndTheVersionCountsEveryChange()
    {
        var table = await database.TableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1), (await table.ReadAllAsync()).Version.Next()));

        var refusals = await Task.WhenAll(Enumerable.Range(2, 19).Select(voter => Task.Run(async () =>
        {
            var refused = 0;
            while (true)
            {
                var read = await table.ReadAllAsync();
                var (entry, etag) = read.Members.Single();
        Assert.NotNull(entry);
                entry.AddOrUpdateSuspector(Entry(voter).SiloAddress, Now, 100);
                if (await table.UpdateRowAsync(entry, etag, read.Version.Next()))
                {
                    return refused;
                }

                refused++;
            }
        })));

        var final = await table.ReadAllAsync();
        Assert.Equal(20, final.Version.Version);
        Assert.Equal(19, final.Members.Single().Item1.SuspectTimes?.Count);
        Assert.True(refusals.Sum() > 0, "no update ever met another: the test did not test contention");
    }

    [Fact]
    public async Task AHeartbeat_KeepsTheLaterTime_AndLeavesTheVersionAndEtagsUsable()
    {
        var table = await database.TableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1), (await table.ReadAllAsync()).Version.Next()));
        var read = await table.ReadAllAsync();
        var (entry, etag) = read.Members.Single();
        Assert.NotNull(entry);

        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = Now.AddMinutes(5) });
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = Now.AddMinutes(1) }); // late, out of order

        var after = await table.ReadAllAsync();
        Assert.Equal(read.Version, after.Version);
        Assert.Equal(etag, after.Members.Single().Item2);
        Assert.Equal(Now.AddMinutes(5), after.Members.Single().Item1.IAmAliveTime);

        // What was read before the heartbeats still updates the row (the heartbeat is no rival writer).
        entry.Status = SiloStatus.ShuttingDown;
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));
    }

    [Fact]
    public async Task AnUpdate_CarryingAnOlderHeartbeatThanTheStoredOne_DoesNotMoveItBack()
    {
        var table = await database.TableAsync();
        Assert.True(await table.InsertRowAsync(Entry(1), (await table.ReadAllAsync()).Version.Next()));
        var read = await table.ReadAllAsync();
        var (entry, etag) = read.Members.Single();
        Assert.NotNull(entry);
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = Now.AddMinutes(5) });

        // Another silo's vote, written from what it read before that heartbeat: the entry still says Now.
        entry.AddOrUpdateSuspector(Entry(2).SiloAddress, Now.AddMinutes(6), 2);
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));

        var stored = (await table.ReadAllAsync()).Members.Single().Item1;
        Assert.Equal(Now.AddMinutes(5), stored.IAmAliveTime);
        Assert.Single(stored.SuspectTimes!);
    }

    [Fact]
    public async Task AHeartbeat_OfASiloNoLongerInTheTable_DoesNotBringItBack()
    {
        var table = await database.TableAsync();

        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = Entry(1).SiloAddress, IAmAliveTime = Now });

        Assert.Empty((await table.ReadAllAsync()).Members);
    }

    [Fact]
    public async Task Cleanup_RemovesDeadSilos_WhoseStartHeartbeatAndLastVoteAreAllBeforeTheCutoff_AndNothingElse()
    {
        var table = await database.TableAsync();
        var old = Now.AddDays(-10);
        var entries = new List<MembershipEntry>();
        var port = 1;
        foreach (var status in new[] { SiloStatus.Created, SiloStatus.Joining, SiloStatus.Active, SiloStatus.ShuttingDown, SiloStatus.Stopping, SiloStatus.Dead })
        {
            entries.Add(Entry(port++, status, old));
        }

        entries.Add(Entry(port++, SiloStatus.Dead, Now));                              // died recently
        var heartbeatLater = Entry(port++, SiloStatus.Dead, old);
        heartbeatLater.IAmAliveTime = Now;                                             // started long ago, alive until recently
        entries.Add(heartbeatLater);
        var declaredLater = Entry(port++, SiloStatus.Dead, old);
        declaredLater.AddOrUpdateSuspector(Entry(90).SiloAddress, old.AddDays(1), 3);
        declaredLater.AddOrUpdateSuspector(Entry(91).SiloAddress, Now, 3);            // silent long ago, declared dead recently
        entries.Add(declaredLater);
        var votedLongAgo = Entry(port, SiloStatus.Dead, old);
        votedLongAgo.AddOrUpdateSuspector(Entry(92).SiloAddress, old.AddDays(1), 3);
        entries.Add(votedLongAgo);
        foreach (var entry in entries)
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        await table.CleanupDefunctSiloEntriesAsync(Now.AddDays(-7));

        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToHashSet();
        var removed = entries.Where(e => !left.Contains(e.SiloAddress)).ToList();
        Assert.Equal([entries[5].SiloAddress, votedLongAgo.SiloAddress], removed.Select(e => e.SiloAddress));
    }

    [Fact]
    public async Task Cleanup_UpToJustAfterAVote_AsOrleansCutsOffTheExcess_RemovesThatSilo_AndKeepsOneVotedAMicrosecondLater()
    {
        var table = await database.TableAsync();
        var vote = Now.AddDays(-8).AddTicks(7);                                        // votes keep every tick; the columns keep microseconds
        var first = Entry(1, SiloStatus.Dead, Now.AddDays(-10));
        first.AddOrUpdateSuspector(Entry(90).SiloAddress, vote, 3);
        var second = Entry(2, SiloStatus.Dead, Now.AddDays(-10));
        second.AddOrUpdateSuspector(Entry(90).SiloAddress, vote.AddTicks(10), 3);
        Assert.True(await table.InsertRowAsync(first, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(second, (await table.ReadAllAsync()).Version.Next()));

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(vote.AddTicks(1)));

        Assert.Equal(second.SiloAddress, (await table.ReadAllAsync()).Members.Single().Item1.SiloAddress);
    }

    [Fact]
    public async Task Deleting_AClustersEntries_LeavesAClusterWhoseIdStartsTheSame()
    {
        var clusterId = "practice-" + Guid.NewGuid().ToString("N")[..8];
        var table = await database.TableAsync(clusterId);
        var neighbour = await database.TableAsync(clusterId + "0");
        Assert.True(await table.InsertRowAsync(Entry(1), (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await neighbour.InsertRowAsync(Entry(1), (await neighbour.ReadAllAsync()).Version.Next()));

        await table.DeleteMembershipTableEntriesAsync(clusterId);

        Assert.Empty((await table.ReadAllAsync()).Members);
        Assert.Single((await neighbour.ReadAllAsync()).Members);
        await using var db = database.CreateDbContext();
        Assert.False(await db.ClusterVersions.AnyAsync(v => v.ClusterId == clusterId));
    }

    private static MembershipEntry Entry(int port, SiloStatus status = SiloStatus.Active, DateTime? started = null) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 20000 + port), 42),
        Status = status,
        HostName = "node-" + port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        SiloName = "silo-" + port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ProxyPort = 30000 + port,
        UpdateZone = 1,
        FaultZone = 2,
        StartTime = started ?? Now,
        IAmAliveTime = started ?? Now,
        SuspectTimes = [],
    };
}

/// <summary>A migrated database of its own for the membership table's tests; each table made here gets a fresh cluster id unless given one.</summary>
public sealed class MembershipDatabase : IAsyncLifetime
{
    private ServiceProvider? _services;

    public async Task InitializeAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("membership");
        _services = new ServiceCollection()
            .AddDbContextFactory<PracticeDbContext>(o => PracticeDatabase.Configure(o, connectionString))
            .BuildServiceProvider();
        await using var db = CreateDbContext();
        await db.Database.MigrateAsync();
    }

    public PracticeDbContext CreateDbContext() => _services!.GetRequiredService<IDbContextFactory<PracticeDbContext>>().CreateDbContext();

    public async Task<IMembershipTable> TableAsync(string? clusterId = null)
    {
        var table = new PostgresMembershipTable(
            _services!.GetRequiredService<IDbContextFactory<PracticeDbContext>>(),
            Options.Create(new ClusterOptions { ClusterId = clusterId ?? "test-" + Guid.NewGuid().ToString("N"), ServiceId = "practice-backend" }),
            NullLogger<PostgresMembershipTable>.Instance);
        await table.InitializeMembershipTableAsync(true);
        return table;
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
