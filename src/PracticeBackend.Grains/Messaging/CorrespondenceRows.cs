using Microsoft.EntityFrameworkCore;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Messaging;

/// <summary>
/// One person's <see cref="Correspondence"/> and the rows behind it — the client row, their requests and
/// their messages that are not cancelled — held by <c>ClientGrain</c> between commands. For each command a
/// fresh context <see cref="Attach"/>es the rows as they were last written, the aggregate decides, and
/// <see cref="WriteBack"/> copies its decisions into the rows, which the context then saves in one
/// transaction guarded by the client row's <c>xmin</c>. Cancelled messages are left out, but for those
/// about an offer: what was withdrawn decides what an offer's end may still say.
/// </summary>
public sealed class CorrespondenceRows
{
    private readonly Dictionary<Guid, IntakeRequest> _requests;
    private readonly Dictionary<Guid, OutboxMessage> _messages;

    private CorrespondenceRows(Client client, List<IntakeRequest> requests, List<OutboxMessage> messages, PacingSettings settings)
    {
        Client = client;
        _requests = requests.ToDictionary(r => r.Id);
        _messages = messages.ToDictionary(m => m.Id);
        Correspondence = new Correspondence(
            ToContact(client),
            requests.OrderBy(r => r.SubmittedAt).Select(ToState),
            messages.OrderBy(m => m.CreatedAt).Select(ToEntry),
            settings);
    }

    public Client Client { get; }

    public Correspondence Correspondence { get; }

    public IReadOnlyCollection<IntakeRequest> Requests => _requests.Values;

    public IntakeRequest Request(Guid requestId) => _requests[requestId];

    public IntakeRequest? FindRequest(Guid requestId) => _requests.GetValueOrDefault(requestId);

    public OutboxMessage Message(Guid messageId) => _messages[messageId];

    /// <summary>The person's rows as stored, or null when there is no such client.</summary>
    public static async Task<CorrespondenceRows?> LoadAsync(PracticeDbContext db, Guid clientId, PacingSettings settings, CancellationToken cancellationToken)
    {
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == clientId, cancellationToken);
        if (client is null)
        {
            return null;
        }

        var requests = await db.IntakeRequests.AsNoTracking().Where(r => r.ClientId == clientId).ToListAsync(cancellationToken);
        var messages = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.ClientId == clientId && (m.Status != MessageStatus.Cancelled || m.SubjectId != null))
            .ToListAsync(cancellationToken);
        return new CorrespondenceRows(client, requests, messages, settings);
    }

    /// <summary>For a client row the caller has just added: nothing to load yet (the insert itself guards it).</summary>
    public static CorrespondenceRows ForNew(Client client, PacingSettings settings) => new(client, [], [], settings);

    /// <summary>Tracks the rows, as last written, in a fresh context: what the command changes, it saves.</summary>
    public void Attach(PracticeDbContext db)
    {
        db.Clients.Attach(Client);
        foreach (var request in _requests.Values)
        {
            db.IntakeRequests.Attach(request);
        }

        foreach (var message in _messages.Values)
        {
            db.OutboxMessages.Attach(message);
        }
    }

    /// <summary>Copies the aggregate's decisions into the rows; new messages become new rows.</summary>
    public void WriteBack(PracticeDbContext db, DateTime now)
    {
        var contact = Correspondence.Contact;
        Client.ContactStatus = contact.Status;
        Client.PausedUntil = contact.PausedUntil?.UtcDateTime;
        Client.Pace = contact.Pace;
        Client.TimeZone = contact.TimeZone;
        Client.RemindersOff = contact.RemindersOff;
        Client.UpdatedAt = now;

        // Every command writes the client row, so its xmin guards the whole aggregate: an activation that
        // wrote first (a duplicate, or another writer) makes this save fail instead of overwrite.
        var client = db.Entry(Client);
        if (client.State != EntityState.Added)
        {
            client.Property(c => c.UpdatedAt).IsModified = true;
        }

        foreach (var state in Correspondence.Requests)
        {
            if (_requests.TryGetValue(state.Id, out var request))
            {
                request.Status = state.Status;
                request.LastContactAt = state.LastContactAt.UtcDateTime;
                request.AutomationStoppedReason = state.AutomationStoppedReason;
                request.AwaitingAddressConfirmation = state.AwaitingAddressConfirmation;
            }
        }

        foreach (var entry in Correspondence.Messages)
        {
            if (!_messages.TryGetValue(entry.Id, out var message))
            {
                message = new OutboxMessage
                {
                    Id = entry.Id,
                    ClientId = Client.Id,
                    IntakeRequestId = entry.RequestId,
                    Kind = entry.Kind,
                    OutcomeReason = entry.OutcomeReason,
                    SubjectId = entry.SubjectId,
                    SubjectSequence = entry.SubjectSequence,
                    SessionStartsAt = entry.SessionStartsAt?.UtcDateTime,
                    CreatedAt = entry.CreatedAt.UtcDateTime,
                };
                db.OutboxMessages.Add(message);
                _messages.Add(message.Id, message);
            }

            var dueAt = entry.DueAt.UtcDateTime;
            if (message.DueAt != dueAt)
            {
                // A new time needs a new job (the sweep enqueues due rows that have none). Written even when it
                // was read as null: a sweep may have marked the row since we read it.
                message.JobEnqueuedAt = null;
                db.Entry(message).Property(m => m.JobEnqueuedAt).IsModified = db.Entry(message).State != EntityState.Added;
            }

            message.Status = entry.Status;
            message.DueAt = dueAt;
            message.DueRule = entry.DueRule;
            message.RetryAt = entry.RetryAt?.UtcDateTime;
            message.Attempts = entry.Attempts;
            message.FirstAttemptAt = entry.FirstAttemptAt?.UtcDateTime;
            message.ClaimedAt = entry.ClaimedAt?.UtcDateTime;
            message.SentAt = entry.SentAt?.UtcDateTime;
            message.StatusReason = entry.StatusReason;
        }
    }

    /// <summary>Adds a request row the aggregate has just accepted.</summary>
    public void Add(IntakeRequest request) => _requests.Add(request.Id, request);

    private static Contact ToContact(Client client) =>
        new(client.ContactStatus, client.PausedUntil.AsUtc(), client.Pace, client.TimeZone, client.ErasedAt is not null, client.RemindersOff);

    private static RequestState ToState(IntakeRequest request) =>
        new(request.Id, request.Status, request.LastContactAt.AsUtc(), request.AutomationStoppedReason, request.AwaitingAddressConfirmation);

    private static OutboxEntry ToEntry(OutboxMessage message) => new()
    {
        Id = message.Id,
        RequestId = message.IntakeRequestId,
        Kind = message.Kind,
        SubjectId = message.SubjectId,
        SubjectSequence = message.SubjectSequence,
        SessionStartsAt = message.SessionStartsAt.AsUtc(),
        Status = message.Status,
        CreatedAt = message.CreatedAt.AsUtc(),
        DueAt = message.DueAt.AsUtc(),
        DueRule = message.DueRule,
        RetryAt = message.RetryAt.AsUtc(),
        Attempts = message.Attempts,
        FirstAttemptAt = message.FirstAttemptAt.AsUtc(),
        ClaimedAt = message.ClaimedAt.AsUtc(),
        SentAt = message.SentAt.AsUtc(),
        StatusReason = message.StatusReason,
        OutcomeReason = message.OutcomeReason,
    };
}
