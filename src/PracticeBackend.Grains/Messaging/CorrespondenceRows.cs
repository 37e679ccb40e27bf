using Microsoft.EntityFrameworkCore;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Messaging;

/// <summary>
/// One person's <see cref="Correspondence"/> and the tracked rows behind it: the client row (locked for the
/// transaction), their requests and their messages that are not cancelled. A command loads it, asks the
/// aggregate, and <see cref="WriteBack"/> copies what the aggregate decided into the rows, in the command's
/// own transaction.
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

    public IntakeRequest Request(Guid requestId) => _requests[requestId];

    public OutboxMessage Message(Guid messageId) => _messages[messageId];

    /// <summary>
    /// Takes the client row lock until the transaction ends (every writer of a person's messages takes it
    /// first, so planning and the send job's claim never overlap) and loads the rest.
    /// </summary>
    public static async Task<CorrespondenceRows> LockAsync(PracticeDbContext db, Guid clientId, PacingSettings settings, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"SELECT id FROM clients WHERE id = {clientId} FOR UPDATE", cancellationToken);
        var client = await db.Clients.SingleAsync(c => c.Id == clientId, cancellationToken);
        return await LoadAsync(db, client, settings, cancellationToken);
    }

    /// <summary>For a client row the caller has just added: nothing to lock or load yet (the insert itself guards it).</summary>
    public static CorrespondenceRows ForNew(Client client, PacingSettings settings) => new(client, [], [], settings);

    /// <summary>Copies the aggregate's decisions into the rows; new messages become new rows.</summary>
    public void WriteBack(PracticeDbContext db, DateTime now)
    {
        var contact = Correspondence.Contact;
        Client.ContactStatus = contact.Status;
        Client.PausedUntil = contact.PausedUntil?.UtcDateTime;
        Client.Pace = contact.Pace;
        Client.TimeZone = contact.TimeZone;
        Client.UpdatedAt = now;

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

    private static async Task<CorrespondenceRows> LoadAsync(PracticeDbContext db, Client client, PacingSettings settings, CancellationToken cancellationToken)
    {
        var requests = await db.IntakeRequests.Where(r => r.ClientId == client.Id).ToListAsync(cancellationToken);
        var messages = await db.OutboxMessages
            .Where(m => m.ClientId == client.Id && m.Status != MessageStatus.Cancelled)
            .ToListAsync(cancellationToken);
        return new CorrespondenceRows(client, requests, messages, settings);
    }

    private static Contact ToContact(Client client) =>
        new(client.ContactStatus, Utc(client.PausedUntil), client.Pace, client.TimeZone, client.ErasedAt is not null);

    private static RequestState ToState(IntakeRequest request) =>
        new(request.Id, request.Status, Utc(request.LastContactAt), request.AutomationStoppedReason, request.AwaitingAddressConfirmation);

    private static OutboxEntry ToEntry(OutboxMessage message) => new()
    {
        Id = message.Id,
        RequestId = message.IntakeRequestId,
        Kind = message.Kind,
        Status = message.Status,
        CreatedAt = Utc(message.CreatedAt),
        DueAt = Utc(message.DueAt),
        DueRule = message.DueRule,
        RetryAt = Utc(message.RetryAt),
        Attempts = message.Attempts,
        FirstAttemptAt = Utc(message.FirstAttemptAt),
        ClaimedAt = Utc(message.ClaimedAt),
        SentAt = Utc(message.SentAt),
        StatusReason = message.StatusReason,
        OutcomeReason = message.OutcomeReason,
    };

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;
}
