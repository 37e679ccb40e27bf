using Microsoft.Extensions.Logging;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Clients;

public sealed partial class ClientGrain
{
    /// <summary>
    /// Step 2 of every offer command (ADR 0001): the therapist's calendar decided; the person's
    /// correspondence hears where the offer stands and plans what the table says. Idempotent.
    /// </summary>
    public async Task<StaffCommandResult> TellOffer(OfferNews news)
    {
        if (_rows?.FindRequest(news.IntakeId) is null)
        {
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        var outcome = await WriteAsync((db, rows, now) =>
        {
            var correspondence = rows.Correspondence;
            var before = correspondence.Request(news.IntakeId)!.Status;
            var change = news.Status == OfferStatus.Open
                ? correspondence.OfferTimes(news.IntakeId, news.OfferId, now)
                : correspondence.OfferSettled(news.IntakeId, news.OfferId, news.Status, now);
            var request = rows.Request(news.IntakeId);
            var after = correspondence.Request(news.IntakeId)!.Status;
            if (change == StaffChange.Done && before != after)
            {
                request.Events.Add(new IntakeEvent
                {
                    IntakeRequestId = request.Id,
                    At = now.UtcDateTime,
                    Kind = IntakeEventKinds.ForOffer(news.Status),
                });
                if (after == Domain.Intake.IntakeStatus.Closed)
                {
                    request.ClosedReason = Domain.Intake.CloseReason.PersonDeclined;
                    request.ClosedAt = now.UtcDateTime;
                }
            }

            return Task.FromResult(Outcome(change));
        });

        LogOfferTold(logger, ClientId, news.OfferId, news.Status, outcome);
        return new StaffCommandResult(outcome);
    }

    public async Task<StaffCommandResult> TellSession(SessionTold told)
    {
        if (_rows is null)
        {
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        var news = new SessionNews(told.AppointmentId, told.IntakeId, told.Change, told.StartsAt, told.Sequence, told.ByPerson);
        var outcome = await WriteAsync((db, rows, now) => Task.FromResult(Outcome(told.AnotherTimeAsked
            ? rows.Correspondence.AnotherTimeAsked(news, now)
            : rows.Correspondence.SessionChanged(news, now))));
        LogSessionTold(logger, ClientId, told.AppointmentId, told.Change, told.Sequence, outcome);
        return new StaffCommandResult(outcome);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId}: appointment {AppointmentId} {Change} (sequence {Sequence}), told ({Outcome})")]
    private static partial void LogSessionTold(ILogger logger, Guid clientId, Guid appointmentId, SessionChange change, int sequence, StaffCommandOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId}: offer {OfferId} is {Status}, told ({Outcome})")]
    private static partial void LogOfferTold(ILogger logger, Guid clientId, Guid offerId, OfferStatus status, StaffCommandOutcome outcome);
}
