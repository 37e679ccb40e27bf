using Microsoft.EntityFrameworkCore;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Jobs;

/// <summary>
/// Every offer command spans two aggregates (ADR 0001): (1) the therapist's grain decides on its calendar
/// (holds, a pick's appointment, a decline, a lapse), its offer row saying the person is still to be told;
/// (2) the person's grain hears where the offer stands and plans what the message table says; (3) the
/// therapist's grain notes that the person was told. Steps 2 and 3 are idempotent; run here right after
/// step 1, and again by <see cref="OfferSweep"/> for any offer a failure left between.
/// </summary>
public sealed partial class OfferSteps(IGrainFactory grains, OutboxSignal outbox, ILogger<OfferSteps> logger)
{
    public async Task TellAsync(OfferView offer)
    {
        await grains.GetGrain<IClientGrain>(offer.ClientId).TellOffer(new OfferNews(offer.IntakeId, offer.OfferId, offer.Status));
        await grains.GetGrain<ITherapistGrain>(offer.TherapistId).MarkOfferTold(new MarkOfferTold(offer.OfferId, offer.Status));
        outbox.Nudge();
    }

    /// <summary>Steps 2 and 3 right after step 1; a failure is left to the sweep, since what step 1 decided stands.</summary>
    public async Task TellOrLeaveToSweepAsync(OfferView offer)
    {
        try
        {
            await TellAsync(offer);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            LogLeftToSweep(logger, offer.OfferId, failure.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offer {OfferId}: telling the person failed ({ExceptionType}); the offer sweep finishes it")]
    private static partial void LogLeftToSweep(ILogger logger, Guid offerId, string exceptionType);
}

/// <summary>
/// Every minute: open offers whose hold has ended are lapsed by their therapist's grain, and every offer
/// whose person has not yet been told where it stands (a lapse just now, or a failure between the steps) is told.
/// </summary>
public sealed partial class OfferSweep(IDbContextFactory<PracticeDbContext> contexts, IGrainFactory grains, OfferSteps steps, PracticeClock clock, ILogger<OfferSweep> logger)
{
    public const string RecurringJobId = "offer-sweep";

    /// <summary>Younger changes are still being told by the request that made them.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var lapsing = await db.Offers.AsNoTracking()
            .Where(o => o.Status == OfferStatus.Open && o.LapsesAt <= now)
            .Select(o => o.TherapistId).Distinct().Take(500)
            .ToListAsync(cancellationToken);
        foreach (var therapistId in lapsing)
        {
            try
            {
                await grains.GetGrain<ITherapistGrain>(therapistId).LapseOffers();
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                LogFailed(logger, therapistId, failure.GetType().Name);
            }
        }

        var before = now - Grace;
        var untold = await db.Offers.AsNoTracking()
            .Where(o => o.PersonToldAt == null && (o.Status == OfferStatus.Lapsed || o.UpdatedAt < before))
            .Select(o => new { o.Id, o.TherapistId })
            .Take(500)
            .ToListAsync(cancellationToken);
        foreach (var offer in untold)
        {
            try
            {
                if (await grains.GetGrain<ITherapistGrain>(offer.TherapistId).GetOffer(offer.Id) is { PersonTold: false } view)
                {
                    await steps.TellAsync(view);
                }
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                LogFailed(logger, offer.Id, failure.GetType().Name);
            }
        }

        return lapsing.Count + untold.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offer sweep: {Id} failed ({ExceptionType}); the next sweep tries again")]
    private static partial void LogFailed(ILogger logger, Guid id, string exceptionType);
}
