using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.IntakeRequests;

/// <summary>
/// One request's door, keyed by its id. It receives the submission — non-reentrant, so parallel retries
/// that share an Idempotency-Key (whose hash is the key) queue here and get the first answer — and hands
/// it to the person's <see cref="IClientGrain"/>, which stores it with everything else the intake commits.
/// It keeps, in memory, what the request is (whose, its first answer) and routes staff commands about it
/// to the person, who writes them (ADR 0001: a request belongs to the person's aggregate, because the
/// caps and the one-transaction intake span all of a person's requests).
/// </summary>
/// <remarks>Placed on the node that took the request (ADR 0017), as the person's grain it calls.</remarks>
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class IntakeRequestGrain(
    IDbContextFactory<PracticeDbContext> contexts,
    PracticeClock clock,
    ILogger<IntakeRequestGrain> logger) : Grain, IIntakeRequestGrain, IIncomingGrainCallFilter
{
    private RequestSummary? _request;

    private bool _loaded;

    private Guid IntakeId => this.GetPrimaryKey();

    /// <summary>
    /// The request is loaded before the first call of an activation runs — unless that call is a submission
    /// without an Idempotency-Key, whose id was minted for it a moment ago: nothing can be stored under it.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!_loaded)
        {
            if (!(context.Request.GetArgumentCount() == 1 && context.Request.GetArgument(0) is SubmitIntake { IdempotencyKeyHash: null }))
            {
                await using var db = await contexts.CreateDbContextAsync();
                var stored = await db.IntakeRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == IntakeId);
                _request = stored is null ? null : ClientGrain.Summary(stored);
            }

            _loaded = true;
        }

        await context.Invoke();
    }

    public async Task<SubmitIntakeResult> Submit(SubmitIntake command)
    {
        if (_request is not null)
        {
            return AnswerRepeat(command, _request);
        }

        // Most requests come from someone new: their client id is minted and the insert is tried at once, the
        // email's unique blind index being the guard. When it says the address is someone's already, their id
        // is looked up and the request goes to them. Three tries at most: an address may be claimed, or its
        // client erased, between a look-up and an insert.
        Guid? known = null;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var clientId = known ?? Guid.CreateVersion7();
            var accepted = await GrainFactory.GetGrain<IClientGrain>(clientId).AcceptIntake(new AcceptIntake(IntakeId, command, ClientIdIsNew: known is null));
            switch (accepted.Outcome)
            {
                case AcceptIntakeOutcome.Accepted:
                    _request = accepted.Request;
                    LogSubmitted(logger, IntakeId, command.NeedsPromptAttention);
                    return new SubmitIntakeResult(SubmitIntakeOutcome.Created, IntakeId, IntakeStatus.Submitted, command.Pace);
                case AcceptIntakeOutcome.IntakeAlreadyExists:
                    _request = accepted.Request ?? throw new InvalidOperationException($"Intake {IntakeId} was reported stored but cannot be read.");
                    return AnswerRepeat(command, _request);
                case AcceptIntakeOutcome.EmailBelongsToAnotherClient:
                    known = await FindClientIdAsync(command.Contact.EmailBlindIndex);
                    continue;
                default:
                    throw new InvalidOperationException($"Unexpected outcome {accepted.Outcome}.");
            }
        }

        throw new InvalidOperationException($"Intake {IntakeId} could not settle on a client record.");
    }

    public Task<StaffCommandResult> Assign(AssignIntake command) =>
        RouteAsync(new RequestChange(command.Actor, IntakeId, RequestChangeKind.Assign, TherapistId: command.TherapistId), AuditActions.IntakeAssign);

    public Task<StaffCommandResult> Close(CloseIntake command) =>
        RouteAsync(new RequestChange(command.Actor, IntakeId, RequestChangeKind.Close, Reason: command.Reason), AuditActions.IntakeClose);

    public Task<StaffCommandResult> SendPersonalMessage(SendPersonalMessage command) =>
        RouteAsync(new RequestChange(command.Actor, IntakeId, RequestChangeKind.WritePersonally, BodySealed: command.BodySealed), AuditActions.PersonalMessage);

    public Task<StaffCommandResult> MarkReplied(MarkReplied command) =>
        RouteAsync(new RequestChange(command.Actor, IntakeId, RequestChangeKind.MarkReplied), AuditActions.IntakeReplied);

    public Task<StaffCommandResult> MarkBooked(MarkBooked command) =>
        RouteAsync(new RequestChange(command.Actor, IntakeId, RequestChangeKind.MarkBooked), AuditActions.IntakeBooked);

    private async Task<StaffCommandResult> RouteAsync(RequestChange change, string auditAction)
    {
        if (_request is null)
        {
            // No such request: said as "not found", and recorded like any other look at what is not theirs.
            await using var db = await contexts.CreateDbContextAsync();
            db.AuditEvents.Add(change.Actor.Audit(clock.GetUtcNow().UtcDateTime, auditAction, AuditSubjects.IntakeRequest, IntakeId, AuditOutcomes.NotFound));
            await db.SaveChangesAsync();
            DeactivateOnIdle();
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        var result = await GrainFactory.GetGrain<IClientGrain>(_request.ClientId).ChangeRequest(change);

        // The person's grain wrote the request: what this door remembers of it (its status) is read again when next needed.
        _loaded = false;
        return result;
    }

    private SubmitIntakeResult AnswerRepeat(SubmitIntake command, RequestSummary request)
    {
        var sameForm = command.IdempotencyKeyHash is not null
            && request.RequestFingerprint is not null
            && request.RequestFingerprint.AsSpan().SequenceEqual(command.RequestFingerprint);
        LogRepeat(logger, request.IntakeId, sameForm);

        // Idempotency replays the first answer as it was given, not the request's later state.
        return sameForm
            ? new SubmitIntakeResult(SubmitIntakeOutcome.Replayed, request.IntakeId, IntakeStatus.Submitted, request.Pace)
            : new SubmitIntakeResult(SubmitIntakeOutcome.KeyReusedForDifferentRequest, request.IntakeId, request.Status, request.Pace);
    }

    private async Task<Guid?> FindClientIdAsync(byte[] emailBlindIndex)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Clients.AsNoTracking()
            .Where(c => c.EmailBlindIndex == emailBlindIndex)
            .Select(c => (Guid?)c.Id)
            .SingleOrDefaultAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Intake {IntakeId} submitted (needs prompt attention: {NeedsPromptAttention})")]
    private static partial void LogSubmitted(ILogger logger, Guid intakeId, bool needsPromptAttention);

    [LoggerMessage(Level = LogLevel.Information, Message = "Intake {IntakeId} submitted again with the same key (same form: {SameForm})")]
    private static partial void LogRepeat(ILogger logger, Guid intakeId, bool sameForm);
}
