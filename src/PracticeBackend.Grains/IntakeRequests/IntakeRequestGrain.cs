using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.IntakeRequests;

/// <summary>
/// Receives a submission and hands it to the person's <see cref="IClientGrain"/>, which stores the
/// request with the client record in one transaction; from then on this grain owns the request.
/// Non-reentrant, so parallel retries with one Idempotency-Key queue here and see the first result;
/// the primary key and the unique key hash make that hold even across duplicate activations.
/// </summary>
public sealed partial class IntakeRequestGrain(
    IDbContextFactory<PracticeDbContext> contexts,
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

    public Task<IntakeRequestStatus?> GetStatus() => Task.FromResult(
        _request is null
            ? null
            : new IntakeRequestStatus(_request.Id, _request.Status, _request.Pace, new DateTimeOffset(_request.SubmittedAt, TimeSpan.Zero)));

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Intake {IntakeId} submitted again with the same key (same form: {SameForm})")]
    private static partial void LogRepeat(ILogger logger, Guid intakeId, bool sameForm);
}
