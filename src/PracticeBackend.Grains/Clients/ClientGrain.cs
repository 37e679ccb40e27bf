using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Messaging;

namespace PracticeBackend.Grains.Clients;

/// <summary>
/// The person: the single writer of their client row, requests and their timeline, consent ledger, link
/// tokens and messages (ADR 0001). It holds their <see cref="Domain.Messages.Correspondence"/> in memory,
/// loaded on activation; a command asks it, and the rows it changed are written through in one
/// transaction, guarded by the client row's <c>xmin</c>. A conflict means another activation (or another
/// writer) got there first: the state is reloaded and the command tried once more, on what is now true.
/// </summary>
/// <remarks>Placed on the node that first asks for it (ADR 0017): the node that took the person's request then works
/// on their aggregate without a hop to another silo; the load balancer has already spread the requests.</remarks>
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class ClientGrain(
    IDbContextFactory<PracticeDbContext> contexts,
    PacingSettings pacing,
    PracticeClock clock,
    ILogger<ClientGrain> logger) : Grain, IClientGrain, IIncomingGrainCallFilter
{
    /// <summary>The person's rows as last written; null while no such client exists.</summary>
    private CorrespondenceRows? _rows;

    private bool _loaded;

    /// <summary>
    /// The person is loaded before the first command of an activation runs — unless that command is the
    /// first request from an address, for a client id minted a moment ago: no row can exist for it, and the
    /// insert (its primary key, the email's unique blind index) is the guard. That saves a round trip on
    /// every first intake (docs/benchmarks.md).
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!_loaded)
        {
            if (context.Request.GetArgumentCount() == 1 && context.Request.GetArgument(0) is AcceptIntake { ClientIdIsNew: true })
            {
                _rows = null;
            }
            else
            {
                await ReloadAsync(CancellationToken.None);
            }

            _loaded = true;
        }

        await context.Invoke();
    }

    private Guid ClientId => this.GetPrimaryKey();

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        _rows = await CorrespondenceRows.LoadAsync(db, ClientId, pacing, cancellationToken);
    }

    /// <summary>
    /// One command against the person as they are: the rows are tracked in a fresh context, the command
    /// decides (and may add rows), its decisions are written back and saved in one transaction. On an
    /// <c>xmin</c> conflict the person is reloaded and the command runs again once; a second conflict
    /// fails with nothing written. Any other failure reloads too, since memory may be ahead of the database.
    /// </summary>
    /// <param name="setBased">The command also runs set-based statements (ExecuteUpdate): they and the save share one explicit transaction.</param>
    private async Task<T> WriteAsync<T>(Func<PracticeDbContext, CorrespondenceRows, DateTimeOffset, Task<T>> command, bool setBased = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            var rows = _rows ?? throw new InvalidOperationException($"Client {ClientId} does not exist.");
            await using var db = await contexts.CreateDbContextAsync();
            var now = clock.GetUtcNow();
            rows.Attach(db);
            try
            {
                await using var transaction = setBased ? await db.Database.BeginTransactionAsync() : null;
                var result = await command(db, rows, now);
                rows.WriteBack(db, now.UtcDateTime);
                await db.SaveChangesAsync();
                if (transaction is not null)
                {
                    await transaction.CommitAsync();
                }

                return result;
            }
            catch (DbUpdateConcurrencyException) when (attempt == 1)
            {
                LogConflict(logger, ClientId);
                await ReloadOrForgetAsync();
            }
            catch (DbUpdateConcurrencyException conflict)
            {
                await ReloadOrForgetAsync();
                throw new AggregateConflictException($"Client {ClientId} was changed by another writer twice in a row; nothing was written.", conflict);
            }
            catch
            {
                await ReloadOrForgetAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// After a failed write, memory may be ahead of the database: reload it. If the database cannot be
    /// read either (an outage), forget it, so that the next call loads what is true — never acting on
    /// changes that were not saved. The caller's own exception is the one that surfaces.
    /// </summary>
    private async Task ReloadOrForgetAsync()
    {
        try
        {
            await ReloadAsync(CancellationToken.None);
        }
        catch (Exception reload)
        {
            _rows = null;
            _loaded = false;
            LogForgotten(logger, ClientId, reload.GetType().Name);
        }
    }

    /// <summary>A write that is not part of the person's aggregate (an audit row for a refused look): its own small transaction.</summary>
    private async Task AppendAsync(object row)
    {
        await using var db = await contexts.CreateDbContextAsync();
        db.Add(row);
        await db.SaveChangesAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} could not be reloaded after a failed write ({Failure}); the next call loads it afresh")]
    private static partial void LogForgotten(ILogger logger, Guid clientId, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} was written by another activation first; reloaded, trying again")]
    private static partial void LogConflict(ILogger logger, Guid clientId);
}

/// <summary>Another writer changed the aggregate twice while a command tried to: the command did nothing, and may be tried again.</summary>
[GenerateSerializer, Alias("practice.aggregate-conflict")]
public sealed class AggregateConflictException : Exception
{
    public AggregateConflictException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public AggregateConflictException(string message)
        : base(message)
    {
    }

    public AggregateConflictException()
    {
    }
}
