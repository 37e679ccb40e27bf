using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Messaging;
using PracticeBackend.Grains.Security;

using PracticeBackend.Grains;

namespace PracticeBackend.Api.Email;

/// <summary>
/// Sends one outbox row, at most once (DESIGN invariant 4): claim it (planned → sending) under the
/// client row lock after a last look at the person's state; send; record what the server said and
/// plan the next follow-up. Running it twice for one row sends one email: the second claim finds
/// the row no longer planned.
/// </summary>
public sealed partial class OutboxSender(
    IDbContextFactory<PracticeDbContext> contexts,
    IMailTransport transport,
    ContactLinks links,
    PhiProtector phi,
    PacingSettings pacing,
    IOptions<PracticeOptions> practice,
    IOptions<EmailOptions> email,
    PracticeClock clock,
    ILogger<OutboxSender> logger)
{
    /// <summary>Transient failures are retried with growing pauses; after this long since the first try, we give up.</summary>
    public static readonly TimeSpan RetryBudget = TimeSpan.FromHours(8);

    private static readonly TimeSpan[] Backoff =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2)];

    public async Task<OutboxStatus?> SendAsync(Guid messageId, CancellationToken cancellationToken)
    {
        var mime = await ClaimAsync(messageId, cancellationToken);
        if (mime is null)
        {
            return null;
        }

        // From here the send has happened (or may have): record it whatever the job's own token says.
        var result = await transport.SendAsync(mime, CancellationToken.None);
        var status = await FinishAsync(messageId, result);
        await PlanNextAsync(messageId);
        return status;
    }

    private async Task<MimeMessage?> ClaimAsync(Guid messageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var clientId = await db.OutboxMessages.Where(m => m.Id == messageId && m.Status == OutboxStatus.Planned)
            .Select(m => (Guid?)m.ClientId).SingleOrDefaultAsync(cancellationToken);
        if (clientId is null)
        {
            return null;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var client = await OutboxPlanner.LockClientAsync(db, clientId.Value, cancellationToken);
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == messageId, cancellationToken);
        if (message.Status != OutboxStatus.Planned)
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var request = message.IntakeRequestId is { } requestId
            ? await db.IntakeRequests.SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken)
            : null;
        var sentBefore = await db.OutboxMessages
            .Where(m => m.ClientId == client.Id && m.Id != message.Id
                && (m.Status == OutboxStatus.Sent || m.Status == OutboxStatus.Sending || m.Status == OutboxStatus.Uncertain))
            .ToListAsync(cancellationToken);

        switch (SendChecks.Evaluate(message, client, request, sentBefore, pacing, now))
        {
            case SendVerdict.Cancel cancel:
                message.Status = OutboxStatus.Cancelled;
                message.LastError = cancel.Reason;
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                LogNotSent(logger, message.Id, cancel.Reason);
                return null;
            case SendVerdict.Defer defer:
                message.DueAt = defer.Until;
                message.JobEnqueuedAt = null;
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                LogDeferred(logger, message.Id, defer.Reason);
                return null;
        }

        message.Status = OutboxStatus.Sending;
        message.ClaimedAt = now;
        message.Attempts++;
        message.FirstAttemptAt ??= now;
        var mime = await ComposeAsync(db, message, client, request, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return mime;
    }

    private async Task<OutboxStatus> FinishAsync(Guid messageId, TransportResult result)
    {
        var cancellationToken = CancellationToken.None;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var clientId = await db.OutboxMessages.Where(m => m.Id == messageId).Select(m => m.ClientId).SingleAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var client = await OutboxPlanner.LockClientAsync(db, clientId, cancellationToken);
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == messageId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;

        switch (result)
        {
            case TransportResult.Sent sent:
                message.Status = OutboxStatus.Sent;
                message.SentAt = now;
                message.ServerReply = sent.ServerReply;
                break;
            case TransportResult.Transient transient when now - message.FirstAttemptAt!.Value < RetryBudget:
                message.Status = OutboxStatus.Planned;
                message.DueAt = now + Backoff[Math.Min(message.Attempts, Backoff.Length) - 1];
                message.JobEnqueuedAt = null;
                message.LastError = transient.Category;
                break;
            case TransportResult.Transient transient:
                message.Status = OutboxStatus.Failed;
                message.LastError = "gave-up:" + transient.Category;
                break;
            case TransportResult.Permanent permanent:
                message.Status = OutboxStatus.Failed;
                message.LastError = permanent.Category;
                if (permanent.RecipientRejected)
                {
                    client.ContactStatus = Domain.Contacts.ContactStatus.Bounced;
                }

                break;
            case TransportResult.Uncertain uncertain:
                message.Status = OutboxStatus.Uncertain;
                message.LastError = uncertain.Category;
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogFinished(logger, message.Id, message.Kind, message.Status, message.LastError);
        return message.Status;
    }

    /// <summary>
    /// Plans what follows (or cancels what may no longer go, after a bounce) in its own transaction, so
    /// that a planning failure can never undo the record of what the server said.
    /// </summary>
    private async Task PlanNextAsync(Guid messageId)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            var clientId = await db.OutboxMessages.Where(m => m.Id == messageId).Select(m => m.ClientId).SingleAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var client = await OutboxPlanner.LockClientAsync(db, clientId, CancellationToken.None);
            await OutboxPlanner.ReplanAsync(db, client, pacing, clock.GetUtcNow().UtcDateTime, CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        catch (Exception failure) when (failure is DbUpdateException or InvalidOperationException or Npgsql.NpgsqlException)
        {
            // The person's next event (or staff) re-plans; nothing sent is at risk.
            LogPlanningFailed(logger, messageId, failure);
        }
    }

    private async Task<MimeMessage> ComposeAsync(PracticeDbContext db, OutboxMessage message, Client client, IntakeRequest? request, DateTime now, CancellationToken cancellationToken)
    {
        var options = practice.Value;
        var signer = request?.AssignedTherapistId is { } therapistId
            ? await db.Therapists.Where(t => t.Id == therapistId).Select(t => t.DisplayName).SingleOrDefaultAsync(cancellationToken)
            : null;
        var messageLinks = links.Issue(db, client.Id, message.Id, now);
        var rendered = MessageTemplates.Render(message.Kind, new MessageModel(
            RecipientName: phi.Unseal(client.NameSealed),
            SignerName: signer ?? options.Email.SignerName,
            PracticeName: options.Name,
            CrisisResources: options.CrisisResources,
            Links: messageLinks,
            Pace: client.Pace,
            OutcomeReason: message.OutcomeReason,
            PersonalBody: phi.Unseal(message.BodySealed),
            Wording: options.Email.Wording));

        var from = email.Value.FromAddress;
        var mime = new MimeMessage { Subject = rendered.Subject };
        mime.From.Add(new MailboxAddress(options.Name, from));
        mime.To.Add(new MailboxAddress(phi.Unseal(client.NameSealed) ?? "", phi.Unseal(client.EmailSealed)!));
        mime.MessageId = $"outbox-{message.Id:N}@{from.Split('@')[^1]}";
        mime.Date = new DateTimeOffset(now, TimeSpan.Zero);
        if (!message.Kind.IsTransactional())
        {
            // RFC 8058 one-click: mail clients show "Unsubscribe"; a POST to the link stops at once.
            mime.Headers.Add("List-Unsubscribe", $"<{messageLinks.Stop}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        if (message.Kind != MessageKind.Personal)
        {
            mime.Headers.Add("Auto-Submitted", "auto-generated");
        }

        mime.Body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html }.ToMessageBody();
        return mime;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Planning after outbox message {MessageId} failed")]
    private static partial void LogPlanningFailed(ILogger logger, Guid messageId, Exception failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} not sent: {Reason}")]
    private static partial void LogNotSent(ILogger logger, Guid messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} deferred: {Reason}")]
    private static partial void LogDeferred(ILogger logger, Guid messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} ({Kind}) is now {Status} {LastError}")]
    private static partial void LogFinished(ILogger logger, Guid messageId, MessageKind kind, OutboxStatus status, string? lastError);
}
