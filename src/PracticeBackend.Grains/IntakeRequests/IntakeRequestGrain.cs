using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Messaging;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.IntakeRequests;

/// <summary>
/// Receives a submission and hands it to the person's <see cref="IClientGrain"/>, which stores the
/// request with the client record in one transaction; from then on this grain owns the request.
/// Non-reentrant, so parallel retries with one Idempotency-Key queue here and see the first result;
/// the primary key and the unique key hash make that hold even across duplicate activations.
/// </summary>
public sealed partial class IntakeRequestGrain(
    IDbContextFactory<PracticeDbContext> contexts,
    PacingSettings pacing,
    PracticeClock clock,
    ILogger<IntakeRequestGrain> logger) : Grain, IIntakeRequestGrain
{
    private IntakeRequest? _request;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _request = await LoadAsync(cancellationToken);

    public async Task<SubmitIntakeResult> Submit(SubmitIntake command)
    {
        if (_request is not null)
        {
            return AnswerRepeat(command);
        }

        // Twice at most: a first-time email may be claimed by a parallel submission between our
        // look-up and our insert; the second look-up then finds that client.
        var intakeId = this.GetPrimaryKey();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var clientId = await FindClientIdAsync(command.Contact.EmailBlindIndex) ?? Guid.CreateVersion7();
            var accepted = await GrainFactory.GetGrain<IClientGrain>(clientId)
                .AcceptIntake(new AcceptIntake(intakeId, command));
            switch (accepted.Outcome)
            {
                case AcceptIntakeOutcome.Accepted:
                    _request = await LoadAsync(CancellationToken.None);
                    LogSubmitted(logger, intakeId, command.NeedsPromptAttention);
                    return new SubmitIntakeResult(SubmitIntakeOutcome.Created, intakeId, IntakeStatus.Submitted, command.Pace);
                case AcceptIntakeOutcome.IntakeAlreadyExists:
                    _request = await LoadAsync(CancellationToken.None)
                        ?? throw new InvalidOperationException($"Intake {intakeId} was reported stored but cannot be read.");
                    return AnswerRepeat(command);
                case AcceptIntakeOutcome.EmailBelongsToAnotherClient:
                    continue;
                default:
                    throw new InvalidOperationException($"Unexpected outcome {accepted.Outcome}.");
            }
        }

        throw new InvalidOperationException($"Intake {intakeId} could not settle on a client record.");
    }

    public Task<StaffCommandResult> Assign(AssignIntake command) =>
        ChangeAsync(command.Actor, AuditActions.IntakeAssign, async (db, rows, request, now) =>
        {
            if (!command.Actor.IsAdmin && command.TherapistId != command.Actor.TherapistId)
            {
                return StaffCommandOutcome.NotPermitted;
            }

            if (!IntakeTransitions.CanAssign(request.Status))
            {
                return StaffCommandOutcome.NotAllowedInThisState;
            }

            if (!await db.Therapists.AnyAsync(t => t.Id == command.TherapistId))
            {
                return StaffCommandOutcome.UnknownTherapist;
            }

            var outcome = Outcome(rows.Correspondence.Assign(request.Id));
            if (outcome != StaffCommandOutcome.Done)
            {
                return outcome;
            }

            request.AssignedTherapistId = command.TherapistId;
            db.IntakeEvents.Add(Event(request, now, IntakeEventKinds.Assigned, command.Actor, command.TherapistId, null));
            return StaffCommandOutcome.Done;
        });

    public Task<StaffCommandResult> Close(CloseIntake command) =>
        ChangeAsync(command.Actor, AuditActions.IntakeClose, (db, rows, request, now) =>
        {
            var outcome = Outcome(rows.Correspondence.CloseByStaff(request.Id, command.Reason, now));
            if (outcome == StaffCommandOutcome.Done)
            {
                request.ClosedReason = command.Reason;
                request.ClosedAt = now.UtcDateTime;
                db.IntakeEvents.Add(Event(request, now, IntakeEventKinds.Closed, command.Actor, null, command.Reason.ToWire()));
            }

            return Task.FromResult(outcome);
        });

    public Task<StaffCommandResult> SendPersonalMessage(SendPersonalMessage command) =>
        ChangeAsync(command.Actor, AuditActions.PersonalMessage, (db, rows, request, now) =>
        {
            var messageId = Guid.CreateVersion7();
            var outcome = Outcome(rows.Correspondence.WritePersonally(request.Id, messageId, now));
            if (outcome == StaffCommandOutcome.Done)
            {
                rows.WriteBack(db, now.UtcDateTime);
                var message = rows.Message(messageId);
                message.BodySealed = command.BodySealed;
                message.AuthorUserId = command.Actor.UserId;
                db.IntakeEvents.Add(Event(request, now, IntakeEventKinds.PersonalMessage, command.Actor, null, null));
            }

            return Task.FromResult(outcome);
        });

    public Task<StaffCommandResult> MarkReplied(MarkReplied command) =>
        ChangeAsync(command.Actor, AuditActions.IntakeReplied, (db, rows, request, now) =>
        {
            // A reply means a conversation between people: automated follow-ups end for this request.
            var outcome = Outcome(rows.Correspondence.Replied(request.Id, now));
            if (outcome == StaffCommandOutcome.Done)
            {
                db.IntakeEvents.Add(Event(request, now, IntakeEventKinds.Replied, command.Actor, null, null));
            }

            return Task.FromResult(outcome);
        });

    /// <summary>
    /// One staff change in one transaction: the client row lock (shared with the send job), need-to-know
    /// (an invisible request is "not found"), the change, its timeline event, its audit row, and what the
    /// person's correspondence planned because of it.
    /// </summary>
    private async Task<StaffCommandResult> ChangeAsync(
        StaffActor actor,
        string auditAction,
        Func<PracticeDbContext, CorrespondenceRows, IntakeRequest, DateTimeOffset, Task<StaffCommandOutcome>> change)
    {
        var intakeId = this.GetPrimaryKey();
        await using var db = await contexts.CreateDbContextAsync();
        var now = clock.GetUtcNow();
        if (_request is null || !actor.MaySee(_request))
        {
            db.AuditEvents.Add(actor.Audit(now.UtcDateTime, auditAction, AuditSubjects.IntakeRequest, intakeId, AuditOutcomes.NotFound));
            await db.SaveChangesAsync();
            DeactivateOnIdle();
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var rows = await CorrespondenceRows.LockAsync(db, _request.ClientId, pacing, CancellationToken.None);
        var request = rows.Request(intakeId);
        var outcome = actor.MaySee(request) ? await change(db, rows, request, now) : StaffCommandOutcome.NotFound;
        if (outcome == StaffCommandOutcome.Done)
        {
            rows.WriteBack(db, now.UtcDateTime);
        }
        else
        {
            db.ChangeTracker.Clear();
        }

        db.AuditEvents.Add(actor.Audit(now.UtcDateTime, auditAction, AuditSubjects.IntakeRequest, intakeId,
            outcome == StaffCommandOutcome.Done ? AuditOutcomes.Success : AuditOutcomes.Denied));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        _request = await LoadAsync(CancellationToken.None);
        if (outcome == StaffCommandOutcome.Done)
        {
            LogChanged(logger, intakeId, auditAction);
        }

        return new StaffCommandResult(outcome);
    }

    private static StaffCommandOutcome Outcome(StaffChange change) => change switch
    {
        StaffChange.Done => StaffCommandOutcome.Done,
        StaffChange.NotAllowedInThisState => StaffCommandOutcome.NotAllowedInThisState,
        _ => StaffCommandOutcome.NotFound,
    };

    private static IntakeEvent Event(IntakeRequest request, DateTimeOffset at, string kind, StaffActor actor, Guid? therapistId, string? detail) => new()
    {
        IntakeRequestId = request.Id,
        At = at.UtcDateTime,
        Kind = kind,
        ActorUserId = actor.UserId,
        TherapistId = therapistId,
        Detail = detail,
    };

    private SubmitIntakeResult AnswerRepeat(SubmitIntake command)
    {
        var request = _request!;
        var sameForm = command.IdempotencyKeyHash is not null
            && request.RequestFingerprint is not null
            && request.RequestFingerprint.AsSpan().SequenceEqual(command.RequestFingerprint);
        LogRepeat(logger, request.Id, sameForm);

        // Idempotency replays the first answer as it was given, not the request's later state.
        return sameForm
            ? new SubmitIntakeResult(SubmitIntakeOutcome.Replayed, request.Id, IntakeStatus.Submitted, request.Pace)
            : new SubmitIntakeResult(SubmitIntakeOutcome.KeyReusedForDifferentRequest, request.Id, request.Status, request.Pace);
    }

    private async Task<Guid?> FindClientIdAsync(byte[] emailBlindIndex)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Clients.AsNoTracking()
            .Where(c => c.EmailBlindIndex == emailBlindIndex)
            .Select(c => (Guid?)c.Id)
            .SingleOrDefaultAsync();
    }

    private async Task<IntakeRequest?> LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var id = this.GetPrimaryKey();
        return await db.IntakeRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Intake {IntakeId} submitted (needs prompt attention: {NeedsPromptAttention})")]
    private static partial void LogSubmitted(ILogger logger, Guid intakeId, bool needsPromptAttention);

    [LoggerMessage(Level = LogLevel.Information, Message = "Intake {IntakeId}: {Action} by staff")]
    private static partial void LogChanged(ILogger logger, Guid intakeId, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Intake {IntakeId} submitted again with the same key (same form: {SameForm})")]
    private static partial void LogRepeat(ILogger logger, Guid intakeId, bool sameForm);
}
