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
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Security;

namespace PracticeBackend.Api.Email;

/// <summary>
/// Sends one outbox row, at most once (DESIGN invariant 4). The person's grain claims it (planned →
/// sending) after a last look at the person's state, and hands back what the message needs, sealed;
/// this writes and sends it, and reports what the server said back to the grain, which records it and
/// plans what follows. Running it twice for one row sends one email: the second claim finds the row no
/// longer planned. Practice-wide staff notes (no person) are claimed here directly.
/// </summary>
public sealed partial class OutboxSender(
    IDbContextFactory<PracticeDbContext> contexts,
    IGrainFactory grains,
    IMailTransport transport,
    ContactLinks links,
    PhiProtector phi,
    IOptions<PracticeOptions> practice,
    IOptions<EmailOptions> email,
    PracticeClock clock,
    OutboxMetrics metrics,
    ILogger<OutboxSender> logger)
{
    public const string NoOnDutyAddress = "no-on-duty-address";

    /// <summary>An answer to a therapist's offer, but no sign-in of theirs has an address to tell them at.</summary>
    public const string NoTherapistAddress = "no-therapist-address";

    /// <summary>How a send rides out a database outage (half a minute in all): recording its outcome, and a batch's next try.</summary>
    private static readonly TimeSpan[] OutageRetries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(15)];

    public async Task<MessageStatus?> SendAsync(Guid messageId, CancellationToken cancellationToken)
    {
        await using var session = transport.OpenSession();
        var rows = await PlannedRowsAsync([messageId], cancellationToken);
        return rows.TryGetValue(messageId, out var row) ? await SendAsync(messageId, row, session, cancellationToken) : null;
    }

    /// <summary>
    /// Several due messages in turn, over one connection to the mail server; each is still claimed,
    /// re-checked and recorded on its own. Asked to stop, it stops before the next claim (Hangfire puts the
    /// job back in its queue; the messages already sent are no longer planned when it runs again).
    /// </summary>
    /// <remarks>
    /// A database outage does not end the job: the messages that met it are tried again after
    /// <see cref="OutageRetries"/> (half a minute in all). The sweep has marked them enqueued, so without this
    /// they would wait <see cref="OutboxSweep.JobPresumedLostAfter"/> after a blip of a few seconds. Only rows
    /// still planned are tried again; one whose claim was saved before the outage is not (never twice).
    /// </remarks>
    public async Task<int> SendBatchAsync(IReadOnlyList<Guid> messageIds, CancellationToken stopping)
    {
        var sent = 0;
        var pending = messageIds;
        for (var retry = 0; ; retry++)
        {
            var (sentNow, metOutage) = await SendBatchOnceAsync(pending, stopping);
            sent += sentNow;
            if (metOutage.Count == 0 || retry == OutageRetries.Length)
            {
                return sent;
            }

            LogBatchRidesOutOutage(logger, metOutage.Count, OutageRetries[retry].TotalSeconds);
            await Task.Delay(OutageRetries[retry], stopping);
            pending = metOutage;
        }
    }

    private async Task<(int Sent, List<Guid> MetOutage)> SendBatchOnceAsync(IReadOnlyList<Guid> messageIds, CancellationToken stopping)
    {
        await using var session = transport.OpenSession();
        Dictionary<Guid, PlannedRow> rows;
        try
        {
            rows = await PlannedRowsAsync(messageIds, stopping);
        }
        catch (Exception failure) when (DatabaseOutage.Is(failure))
        {
            return (0, [.. messageIds]);
        }

        var sent = 0;
        var metOutage = new List<Guid>();
        for (var i = 0; i < messageIds.Count; i++)
        {
            var id = messageIds[i];
            stopping.ThrowIfCancellationRequested();
            try
            {
                if (rows.TryGetValue(id, out var row) && await SendAsync(id, row, session, stopping) == MessageStatus.Sent)
                {
                    sent++;
                }
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // One message's failure is its own (a row still planned is handed out again by a later sweep;
                // one left sending becomes uncertain): the others in the batch still go.
                LogBatchMessageFailed(logger, id, failure.GetType().Name);
                if (DatabaseOutage.Is(failure))
                {
                    // The rest would meet it too, each after a connect timeout: all of them wait for the next try.
                    metOutage.AddRange(messageIds.Skip(i));
                    break;
                }
            }
        }

        return (sent, metOutage);
    }

    /// <summary>
    /// Whose each message is, for those still planned, in one query for the batch. Only a hint: each
    /// message's own claim decides whether it goes.
    /// </summary>
    private async Task<Dictionary<Guid, PlannedRow>> PlannedRowsAsync(IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.OutboxMessages.AsNoTracking()
            .Where(m => messageIds.Contains(m.Id) && m.Status == MessageStatus.Planned)
            .Select(m => new { m.Id, Row = new PlannedRow(m.ClientId, m.Kind, m.SubjectId, m.SubjectSequence) })
            .ToDictionaryAsync(m => m.Id, m => m.Row, cancellationToken);
    }

    private async Task<MessageStatus?> SendAsync(Guid messageId, PlannedRow row, IMailSession session, CancellationToken cancellationToken)
    {
        if (row.ClientId is null)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await SendPracticeNoteAsync(db, messageId, row, session, cancellationToken);
        }

        var person = grains.GetGrain<IClientGrain>(row.ClientId.Value);
        var staffRecipient = row.Kind.IsForStaff() ? await StaffRecipientAsync(row, cancellationToken) : null;
        if (row.Kind.IsForStaff() && staffRecipient is null)
        {
            var reason = ToTheTherapist(row.Kind) ? NoTherapistAddress : NoOnDutyAddress;
            await person.Withdraw(new WithdrawMessage(messageId, reason));
            LogNotSent(logger, messageId, reason);
            return null;
        }

        if (await SessionMovedOnAsync(row, cancellationToken) is { } movedOn)
        {
            await person.Withdraw(new WithdrawMessage(messageId, movedOn));
            LogNotSent(logger, messageId, movedOn);
            return null;
        }

        var claim = await person.ClaimToSend(new ClaimToSend(messageId));
        if (claim is not { Outcome: SendClaimOutcome.Send, Message: { } outgoing })
        {
            return null;
        }

        // From here the message is claimed: whatever the job's own token says, compose it, send it and record
        // what happened (through a short database outage), so that nothing is left "sending". A message that
        // could not be composed never reached the server: it is recorded as a transient failure.
        MimeMessage mime;
        try
        {
            mime = await ComposeAsync(outgoing, staffRecipient, CancellationToken.None);
        }
        catch (Exception failure)
        {
            await RecordDespiteOutagesAsync(person, messageId, new TransportResult.Transient("compose-" + failure.GetType().Name));
            throw;
        }

        var result = await session.SendAsync(mime, CancellationToken.None);
        return await RecordDespiteOutagesAsync(person, messageId, result);
    }

    private sealed record PlannedRow(Guid? ClientId, MessageKind Kind, Guid? SubjectId, int? SubjectSequence);

    private async Task<MessageStatus> RecordDespiteOutagesAsync(IClientGrain person, Guid messageId, TransportResult result)
    {
        var delivery = result switch
        {
            TransportResult.Sent sent => new RecordDelivery(messageId, DeliveryResult.Sent, ServerReply: sent.ServerReply),
            TransportResult.Transient transient => new RecordDelivery(messageId, DeliveryResult.Transient, transient.Category),
            TransportResult.Permanent permanent => new RecordDelivery(messageId, DeliveryResult.Permanent, permanent.Category, permanent.RecipientRejected),
            TransportResult.Uncertain uncertain => new RecordDelivery(messageId, DeliveryResult.Uncertain, uncertain.Category),
            _ => throw new ArgumentOutOfRangeException(nameof(result)),
        };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var status = (await person.RecordDelivery(delivery)).Status;
                metrics.Recorded(status);
                return status;
            }
            catch (Exception outage) when (attempt < OutageRetries.Length && (DatabaseOutage.Is(outage) || outage is AggregateConflictException))
            {
                LogRecordRetry(logger, messageId, outage.GetType().Name);
                await Task.Delay(OutageRetries[attempt]);
            }
        }
    }

    private string? OnDutyAddress => practice.Value.Staff.OnDutyEmail is { Length: > 0 } address ? address : null;

    /// <summary>Who a staff notice goes to: an answer to an offer, to the therapist who made it; the rest, to the on-duty address.</summary>
    private async Task<MailboxAddress?> StaffRecipientAsync(PlannedRow row, CancellationToken cancellationToken)
    {
        if (!ToTheTherapist(row.Kind))
        {
            return OnDutyAddress is { } onDuty ? new MailboxAddress(practice.Value.Name, onDuty) : null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var therapistId = await db.Offers.AsNoTracking().Where(o => o.Id == row.SubjectId).Select(o => (Guid?)o.TherapistId).SingleOrDefaultAsync(cancellationToken)
            ?? await db.Appointments.AsNoTracking().Where(a => a.Id == row.SubjectId).Select(a => (Guid?)a.TherapistId).SingleOrDefaultAsync(cancellationToken);
        var therapist = await db.Therapists.AsNoTracking().Where(t => t.Id == therapistId).Select(t => new { t.Id, t.DisplayName }).SingleOrDefaultAsync(cancellationToken);
        var address = therapist is null
            ? null
            : await db.Users.AsNoTracking().Where(u => u.TherapistId == therapist.Id && u.Email != null).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
        return address is null ? null : new MailboxAddress(therapist!.DisplayName, address);
    }

    private async Task<MimeMessage> ComposeAsync(OutgoingMessage message, MailboxAddress? staffRecipient, CancellationToken cancellationToken)
    {
        var options = practice.Value;
        var now = clock.GetUtcNow();
        var scheduled = message.SubjectId is { } subjectId ? await ScheduledAsync(subjectId, cancellationToken) : null;
        if (message.Kind.IsForStaff())
        {
            return Envelope(message.MessageId, now, MessageTemplates.RenderStaffNotice(message.Kind, new StaffNoticeModel(
                options.Name,
                StaffLinks.Request(options, message.RequestId ?? Guid.Empty),
                ReceivedAt: message.RequestSubmittedAt is { } at ? InPracticeTime(at) : null,
                OfferAnswer: scheduled?.Offer?.Status,
                SessionNote: message.Kind == MessageKind.TherapistSessionNote && scheduled?.Appointment is { } noted
                    ? new SessionNote(noted.Status == Domain.Scheduling.AppointmentStatus.Cancelled ? SessionNoteKind.CancelledByPerson : SessionNoteKind.AnotherTimeAsked,
                        CalendarInvite.InWords(noted.StartsAt.AsUtc(), scheduled.TherapistTimeZone))
                    : null)), staffRecipient!, automated: true);
        }

        string? signer = null;
        if (message.AssignedTherapistId is { } therapistId)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            signer = await db.Therapists.AsNoTracking().Where(t => t.Id == therapistId).Select(t => t.DisplayName).SingleOrDefaultAsync(cancellationToken);
        }

        var messageLinks = links.For(message.Links ?? throw new InvalidOperationException("A message to a person carries its links."));
        var name = phi.Unseal(message.NameSealed);
        var rendered = MessageTemplates.Render(message.Kind, new MessageModel(
            RecipientName: name,
            SignerName: signer ?? options.Email.SignerName,
            PracticeName: options.Name,
            CrisisResources: options.CrisisResources,
            Links: messageLinks,
            Pace: message.Pace,
            OutcomeReason: message.OutcomeReason,
            PersonalBody: phi.Unseal(message.BodySealed),
            Wording: options.Email.Wording,
            Offer: scheduled?.Words(message.TimeZone ?? options.TimeZone),
            Session: scheduled?.Session(message.TimeZone ?? options.TimeZone, options.Scheduling.Address)));

        var to = phi.Unseal(message.EmailSealed)!;
        var mime = Envelope(message.MessageId, now, rendered, new MailboxAddress(name ?? "", to), automated: message.Kind != MessageKind.Personal);
        if (InviteMethod(message.Kind) is { } method && scheduled?.Appointment is { } session)
        {
            var organizer = new MailboxAddress(options.Name, email.Value.FromAddress);
            var ics = CalendarInvite.Render(method, session.Id, session.Sequence, session.StartsAt.AsUtc(), session.EndsAt.AsUtc(),
                $"Appointment with {scheduled.FirstName}", scheduled.Where(options.Scheduling.Address), organizer, to, now);
            mime.Body = CalendarInvite.Attach(rendered, method, ics);
        }
        if (message.Kind.Rule().Row is MessageRow.AutomatedFollowUp or MessageRow.PersonalMessage)
        {
            // RFC 8058 one-click: mail clients show "Unsubscribe"; a POST to the link stops at once.
            mime.Headers.Add("List-Unsubscribe", $"<{messageLinks.Stop}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        return mime;
    }

    private static bool ToTheTherapist(MessageKind kind) => kind is MessageKind.TherapistOfferAnswer or MessageKind.TherapistSessionNote;

    /// <summary>Which calendar invite a message carries: a booking or a move asks, a cancellation cancels; the rest carry none.</summary>
    private static string? InviteMethod(MessageKind kind) => kind switch
    {
        MessageKind.BookingConfirmed or MessageKind.SessionBooked or MessageKind.SessionMoved => CalendarInvite.Request,
        MessageKind.SessionCancelled or MessageKind.CancelledAtTheirRequest => CalendarInvite.Cancel,
        _ => null,
    };

    /// <summary>
    /// What a message about an offer or a session says of it, as it stands now: the offer, the appointment
    /// (the one a pick became, or the one the message is about), and the therapist's first name, zone and video link.
    /// </summary>
    private async Task<Scheduled?> ScheduledAsync(Guid subjectId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var offer = await db.Offers.AsNoTracking().SingleOrDefaultAsync(o => o.Id == subjectId, cancellationToken);
        var appointmentId = offer is null ? subjectId : offer.AppointmentId;
        var appointment = appointmentId is { } id ? await db.Appointments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken) : null;
        if ((offer?.TherapistId ?? appointment?.TherapistId) is not { } therapistId)
        {
            return null;
        }

        var therapist = await db.Therapists.AsNoTracking().Where(t => t.Id == therapistId).Select(t => new { t.DisplayName, t.VideoLink, t.TimeZone }).SingleAsync(cancellationToken);
        return new Scheduled(offer, FirstName(therapist.DisplayName), therapist.VideoLink, therapist.TimeZone, appointment);
    }

    /// <summary>
    /// A planned message about a session that has since been cancelled or changed (and whose person has not
    /// been told yet) must not go as it is: a reminder of a cancelled session, say. Null when it may go.
    /// </summary>
    private async Task<string?> SessionMovedOnAsync(PlannedRow row, CancellationToken cancellationToken)
    {
        if (row.Kind is not (MessageKind.SessionReminder or MessageKind.SessionBooked or MessageKind.SessionMoved or MessageKind.BookingConfirmed) || row.SubjectId is not { } subjectId)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (row.Kind == MessageKind.BookingConfirmed)
        {
            // A pick's confirmation (its subject is the offer) does not confirm a session cancelled since; the cancellation's own note says so.
            var picked = await db.Offers.AsNoTracking().Where(o => o.Id == subjectId).Select(o => o.AppointmentId).SingleOrDefaultAsync(cancellationToken);
            var cancelled = picked is { } id && await db.Appointments.AnyAsync(a => a.Id == id && a.Status == Domain.Scheduling.AppointmentStatus.Cancelled, cancellationToken);
            return cancelled ? HoldReasons.SessionNotOn : null;
        }

        var now = await db.Appointments.AsNoTracking().Where(a => a.Id == subjectId).Select(a => new { a.Status, a.Sequence }).SingleOrDefaultAsync(cancellationToken);
        return now is null || now.Status == Domain.Scheduling.AppointmentStatus.Cancelled
            ? HoldReasons.SessionNotOn
            : now.Sequence != row.SubjectSequence ? HoldReasons.Superseded : null;
    }

    /// <summary>The name a person would call their therapist by: the first word of the display name that is not a title.</summary>
    public static string FirstName(string displayName)
    {
        var words = displayName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.FirstOrDefault(w => !w.EndsWith('.')) ?? displayName.Trim();
    }

    private sealed record Scheduled(OfferRow? Offer, string FirstName, string? VideoLink, string TherapistTimeZone, AppointmentRow? Appointment)
    {
        public OfferWords Words(string timeZone) => new(
            FirstName,
            (Offer?.Format ?? Appointment?.Format) == Domain.Scheduling.SessionFormat.Video ? "by video" : "in person",
            [.. (Offer?.Starts ?? []).Select(s => CalendarInvite.InWords(s.AsUtc(), timeZone))]);

        public SessionWords? Session(string timeZone, string address) =>
            Appointment is { } booked ? new SessionWords(FirstName, CalendarInvite.InWords(booked.StartsAt.AsUtc(), timeZone), Where(address)) : null;

        public string Where(string address) => (Appointment?.Format ?? Offer?.Format) == Domain.Scheduling.SessionFormat.Video
            ? VideoLink is { Length: > 0 } link ? $"by video, at {link}" : $"by video; {FirstName} will send the link before the session"
            : address is { Length: > 0 } ? $"in person, at {address}" : "in person, at the practice";
    }

    /// <summary>A practice-wide note: claimed, sent and recorded here.</summary>
    private async Task<MessageStatus?> SendPracticeNoteAsync(PracticeDbContext db, Guid messageId, PlannedRow row, IMailSession session, CancellationToken cancellationToken)
    {
        if (await ClaimPracticeNoteAsync(db, messageId, row, cancellationToken) is not { } mime)
        {
            return null;
        }

        var result = await session.SendAsync(mime, CancellationToken.None);
        await using var record = await contexts.CreateDbContextAsync(CancellationToken.None);
        return await RecordPracticeNoteAsync(record, messageId, result, clock.GetUtcNow());
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
    private async Task<MimeMessage?> ClaimPracticeNoteAsync(PracticeDbContext db, Guid messageId, PlannedRow row, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var options = practice.Value;
        if (await StaffRecipientAsync(row, cancellationToken) is not { } recipient)
        {
            var reason = ToTheTherapist(row.Kind) ? NoTherapistAddress : NoOnDutyAddress;
            await db.OutboxMessages.Where(m => m.Id == messageId && m.Status == MessageStatus.Planned)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.Status, MessageStatus.Cancelled).SetProperty(x => x.StatusReason, reason), cancellationToken);
            return null;
        }

        RenderedMessage rendered;
        if (row.Kind == MessageKind.TherapistSessionNote)
        {
            // A session cancelled by an erasure: all that is left to say is when it was, in the therapist's own zone.
            var scheduled = await ScheduledAsync(row.SubjectId ?? Guid.Empty, cancellationToken);
            var when = scheduled?.Appointment is { } session ? CalendarInvite.InWords(session.StartsAt.AsUtc(), scheduled.TherapistTimeZone) : "a time on your calendar";
            rendered = MessageTemplates.RenderStaffNotice(row.Kind, new StaffNoticeModel(options.Name, StaffLinks.Queue(options), SessionNote: new SessionNote(SessionNoteKind.CancelledByErasure, when)));
        }
        else
        {
            var counts = await WaitingForAFirstReply.CountAsync(db, now, cancellationToken);
            rendered = MessageTemplates.RenderStaffNotice(MessageKind.StaffWaitingNote, new StaffNoticeModel(options.Name, StaffLinks.Queue(options), Waiting: counts));
        }

        var mime = Envelope(messageId, clock.GetUtcNow(), rendered, recipient, automated: true);
        var claimed = await db.OutboxMessages
            .Where(m => m.Id == messageId && m.Status == MessageStatus.Planned && m.DueAt <= now)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.Status, MessageStatus.Sending)
                .SetProperty(x => x.ClaimedAt, now)
                .SetProperty(x => x.Attempts, x => x.Attempts + 1)
                .SetProperty(x => x.FirstAttemptAt, x => x.FirstAttemptAt ?? now), cancellationToken);
        return claimed == 0 ? null : mime;
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
        metrics.Recorded(message.Status);
        LogFinished(logger, message.Id, message.Kind, message.Status, message.StatusReason);
        return message.Status;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} failed in its batch ({ExceptionType}); the batch goes on")]
    private static partial void LogBatchMessageFailed(ILogger logger, Guid messageId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} outbox messages of a batch met a database outage; trying them again in {Seconds} s")]
    private static partial void LogBatchRidesOutOutage(ILogger logger, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} not sent: {Reason}")]
    private static partial void LogNotSent(ILogger logger, Guid messageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the outcome of outbox message {MessageId} met a database outage ({ExceptionType}); trying again")]
    private static partial void LogRecordRetry(ILogger logger, Guid messageId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {MessageId} ({Kind}) is now {Status} {StatusReason}")]
    private static partial void LogFinished(ILogger logger, Guid messageId, MessageKind kind, MessageStatus status, string? statusReason);
}
