using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Messaging;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Clients;

/// <summary>
/// The person's single writer. Each command runs in one transaction that first locks the client row
/// (so the send job and this grain never plan over each other), asks the person's
/// <see cref="Correspondence"/> what the rule says, and writes that back before it commits.
/// </summary>
public sealed partial class ClientGrain(
    IDbContextFactory<PracticeDbContext> contexts,
    PacingSettings pacing,
    PracticeClock clock,
    ILogger<ClientGrain> logger) : Grain, IClientGrain
{
    private bool _exists;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var id = this.GetPrimaryKey();
        _exists = await db.Clients.AnyAsync(c => c.Id == id, cancellationToken);
    }

    public async Task<AcceptIntakeResult> AcceptIntake(AcceptIntake command)
    {
        var submission = command.Submission;
        var clientId = this.GetPrimaryKey();
        await using var db = await contexts.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var now = clock.GetUtcNow();

        var isNew = !_exists;
        CorrespondenceRows rows;
        if (isNew)
        {
            var client = new Client
            {
                Id = clientId,
                EmailBlindIndex = submission.Contact.EmailBlindIndex,
                EmailSealed = submission.Contact.EmailSealed,
                TimeZone = submission.TimeZone,
                Pace = submission.Pace,
                ContactStatus = ContactStatus.Open,
                CreatedAt = now.UtcDateTime,
            };
            db.Clients.Add(client);
            rows = CorrespondenceRows.ForNew(client, pacing);
        }
        else
        {
            rows = await CorrespondenceRows.LockAsync(db, clientId, pacing, CancellationToken.None);
        }

        var request = new IntakeRequest
        {
            Id = command.IntakeId,
            ClientId = clientId,
            Status = IntakeStatus.Submitted,
            Pace = submission.Pace,
            PreferredFormat = submission.PreferredFormat,
            MessageSealed = submission.MessageSealed,
            NameSealed = submission.Contact.NameSealed,
            PhoneSealed = submission.Contact.PhoneSealed,
            TimeZone = submission.TimeZone,
            NeedsPromptAttention = submission.NeedsPromptAttention,
            SubmittedAt = now.UtcDateTime,
            LastContactAt = now.UtcDateTime,
            IdempotencyKeyHash = submission.IdempotencyKeyHash,
            RequestFingerprint = submission.RequestFingerprint,
        };
        request.Events.Add(new IntakeEvent { At = now.UtcDateTime, Kind = IntakeEventKinds.Submitted });
        db.IntakeRequests.Add(request);
        rows.Add(request);

        var outcome = rows.Correspondence.Submit(request.Id, submission.Pace, submission.TimeZone, submission.NeedsPromptAttention, now);
        if (outcome == Submission.Welcomed)
        {
            // An open contact writing again: their newest words on how to reach them stand.
            TakeDetails(rows.Client, request);
        }

        db.ConsentRecords.Add(Consent(clientId, request.Id, granted: true, submission.ConsentVersion, ConsentSources.IntakeForm, now));
        rows.WriteBack(db, now.UtcDateTime);

        try
        {
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        catch (DbUpdateException exception)
        {
            var constraint = DbErrors.UniqueViolation(exception);
            if (isNew && constraint == "ix_clients_email_blind_index")
            {
                DeactivateOnIdle();
                return new AcceptIntakeResult(AcceptIntakeOutcome.EmailBelongsToAnotherClient);
            }

            if (constraint is "pk_intake_requests" or "ix_intake_requests_idempotency_key_hash")
            {
                return new AcceptIntakeResult(AcceptIntakeOutcome.IntakeAlreadyExists);
            }

            throw;
        }

        _exists = true;
        LogAccepted(logger, clientId, command.IntakeId, isNew, outcome);
        return new AcceptIntakeResult(AcceptIntakeOutcome.Accepted);
    }

    public async Task<PreferenceResult> ApplyPreference(ApplyPreference command)
    {
        if (!_exists)
        {
            return new PreferenceResult(PreferenceOutcome.NotFound, null);
        }

        var clientId = this.GetPrimaryKey();
        await using var db = await contexts.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var now = clock.GetUtcNow();
        var rows = await CorrespondenceRows.LockAsync(db, clientId, pacing, CancellationToken.None);
        var correspondence = rows.Correspondence;
        if (correspondence.Contact.Erased)
        {
            return new PreferenceResult(PreferenceOutcome.NotFound, null);
        }

        var change = command.Kind switch
        {
            PreferenceKind.StopEmails => correspondence.Stop(now),
            PreferenceKind.Pause => correspondence.Pause(now.AddDays(command.PauseDays ?? 30), now),
            PreferenceKind.Resume => correspondence.Resume(now),
            PreferenceKind.ChangePace => correspondence.ChangePace(command.Pace ?? correspondence.Contact.Pace, now),
            PreferenceKind.NotNow => NotNow(rows, now),
            PreferenceKind.ConfirmAddress => ConfirmAddress(rows, command.IntakeId, now),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.Kind, null),
        };

        if (change == ContactChange.Applied)
        {
            if (command.Kind is PreferenceKind.StopEmails or PreferenceKind.Pause)
            {
                var version = command.Kind == PreferenceKind.Pause ? $"pause-{command.PauseDays ?? 30}-days" : "stop";
                db.ConsentRecords.Add(Consent(clientId, null, granted: false, version, ConsentSources.EmailLink, now));
            }
            else if (command.Kind == PreferenceKind.ConfirmAddress)
            {
                db.ConsentRecords.Add(Consent(clientId, command.IntakeId, granted: true, "address-confirmed", ConsentSources.EmailLink, now));
            }
        }

        rows.WriteBack(db, now.UtcDateTime);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        LogPreference(logger, clientId, command.Kind, change);
        var pausedUntil = correspondence.Contact.StatusAt(now) == ContactStatus.Paused ? correspondence.Contact.PausedUntil : null;
        return new PreferenceResult(PreferenceOutcome.Applied, pausedUntil, change);
    }

    public async Task<StaffCommandResult> EraseDetails(EraseClient command)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var now = clock.GetUtcNow();
        var clientId = this.GetPrimaryKey();
        if (!(command.Actor.IsAdmin || command.Actor.IsSystem) || !_exists)
        {
            db.AuditEvents.Add(command.Actor.Audit(now.UtcDateTime, command.AuditAction, AuditSubjects.Client, clientId, AuditOutcomes.NotFound));
            await db.SaveChangesAsync();
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var rows = await CorrespondenceRows.LockAsync(db, clientId, pacing, CancellationToken.None);

        // Erasure cancels every planned message, for good.
        rows.Correspondence.Erase(now);
        rows.WriteBack(db, now.UtcDateTime);
        var client = rows.Client;
        client.EmailBlindIndex = RandomNumberGenerator.GetBytes(32);
        client.EmailSealed = [];
        client.NameSealed = null;
        client.PhoneSealed = null;
        client.ErasedAt ??= now.UtcDateTime;
        foreach (var request in await db.IntakeRequests.Where(r => r.ClientId == clientId).ToListAsync())
        {
            request.MessageSealed = null;
            request.NameSealed = null;
            request.PhoneSealed = null;
            request.IdempotencyKeyHash = null;
            request.RequestFingerprint = null;
            if (request.ClosedAt is null && request.Status == IntakeStatus.Closed)
            {
                request.ClosedReason = CloseReason.Withdrew;
                request.ClosedAt = now.UtcDateTime;
            }
        }

        await db.OutboxMessages.Where(m => m.ClientId == clientId && m.BodySealed != null)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.BodySealed, (byte[]?)null));
        await db.ContactTokens.Where(t => t.ClientId == clientId && t.RevokedAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now.UtcDateTime));
        db.AuditEvents.Add(command.Actor.Audit(now.UtcDateTime, command.AuditAction, AuditSubjects.Client, clientId, AuditOutcomes.Success));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        DeactivateOnIdle();
        LogErased(logger, clientId);
        return new StaffCommandResult(StaffCommandOutcome.Done);
    }

    /// <summary>"Not now / no thanks": open requests close gently, each with one confirmation.</summary>
    private static ContactChange NotNow(CorrespondenceRows rows, DateTimeOffset now)
    {
        var open = rows.Correspondence.Requests.Where(r => r.IsOpen).Select(r => r.Id).ToList();
        if (rows.Correspondence.NotNow(now) == 0)
        {
            return ContactChange.Unchanged;
        }

        foreach (var id in open)
        {
            var request = rows.Request(id);
            request.ClosedReason = CloseReason.PersonDeclined;
            request.ClosedAt = now.UtcDateTime;
            request.Events.Add(new IntakeEvent { At = now.UtcDateTime, Kind = IntakeEventKinds.Closed, Detail = CloseReason.PersonDeclined.ToWire() });
        }

        return ContactChange.Applied;
    }

    /// <summary>
    /// The owner of a stopped (or paused) address confirmed a request sent with it: the waiting requests are
    /// theirs, and the newest one's details become the stored ones.
    /// </summary>
    private static ContactChange ConfirmAddress(CorrespondenceRows rows, Guid? intakeId, DateTimeOffset now)
    {
        var waiting = rows.Correspondence.Requests.Where(r => r.AwaitingAddressConfirmation).Select(r => rows.Request(r.Id)).ToList();
        if (intakeId is not { } id || waiting.Count == 0 || waiting[^1] is not { } newest
            || !rows.Correspondence.ConfirmAddress(id, newest.Pace, newest.TimeZone, now))
        {
            return ContactChange.Unchanged;
        }

        TakeDetails(rows.Client, newest);
        waiting.ForEach(request => request.Events.Add(new IntakeEvent { At = now.UtcDateTime, Kind = IntakeEventKinds.AddressConfirmed }));
        return ContactChange.Applied;
    }

    private static void TakeDetails(Client client, IntakeRequest request)
    {
        client.NameSealed = request.NameSealed ?? client.NameSealed;
        client.PhoneSealed = request.PhoneSealed ?? client.PhoneSealed;
    }

    private static ConsentRecord Consent(Guid clientId, Guid? intakeId, bool granted, string version, string source, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        ClientId = clientId,
        IntakeRequestId = intakeId,
        Purpose = ConsentPurposes.Contact,
        Granted = granted,
        TextVersion = version,
        Source = source,
        RecordedAt = now.UtcDateTime,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} accepted intake {IntakeId} (new client: {IsNewClient}; {Submission})")]
    private static partial void LogAccepted(ILogger logger, Guid clientId, Guid intakeId, bool isNewClient, Submission submission);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} chose {Preference}: {Change}")]
    private static partial void LogPreference(ILogger logger, Guid clientId, PreferenceKind preference, ContactChange change);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} erased")]
    private static partial void LogErased(ILogger logger, Guid clientId);
}
