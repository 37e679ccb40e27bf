using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Messages;

namespace PracticeBackend.Grains.Clients;

public sealed partial class ClientGrain
{
    public async Task<SendClaim> ClaimToSend(ClaimToSend command)
    {
        if (_rows?.Correspondence.Messages.FirstOrDefault(m => m.Id == command.MessageId) is not { IsPlanned: true })
        {
            return new SendClaim(SendClaimOutcome.NotPlanned);
        }

        var claim = await WriteAsync((db, rows, now) =>
        {
            var decision = rows.Correspondence.ClaimToSend(command.MessageId, now);
            return Task.FromResult(decision switch
            {
                Claim.Send => new SendClaim(SendClaimOutcome.Send, null, Outgoing(db, rows, command.MessageId, now)),
                Claim.Deferred deferred => new SendClaim(SendClaimOutcome.Deferred, deferred.Rule),
                Claim.Cancelled cancelled => new SendClaim(SendClaimOutcome.Cancelled, cancelled.Reason),
                _ => new SendClaim(SendClaimOutcome.NotPlanned),
            });
        });

        if (claim.Outcome is SendClaimOutcome.Deferred or SendClaimOutcome.Cancelled)
        {
            LogNotNow(logger, command.MessageId, claim.Outcome, claim.Reason);
        }

        return claim;
    }

    /// <summary>
    /// Records what the server said and plans what follows, in one transaction. Should the database refuse
    /// the plan, the outcome is recorded alone: nothing may undo the record of a send (the next claim re-plans).
    /// </summary>
    public async Task<RecordedDelivery> RecordDelivery(RecordDelivery command)
    {
        try
        {
            return await RecordAsync(command, replan: true);
        }
        catch (DbUpdateException failure) when (failure is not DbUpdateConcurrencyException && !Data.DatabaseOutage.Is(failure))
        {
            LogPlanningFailed(logger, command.MessageId, failure);
            return await RecordAsync(command, replan: false);
        }
    }

    public async Task MarkClaimAbandoned(MarkClaimAbandoned command)
    {
        // The sweep saw the claim in the database; memory may be older than what a dead process wrote.
        await ReloadAsync(CancellationToken.None);
        if (_rows?.Correspondence.Messages.FirstOrDefault(m => m.Id == command.MessageId) is not { Status: MessageStatus.Sending })
        {
            return;
        }

        await WriteAsync((_, rows, now) =>
        {
            rows.Correspondence.RecordOutcome(command.MessageId, new SendResult.Uncertain(command.Reason), now);

            // The job that died never planned what follows its send.
            rows.Correspondence.Replan(now);
            return Task.FromResult(true);
        });
    }

    public async Task Withdraw(WithdrawMessage command)
    {
        if (_rows?.Correspondence.Messages.FirstOrDefault(m => m.Id == command.MessageId) is not { IsPlanned: true })
        {
            return;
        }

        await WriteAsync((_, rows, _) => Task.FromResult(rows.Correspondence.Withdraw(command.MessageId, command.Reason)));
    }

    private async Task<RecordedDelivery> RecordAsync(RecordDelivery command, bool replan)
    {
        if (_rows?.Correspondence.Messages.FirstOrDefault(m => m.Id == command.MessageId) is not { Status: MessageStatus.Sending })
        {
            // Recorded already (a retried call whose first answer was lost): nothing changes.
            return new RecordedDelivery(_rows?.Correspondence.Messages.FirstOrDefault(m => m.Id == command.MessageId)?.Status ?? MessageStatus.Cancelled);
        }

        return await WriteAsync((_, rows, now) =>
        {
            var result = command.Result switch
            {
                DeliveryResult.Sent => (SendResult)new SendResult.Sent(),
                DeliveryResult.Transient => new SendResult.Transient(command.Category ?? "transient"),
                DeliveryResult.Permanent => new SendResult.Permanent(command.Category ?? "permanent", command.RecipientRejected),
                _ => new SendResult.Uncertain(command.Category ?? "uncertain"),
            };
            rows.Correspondence.RecordOutcome(command.MessageId, result, now);
            var sending = rows.Correspondence.Messages.Single(m => m.Id == command.MessageId);
            if (replan)
            {
                rows.Correspondence.Replan(now);
            }

            if (command.Result == DeliveryResult.Sent)
            {
                rows.Message(command.MessageId).ServerReply = command.ServerReply;
            }

            LogFinished(logger, command.MessageId, sending.Kind, sending.Status, sending.StatusReason);
            return Task.FromResult(new RecordedDelivery(sending.Status));
        });
    }

    /// <summary>What the claimed message needs to be written: the person's details sealed, and fresh link tokens.</summary>
    private static OutgoingMessage Outgoing(Data.PracticeDbContext db, Messaging.CorrespondenceRows rows, Guid messageId, DateTimeOffset now)
    {
        var entry = rows.Correspondence.Messages.Single(m => m.Id == messageId);
        var request = entry.RequestId is { } id ? rows.FindRequest(id) : null;
        var links = entry.Kind.IsForStaff()
            ? null
            : LinkTokens.Issue(db, rows.Client.Id, messageId, now.UtcDateTime, confirmAddress: entry.Kind == MessageKind.AddressConfirmation,
                offerId: entry.Kind == MessageKind.OfferOfTimes ? entry.SubjectId : null,
                sessionSubjectId: entry.Kind is MessageKind.BookingConfirmed or MessageKind.SessionBooked or MessageKind.SessionMoved or MessageKind.SessionReminder ? entry.SubjectId : null);
        return new OutgoingMessage(
            messageId,
            entry.RequestId,
            entry.Kind,
            rows.Client.EmailSealed,
            rows.Client.NameSealed,
            rows.Message(messageId).BodySealed,
            request?.AssignedTherapistId,
            rows.Client.Pace,
            entry.OutcomeReason,
            request?.SubmittedAt,
            links,
            entry.SubjectId,
            rows.Client.TimeZone);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} not sent now: {Outcome} ({Reason})")]
    private static partial void LogNotNow(ILogger logger, Guid messageId, SendClaimOutcome outcome, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Planning after outbox message {MessageId} failed; its outcome is recorded alone")]
    private static partial void LogPlanningFailed(ILogger logger, Guid messageId, Exception failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} ({Kind}) is now {Status} {StatusReason}")]
    private static partial void LogFinished(ILogger logger, Guid messageId, MessageKind kind, MessageStatus status, string? statusReason);
}
