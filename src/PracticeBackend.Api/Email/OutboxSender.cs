using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Messaging;
using PracticeBackend.Grains.Security;

namespace PracticeBackend.Api.Email;

/// <summary>
/// Sends one outbox row, at most once (DESIGN invariant 4): claim it (planned → sending) under the client
/// row lock after <see cref="Correspondence.ClaimToSend"/> has looked again at the person's state; send;
/// record what the server said; then plan what follows, in a transaction of its own. Running it twice for
/// one row sends one email: the second claim finds the row no longer planned.
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
    public const string NoOnDutyAddress = "no-on-duty-address";

    public async Task<MessageStatus?> SendAsync(Guid messageId, CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(messageId, cancellationToken);
        if (claimed is null)
        {
            return null;
        }

        // From here the send has happened (or may have): record it whatever the job's own token says, and
        // through a short database outage, so that a message that did not go is not left "sending".
        var result = await transport.SendAsync(claimed.Mime, CancellationToken.None);
        return await RecordDespiteOutagesAsync(claimed, result);
    }

    /// <summary>Re-plans one person's messages (after the sweep found a send that never finished).</summary>
    public async Task ReplanAsync(Guid clientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rows = await CorrespondenceRows.LockAsync(db, clientId, pacing, cancellationToken);
        var now = clock.GetUtcNow();
        rows.Correspondence.Replan(now);
        rows.WriteBack(db, now.UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static readonly TimeSpan[] RecordRetries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(15)];

    private async Task<MessageStatus> RecordDespiteOutagesAsync(Claimed claimed, TransportResult result)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await RecordAsync(claimed, result);
            }
            catch (Exception outage) when (attempt < RecordRetries.Length && DatabaseOutage.Is(outage))
            {
                LogRecordRetry(logger, claimed.MessageId, outage.GetType().Name);
                await Task.Delay(RecordRetries[attempt]);
            }
        }
    }

    private sealed record Claimed(Guid MessageId, Guid? ClientId, MimeMessage Mime);

    private async Task<Claimed?> ClaimAsync(Guid messageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var planned = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.Id == messageId && m.Status == MessageStatus.Planned)
            .Select(m => new { m.ClientId, m.Kind })
            .SingleOrDefaultAsync(cancellationToken);
        if (planned is null)
        {
            return null;
        }

        if (planned.ClientId is not { } clientId)
        {
            return await ClaimPracticeNoteAsync(db, messageId, cancellationToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rows = await CorrespondenceRows.LockAsync(db, clientId, pacing, cancellationToken);
        var now = clock.GetUtcNow();
        MimeMessage? mime = null;
        if (planned.Kind.IsForStaff() && OnDutyAddress is null)
        {
            rows.Correspondence.Withdraw(messageId, NoOnDutyAddress);
            LogNotSent(logger, messageId, NoOnDutyAddress);
        }
        else
        {
            switch (rows.Correspondence.ClaimToSend(messageId, now))
            {
                case Claim.Cancelled cancelled:
                    LogNotSent(logger, messageId, cancelled.Reason);
                    break;
                case Claim.Deferred deferred:
                    LogDeferred(logger, messageId, deferred.Rule);
                    break;
                case Claim.Send:
                    mime = await ComposeAsync(db, rows, rows.Correspondence.Messages.Single(m => m.Id == messageId), now, cancellationToken);
                    break;
            }
        }

        rows.WriteBack(db, now.UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return mime is null ? null : new Claimed(messageId, clientId, mime);
    }

    /// <summary>
    /// Records what the server said and plans what follows, in one transaction. Should the plan itself be
    /// refused by the database, the outcome is recorded alone: nothing may undo the record of a send (the
    /// next claim re-plans).
    /// </summary>
    private async Task<MessageStatus> RecordAsync(Claimed claimed, TransportResult result)
    {
        var now = clock.GetUtcNow();
        if (claimed.ClientId is not { } clientId)
        {
            await using var notes = await contexts.CreateDbContextAsync();
            return await RecordPracticeNoteAsync(notes, claimed.MessageId, result, now);
        }

        try
        {
            return await RecordAsync(claimed.MessageId, clientId, result, now, replan: true);
        }
        catch (DbUpdateException failure) when (!DatabaseOutage.Is(failure))
        {
            LogPlanningFailed(logger, claimed.MessageId, failure);
            return await RecordAsync(claimed.MessageId, clientId, result, now, replan: false);
        }
    }

    private async Task<MessageStatus> RecordAsync(Guid messageId, Guid clientId, TransportResult result, DateTimeOffset now, bool replan)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var rows = await CorrespondenceRows.LockAsync(db, clientId, pacing, CancellationToken.None);
        rows.Correspondence.RecordOutcome(messageId, ToDomain(result), now);
        if (replan)
        {
            rows.Correspondence.Replan(now);
        }

        rows.WriteBack(db, now.UtcDateTime);
        var message = rows.Message(messageId);
        if (result is TransportResult.Sent sent)
        {
            message.ServerReply = sent.ServerReply;
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        LogFinished(logger, message.Id, message.Kind, message.Status, message.StatusReason);
        return message.Status;
    }

    private static SendResult ToDomain(TransportResult result) => result switch
    {
        TransportResult.Sent => new SendResult.Sent(),
        TransportResult.Transient transient => new SendResult.Transient(transient.Category),
        TransportResult.Permanent permanent => new SendResult.Permanent(permanent.Category, permanent.RecipientRejected),
        TransportResult.Uncertain uncertain => new SendResult.Uncertain(uncertain.Category),
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

    private string? OnDutyAddress => practice.Value.Staff.OnDutyEmail is { Length: > 0 } address ? address : null;

    private async Task<MimeMessage> ComposeAsync(PracticeDbContext db, CorrespondenceRows rows, OutboxEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var options = practice.Value;
        var row = rows.Message(entry.Id);
        var client = rows.Client;
        var request = entry.RequestId is { } requestId ? rows.Request(requestId) : null;
        if (entry.Kind.IsForStaff())
        {
            return Envelope(entry.Id, now, MessageTemplates.RenderStaffNotice(entry.Kind, new StaffNoticeModel(
                options.Name,
                StaffLinks.Request(options, request?.Id ?? Guid.Empty),
                ReceivedAt: request is null ? null : InPracticeTime(request.SubmittedAt))), new MailboxAddress(options.Name, OnDutyAddress!), automated: true);
        }

        var signer = request?.AssignedTherapistId is { } therapistId
            ? await db.Therapists.Where(t => t.Id == therapistId).Select(t => t.DisplayName).SingleOrDefaultAsync(cancellationToken)
            : null;
        var messageLinks = links.Issue(db, client.Id, entry.Id, now.UtcDateTime, confirmAddress: entry.Kind == MessageKind.AddressConfirmation);
        var rendered = MessageTemplates.Render(entry.Kind, new MessageModel(
            RecipientName: phi.Unseal(client.NameSealed),
            SignerName: signer ?? options.Email.SignerName,
            PracticeName: options.Name,
            CrisisResources: options.CrisisResources,
            Links: messageLinks,
            Pace: client.Pace,
            OutcomeReason: entry.OutcomeReason,
            PersonalBody: phi.Unseal(row.BodySealed),
            Wording: options.Email.Wording));

        var to = new MailboxAddress(phi.Unseal(client.NameSealed) ?? "", phi.Unseal(client.EmailSealed)!);
        var mime = Envelope(entry.Id, now, rendered, to, automated: entry.Kind != MessageKind.Personal);
        if (entry.Kind.Rule().Row is MessageRow.AutomatedFollowUp or MessageRow.PersonalMessage)
        {
            // RFC 8058 one-click: mail clients show "Unsubscribe"; a POST to the link stops at once.
            mime.Headers.Add("List-Unsubscribe", $"<{messageLinks.Stop}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        return mime;
    }

    private MimeMessage Envelope(Guid messageId, DateTimeOffset now, RenderedMessage rendered, MailboxAddress to, bool automated)
    {
        var from = email.Value.FromAddress;
        var mime = new MimeMessage { Subject = rendered.Subject };
        mime.From.Add(new MailboxAddress(practice.Value.Name, from));
        mime.To.Add(to);
        mime.MessageId = $"outbox-{messageId:N}@{from.Split('@')[^1]}";
        mime.Date = now;
        if (automated)
        {
            mime.Headers.Add("Auto-Submitted", "auto-generated");
        }

        mime.Body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html }.ToMessageBody();
        return mime;
    }

    private string InPracticeTime(DateTime utc)
    {
        var zone = IanaTimeZone.Find(practice.Value.TimeZone);
        var local = Instant.FromDateTimeUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).InZone(zone);
        return local.ToString("'at' HH:mm 'on' dddd d MMMM", CultureInfo.InvariantCulture) + $" ({zone.Id} time)";
    }

    /// <summary>
    /// Practice-wide notes (no person): composed first (so a failure there leaves the note planned, not
    /// half-claimed), then claimed by a guarded update, since no person's rules apply.
    /// </summary>
    private async Task<Claimed?> ClaimPracticeNoteAsync(PracticeDbContext db, Guid messageId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var options = practice.Value;
        if (OnDutyAddress is not { } onDuty)
        {
            await db.OutboxMessages.Where(m => m.Id == messageId && m.Status == MessageStatus.Planned)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.Status, MessageStatus.Cancelled).SetProperty(x => x.StatusReason, NoOnDutyAddress), cancellationToken);
            return null;
        }

        var counts = await WaitingForAFirstReply.CountAsync(db, now, cancellationToken);
        var rendered = MessageTemplates.RenderStaffNotice(MessageKind.StaffWaitingNote, new StaffNoticeModel(options.Name, StaffLinks.Queue(options), Waiting: counts));
        var mime = Envelope(messageId, clock.GetUtcNow(), rendered, new MailboxAddress(options.Name, onDuty), automated: true);
        var claimed = await db.OutboxMessages
            .Where(m => m.Id == messageId && m.Status == MessageStatus.Planned && m.DueAt <= now)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.Status, MessageStatus.Sending)
                .SetProperty(x => x.ClaimedAt, now)
                .SetProperty(x => x.Attempts, x => x.Attempts + 1)
                .SetProperty(x => x.FirstAttemptAt, x => x.FirstAttemptAt ?? now), cancellationToken);
        return claimed == 0 ? null : new Claimed(messageId, null, mime);
    }

    private async Task<MessageStatus> RecordPracticeNoteAsync(PracticeDbContext db, Guid messageId, TransportResult result, DateTimeOffset now)
    {
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == messageId);
        switch (result)
        {
            case TransportResult.Sent sent:
                message.Status = MessageStatus.Sent;
                message.SentAt = now.UtcDateTime;
                message.ServerReply = sent.ServerReply;
                message.StatusReason = null;
                break;
            case TransportResult.Transient transient when RetryPolicy.NextAttempt(message.Attempts, new DateTimeOffset(message.FirstAttemptAt ?? now.UtcDateTime, TimeSpan.Zero), now) is { } retry:
                message.Status = MessageStatus.Planned;
                message.RetryAt = retry.UtcDateTime;
                message.DueAt = retry.UtcDateTime;
                message.DueRule = TimingRules.RetryBackoff;
                message.JobEnqueuedAt = null;
                message.StatusReason = transient.Category;
                break;
            case TransportResult.Uncertain uncertain:
                message.Status = MessageStatus.Uncertain;
                message.StatusReason = uncertain.Category;
                break;
            case TransportResult.Permanent permanent:
                message.Status = MessageStatus.Failed;
                message.StatusReason = permanent.Category;
                break;
            case TransportResult.Transient transient:
                message.Status = MessageStatus.Failed;
                message.StatusReason = "gave-up:" + transient.Category;
                break;
        }

        await db.SaveChangesAsync();
        LogFinished(logger, message.Id, message.Kind, message.Status, message.StatusReason);
        return message.Status;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Planning after outbox message {MessageId} failed; its outcome is recorded alone")]
    private static partial void LogPlanningFailed(ILogger logger, Guid messageId, Exception failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the outcome of outbox message {MessageId} met a database outage ({ExceptionType}); trying again")]
    private static partial void LogRecordRetry(ILogger logger, Guid messageId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} not sent: {Reason}")]
    private static partial void LogNotSent(ILogger logger, Guid messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} deferred: {Rule}")]
    private static partial void LogDeferred(ILogger logger, Guid messageId, string rule);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} ({Kind}) is now {Status} {StatusReason}")]
    private static partial void LogFinished(ILogger logger, Guid messageId, MessageKind kind, MessageStatus status, string? statusReason);
}
