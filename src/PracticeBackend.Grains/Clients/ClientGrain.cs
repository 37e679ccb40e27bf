using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Messaging;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Clients;

/// <summary>
/// The person's single writer. Each command runs in one transaction that first locks the client
/// row (so the send job and this grain never plan over each other), applies the change, and
/// re-plans the person's outbox before it commits.
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
        var now = clock.GetUtcNow().UtcDateTime;

        var isNew = !_exists;
        var client = isNew
            ? new Client { Id = clientId, EmailBlindIndex = submission.Contact.EmailBlindIndex, CreatedAt = now }
            : await OutboxPlanner.LockClientAsync(db, clientId, CancellationToken.None);
        if (isNew)
        {
            db.Clients.Add(client);
        }

        // Writing in again is the newest word on how they'd like to be reached.
        client.EmailSealed = submission.Contact.EmailSealed;
        client.NameSealed = submission.Contact.NameSealed ?? client.NameSealed;
        client.PhoneSealed = submission.Contact.PhoneSealed ?? client.PhoneSealed;
        client.TimeZone = submission.TimeZone;
        client.Pace = submission.Pace;
        client.ContactStatus = ContactStatus.Open;
        client.PausedUntil = null;
        client.UpdatedAt = now;

        var request = new IntakeRequest
        {
            Id = command.IntakeId,
            ClientId = client.Id,
            Status = IntakeStatus.Submitted,
            Pace = submission.Pace,
            PreferredFormat = submission.PreferredFormat,
            MessageSealed = submission.MessageSealed,
            NeedsPromptAttention = submission.NeedsPromptAttention,

            // Crisis language goes to a human; automation never answers it with check-ins.
            AutomationStoppedReason = submission.NeedsPromptAttention ? AutomationStopReasons.NeedsAHuman : null,
            SubmittedAt = now,
            LastContactAt = now,
            IdempotencyKeyHash = submission.IdempotencyKeyHash,
            RequestFingerprint = submission.RequestFingerprint,
        };
        request.Events.Add(new IntakeEvent { At = now, Kind = IntakeEventKinds.Submitted });
        db.IntakeRequests.Add(request);
        db.ConsentRecords.Add(Consent(client.Id, request.Id, granted: true, submission.ConsentVersion, ConsentSources.IntakeForm, now));
        db.OutboxMessages.Add(OutboxPlanner.NewMessage(client.Id, request.Id, MessageKind.Acknowledgement, now, now));

        try
        {
            await db.SaveChangesAsync();
            await OutboxPlanner.ReplanAsync(db, client, pacing, now, CancellationToken.None);
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
        LogAccepted(logger, client.Id, command.IntakeId, isNew);
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
        var now = clock.GetUtcNow().UtcDateTime;
        var client = await OutboxPlanner.LockClientAsync(db, clientId, CancellationToken.None);
        if (client.ErasedAt is not null)
        {
            return new PreferenceResult(PreferenceOutcome.NotFound, null);
        }

        switch (command.Kind)
        {
            case PreferenceKind.StopEmails:
                client.ContactStatus = ContactStatus.Stopped;
                client.PausedUntil = null;
                db.ConsentRecords.Add(Consent(clientId, null, granted: false, "stop", ConsentSources.EmailLink, now));
                break;
            case PreferenceKind.Pause when client.ContactStatus is ContactStatus.Stopped or ContactStatus.Bounced:
                // A pause link from an older email must never undo a stop: a pause ends, a stop does not.
                break;
            case PreferenceKind.Pause:
                var days = command.PauseDays ?? 30;
                client.ContactStatus = ContactStatus.Paused;
                client.PausedUntil = now.AddDays(days);
                db.ConsentRecords.Add(Consent(clientId, null, granted: false, $"pause-{days}-days", ConsentSources.EmailLink, now));
                break;
            case PreferenceKind.ChangePace:
                client.Pace = command.Pace ?? client.Pace;
                if (client.Pace == Pace.WhenReady)
                {
                    await StopAutomationAsync(db, clientId, AutomationStopReasons.PersonWillReachOut, CancellationToken.None);
                }

                break;
            case PreferenceKind.NotNow:
                await CloseOpenRequestsAsync(db, clientId, now);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.Kind, null);
        }

        client.UpdatedAt = now;
        await db.SaveChangesAsync();
        await OutboxPlanner.ReplanAsync(db, client, pacing, now, CancellationToken.None);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        LogPreference(logger, clientId, command.Kind);
        return new PreferenceResult(PreferenceOutcome.Applied, client.PausedUntil is { } until ? new DateTimeOffset(until, TimeSpan.Zero) : null);
    }

    public async Task<StaffCommandResult> EraseDetails(EraseClient command)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var now = clock.GetUtcNow().UtcDateTime;
        var clientId = this.GetPrimaryKey();
        if (!(command.Actor.IsAdmin || command.Actor.IsSystem) || !_exists)
        {
            db.AuditEvents.Add(command.Actor.Audit(now, command.AuditAction, AuditSubjects.Client, clientId, AuditOutcomes.NotFound));
            await db.SaveChangesAsync();
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var client = await OutboxPlanner.LockClientAsync(db, clientId, CancellationToken.None);
        client.EmailBlindIndex = RandomNumberGenerator.GetBytes(32);
        client.EmailSealed = [];
        client.NameSealed = null;
        client.PhoneSealed = null;
        client.ContactStatus = ContactStatus.Stopped;
        client.ErasedAt ??= now;
        client.UpdatedAt = now;
        foreach (var request in await db.IntakeRequests.Where(r => r.ClientId == clientId).ToListAsync())
        {
            request.MessageSealed = null;
            request.IdempotencyKeyHash = null;
            request.RequestFingerprint = null;
            if (IntakeTransitions.CanClose(request.Status))
            {
                request.Status = IntakeStatus.Closed;
                request.ClosedReason ??= CloseReason.Withdrew;
                request.ClosedAt ??= now;
            }
        }

        await db.OutboxMessages.Where(m => m.ClientId == clientId && m.BodySealed != null)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.BodySealed, (byte[]?)null));
        await db.ContactTokens.Where(t => t.ClientId == clientId && t.RevokedAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now));
        db.AuditEvents.Add(command.Actor.Audit(now, command.AuditAction, AuditSubjects.Client, clientId, AuditOutcomes.Success));
        await db.SaveChangesAsync();

        // Erasure cancels every planned message.
        await OutboxPlanner.ReplanAsync(db, client, pacing, now, CancellationToken.None);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        DeactivateOnIdle();
        LogErased(logger, clientId);
        return new StaffCommandResult(StaffCommandOutcome.Done);
    }

    private static async Task StopAutomationAsync(PracticeDbContext db, Guid clientId, string reason, CancellationToken cancellationToken)
    {
        foreach (var request in await db.IntakeRequests.Where(r => r.ClientId == clientId && r.AutomationStoppedReason == null).ToListAsync(cancellationToken))
        {
            request.AutomationStoppedReason = reason;
        }
    }

    /// <summary>"Not now / no thanks": open requests close gently, each with one outcome message.</summary>
    private static async Task CloseOpenRequestsAsync(PracticeDbContext db, Guid clientId, DateTime now)
    {
        var open = await db.IntakeRequests
            .Where(r => r.ClientId == clientId && r.Status != IntakeStatus.Closed && r.Status != IntakeStatus.Booked)
            .ToListAsync();
        foreach (var request in open)
        {
            request.Status = IntakeStatus.Closed;
            request.ClosedReason = CloseReason.PersonDeclined;
            request.ClosedAt = now;
            request.AutomationStoppedReason ??= AutomationStopReasons.NotNow;
            db.IntakeEvents.Add(new IntakeEvent { IntakeRequestId = request.Id, At = now, Kind = IntakeEventKinds.Closed, Detail = CloseReason.PersonDeclined.ToWire() });
            var outcome = OutboxPlanner.NewMessage(clientId, request.Id, MessageKind.Outcome, now, now);
            outcome.OutcomeReason = CloseReason.PersonDeclined;
            db.OutboxMessages.Add(outcome);
        }
    }

    private static ConsentRecord Consent(Guid clientId, Guid? intakeId, bool granted, string version, string source, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        ClientId = clientId,
        IntakeRequestId = intakeId,
        Purpose = ConsentPurposes.Contact,
        Granted = granted,
        TextVersion = version,
        Source = source,
        RecordedAt = now,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} accepted intake {IntakeId} (new client: {IsNewClient})")]
    private static partial void LogAccepted(ILogger logger, Guid clientId, Guid intakeId, bool isNewClient);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} chose {Preference}")]
    private static partial void LogPreference(ILogger logger, Guid clientId, PreferenceKind preference);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} erased")]
    private static partial void LogErased(ILogger logger, Guid clientId);
}
