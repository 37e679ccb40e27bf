using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Clients;

/// <summary>
/// Loads the person's row on activation and writes every change to it — with the rows the command
/// adds — in one SaveChanges (one transaction). The xmin token turns a write by a duplicate
/// activation into a conflict instead of a lost update.
/// </summary>
public sealed partial class ClientGrain(
    IDbContextFactory<PracticeDbContext> contexts,
    TimeProvider clock,
    ILogger<ClientGrain> logger) : Grain, IClientGrain
{
    private Client? _client;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _client = await LoadAsync(cancellationToken);

    public async Task<AcceptIntakeResult> AcceptIntake(AcceptIntake command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAcceptAsync(command);
            }
            catch (DbUpdateConcurrencyException) when (attempt == 1)
            {
                LogConcurrencyRetry(logger, this.GetPrimaryKey());
                _client = await LoadAsync(CancellationToken.None);
            }
        }
    }

    private async Task<AcceptIntakeResult> TryAcceptAsync(AcceptIntake command)
    {
        var submission = command.Submission;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync();

        var isNew = _client is null;
        var client = _client ?? new Client
        {
            Id = this.GetPrimaryKey(),
            EmailBlindIndex = submission.Contact.EmailBlindIndex,
            CreatedAt = now,
        };
        if (isNew)
        {
            db.Clients.Add(client);
        }
        else
        {
            db.Clients.Attach(client);
        }

        // Writing in again is the newest word on how they'd like to be reached.
        client.EmailSealed = submission.Contact.EmailSealed;
        client.NameSealed = submission.Contact.NameSealed ?? client.NameSealed;
        client.PhoneSealed = submission.Contact.PhoneSealed ?? client.PhoneSealed;
        client.TimeZone = submission.TimeZone;
        client.Pace = submission.Pace;
        client.ContactStatus = ContactStatus.Open;
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
            SubmittedAt = now,
            IdempotencyKeyHash = submission.IdempotencyKeyHash,
            RequestFingerprint = submission.RequestFingerprint,
        };
        request.Events.Add(new IntakeEvent { At = now, Kind = IntakeEventKinds.Submitted });
        db.IntakeRequests.Add(request);
        db.ConsentRecords.Add(new ConsentRecord
        {
            Id = Guid.CreateVersion7(),
            ClientId = client.Id,
            IntakeRequestId = command.IntakeId,
            Purpose = ConsentPurposes.Contact,
            Granted = true,
            TextVersion = submission.ConsentVersion,
            Source = ConsentSources.IntakeForm,
            RecordedAt = now,
        });

        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException exception) when (exception is not DbUpdateConcurrencyException)
        {
            // The in-memory record may hold changes that were never stored: start again from the table.
            _client = await LoadAsync(CancellationToken.None);
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
        catch (DbUpdateConcurrencyException)
        {
            _client = null;
            throw;
        }

        db.Entry(client).State = EntityState.Detached;
        _client = client;
        LogAccepted(logger, client.Id, command.IntakeId, isNew);
        return new AcceptIntakeResult(AcceptIntakeOutcome.Accepted);
    }

    public async Task<StaffCommandResult> EraseDetails(EraseClient command)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var now = clock.GetUtcNow().UtcDateTime;
        var clientId = this.GetPrimaryKey();
        if (!(command.Actor.IsAdmin || command.Actor.IsSystem) || _client is null)
        {
            db.AuditEvents.Add(command.Actor.Audit(now, command.AuditAction, AuditSubjects.Client, clientId, AuditOutcomes.NotFound));
            await db.SaveChangesAsync();
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        var client = await db.Clients.Include(c => c.IntakeRequests).SingleAsync(c => c.Id == clientId);
        client.EmailBlindIndex = RandomNumberGenerator.GetBytes(32);
        client.EmailSealed = [];
        client.NameSealed = null;
        client.PhoneSealed = null;
        client.ContactStatus = ContactStatus.Stopped;
        client.ErasedAt ??= now;
        client.UpdatedAt = now;
        foreach (var request in client.IntakeRequests)
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

        db.AuditEvents.Add(command.Actor.Audit(now, command.AuditAction, AuditSubjects.Client, clientId, AuditOutcomes.Success));
        await db.SaveChangesAsync();
        _client = null;
        DeactivateOnIdle();
        LogErased(logger, clientId);
        return new StaffCommandResult(StaffCommandOutcome.Done);
    }

    private async Task<Client?> LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var id = this.GetPrimaryKey();
        return await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} accepted intake {IntakeId} (new client: {IsNewClient})")]
    private static partial void LogAccepted(ILogger logger, Guid clientId, Guid intakeId, bool isNewClient);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} erased")]
    private static partial void LogErased(ILogger logger, Guid clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} was written by another activation; reloading and retrying once")]
    private static partial void LogConcurrencyRetry(ILogger logger, Guid clientId);
}
