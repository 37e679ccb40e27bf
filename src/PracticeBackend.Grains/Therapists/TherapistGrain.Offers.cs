using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Therapists;

public sealed partial class TherapistGrain
{
    /// <summary>Who the audit trail names for what the person did through their link.</summary>
    private static readonly StaffActor PersonByLink = StaffActor.System("person-by-link");

    public async Task<OfferResult> MakeOffer(MakeOffer command)
    {
        if (_therapist is null || !(command.Actor.IsAdmin || command.Actor.TherapistId == TherapistId))
        {
            return new OfferResult(OfferOutcome.NotFound);
        }

        if (_offers.TryGetValue(command.OfferId, out var existing))
        {
            return new OfferResult(OfferOutcome.Done, View(existing));
        }

        return await WriteOffersAsync(command.Actor, AuditActions.OfferMake, command.OfferId, now =>
        {
            var session = (_availability ?? Availability.None(_therapist.TimeZone)).Session;
            var offer = new Offer(
                command.OfferId, command.IntakeId, command.ClientId, command.Format,
                [.. command.Starts.Select(Instant.FromDateTimeOffset).Order()], session, Instant.FromDateTimeOffset(command.LapsesAt));
            var change = _calendar.MakeOffer(offer, Instant.FromDateTimeUtc(now));
            if (change != CalendarChange.Done)
            {
                return (change == CalendarChange.Taken ? OfferOutcome.Taken : OfferOutcome.AlreadyOpen, null, null);
            }

            var row = new OfferRow
            {
                Id = offer.Id,
                TherapistId = TherapistId,
                ClientId = offer.ClientId,
                IntakeRequestId = offer.RequestId,
                Format = offer.Format,
                Starts = [.. offer.Starts.Select(s => s.ToDateTimeUtc())],
                SessionMinutes = (int)session.TotalMinutes,
                Status = OfferStatus.Open,
                LapsesAt = offer.LapsesAt.ToDateTimeUtc(),
                CreatedAt = now,
                UpdatedAt = now,
            };
            _offers[row.Id] = row;
            return (OfferOutcome.Done, row, null);
        }, added: true);
    }

    public async Task<OfferResult> AnswerOffer(AnswerOffer command)
    {
        if (!_offers.TryGetValue(command.OfferId, out _))
        {
            return new OfferResult(OfferOutcome.NotFound);
        }

        return await WriteOffersAsync(PersonByLink, AuditActions.OfferAnswer, command.OfferId, now =>
        {
            // Looked up here: after a conflict's reload, the row held before is no longer the one to change.
            if (!_offers.TryGetValue(command.OfferId, out var row))
            {
                return (OfferOutcome.NotFound, null, null);
            }

            var at = Instant.FromDateTimeUtc(now);
            if (command.Answer == OfferStatus.Picked)
            {
                var start = Instant.FromDateTimeOffset(command.Start ?? throw new ArgumentException("A pick names its start.", nameof(command)));
                var (answer, appointment) = _calendar.Pick(command.OfferId, start, Guid.CreateVersion7(), at);
                if (answer != OfferAnswer.Done || appointment is null)
                {
                    return (Outcome(answer), null, null);
                }

                if (row.Status == OfferStatus.Picked)
                {
                    // The same pick again: the first answer.
                    return (OfferOutcome.Done, null, null);
                }

                var booked = new AppointmentRow
                {
                    Id = appointment.Id,
                    TherapistId = TherapistId,
                    ClientId = appointment.ClientId,
                    IntakeRequestId = row.IntakeRequestId,
                    StartsAt = appointment.Start.ToDateTimeUtc(),
                    EndsAt = appointment.End.ToDateTimeUtc(),
                    Format = appointment.Format,
                    Status = AppointmentStatus.Confirmed,
                    ChangedByPerson = true,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                _appointments[booked.Id] = booked;
                row.PickedStart = booked.StartsAt;
                row.AppointmentId = booked.Id;
                return (Settle(row, OfferStatus.Picked, now), row, booked);
            }

            var declined = _calendar.Decline(command.OfferId, command.Answer, command.Usually ?? [], at);
            if (declined != OfferAnswer.Done)
            {
                return (Outcome(declined), null, null);
            }

            if (row.Status == command.Answer)
            {
                return (OfferOutcome.Done, null, null);
            }

            row.Usually = [.. _calendar.FindOffer(command.OfferId)!.Usually ?? []];
            return (Settle(row, command.Answer, now), row, null);
        }, added: false);
    }

    public async Task<int> LapseOffers()
    {
        if (_therapist is null)
        {
            return 0;
        }

        var lapsed = 0;
        await WriteOffersAsync(StaffActor.System("offer-sweep"), AuditActions.OfferLapse, null, now =>
        {
            var rows = _calendar.Lapse(Instant.FromDateTimeUtc(now)).Select(o => _offers[o.Id]).ToList();
            rows.ForEach(r => Settle(r, OfferStatus.Lapsed, now));
            lapsed = rows.Count;
            return (rows.Count > 0 ? OfferOutcome.Done : OfferOutcome.NotFound, null, null, rows);
        });
        return lapsed;
    }

    public async Task MarkOfferTold(MarkOfferTold command)
    {
        if (!_offers.ContainsKey(command.OfferId))
        {
            await ReloadAsync(CancellationToken.None);
        }

        if (!_offers.TryGetValue(command.OfferId, out var row) || row.Status != command.Status || row.PersonToldAt is not null)
        {
            return;
        }

        await WriteThroughAsync(async now =>
        {
            await using var db = await contexts.CreateDbContextAsync();
            db.Offers.Attach(row);
            row.PersonToldAt = now;
            if (row.AppointmentId is { } appointmentId && _appointments.TryGetValue(appointmentId, out var booked) && booked.RequestBookedAt is null)
            {
                // The person's correspondence booked the request when it heard of the pick: step 3 of that booking too.
                db.Appointments.Attach(booked);
                booked.RequestBookedAt = now;
            }

            await db.SaveChangesAsync();
            return true;
        });
    }

    public Task<OfferView?> GetOffer(Guid offerId) =>
        Task.FromResult(_offers.TryGetValue(offerId, out var row) ? View(row) : null);

    /// <summary>The offer's new status; the person's correspondence is to be told of it (the offer sweep makes sure).</summary>
    private static OfferOutcome Settle(OfferRow row, OfferStatus status, DateTime now)
    {
        row.Status = status;
        row.AnsweredAt = status == OfferStatus.Lapsed ? null : now;
        row.PersonToldAt = null;
        row.UpdatedAt = now;
        return OfferOutcome.Done;
    }

    private Task<OfferResult> WriteOffersAsync(StaffActor actor, string action, Guid offerId, Func<DateTime, (OfferOutcome Outcome, OfferRow? Changed, AppointmentRow? Booked)> decide, bool added) =>
        WriteOffersAsync(actor, action, offerId, now =>
        {
            var (outcome, changed, booked) = decide(now);
            return (outcome, changed, booked, changed is null ? [] : [changed]);
        }, added);

    /// <summary>
    /// Offer commands written through like the rest of the calendar (<see cref="WriteThroughAsync{T}"/>): the
    /// therapist row's <c>xmin</c> guards it, the database's one-open-offer-per-request index and the
    /// appointments' exclusion constraint hold whatever slipped past (either reloads and answers calmly).
    /// </summary>
    private Task<OfferResult> WriteOffersAsync(
        StaffActor actor,
        string action,
        Guid? offerId,
        Func<DateTime, (OfferOutcome Outcome, OfferRow? Changed, AppointmentRow? Booked, List<OfferRow> Rows)> decide,
        bool added = false) =>
        WriteThroughAsync(async now =>
        {
            if (_therapist is not { } therapist)
            {
                return new OfferResult(OfferOutcome.NotFound);
            }

            var (outcome, changed, booked, rows) = decide(now);
            if (outcome != OfferOutcome.Done || rows.Count == 0)
            {
                var current = offerId is { } id && _offers.TryGetValue(id, out var row) ? View(row) : null;
                return new OfferResult(outcome, outcome == OfferOutcome.Done ? current : null);
            }

            await using var db = await contexts.CreateDbContextAsync();
            db.Therapists.Attach(therapist);
            therapist.UpdatedAt = now;
            db.Entry(therapist).Property(t => t.UpdatedAt).IsModified = true;
            foreach (var offer in rows)
            {
                if (added)
                {
                    db.Offers.Add(offer);
                }
                else
                {
                    db.Offers.Update(offer);
                }

                db.AuditEvents.Add(actor.Audit(now, action, AuditSubjects.Offer, offer.Id, AuditOutcomes.Success));
            }

            if (booked is not null)
            {
                db.Appointments.Add(booked);
                db.AuditEvents.Add(actor.Audit(now, AuditActions.AppointmentBook, AuditSubjects.Appointment, booked.Id, AuditOutcomes.Success));
            }

            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateException exception) when (added && DbErrors.UniqueViolation(exception) == "ux_offers_one_open_per_request")
            {
                await ReloadOrForgetAsync();
                return new OfferResult(OfferOutcome.AlreadyOpen);
            }
            catch (DbUpdateException exception) when (DbErrors.ExclusionViolation(exception) is not null)
            {
                await ReloadOrForgetAsync();
                return new OfferResult(OfferOutcome.Taken);
            }

            Hold(therapist);
            foreach (var offer in rows)
            {
                LogOffer(logger, TherapistId, offer.Id, offer.Status);
            }

            return new OfferResult(OfferOutcome.Done, changed is null ? null : View(changed));
        });

    private static OfferOutcome Outcome(OfferAnswer answer) => answer switch
    {
        OfferAnswer.Done => OfferOutcome.Done,
        OfferAnswer.Lapsed => OfferOutcome.Lapsed,
        OfferAnswer.Taken => OfferOutcome.Taken,
        OfferAnswer.AnsweredAlready => OfferOutcome.AnsweredAlready,
        _ => OfferOutcome.NotFound,
    };

    private static Offer ToDomain(OfferRow row) => new(
        row.Id, row.IntakeRequestId, row.ClientId, row.Format,
        [.. row.Starts.Select(Utc)], Duration.FromMinutes(row.SessionMinutes), Utc(row.LapsesAt), row.Status,
        row.PickedStart is { } picked ? Utc(picked) : null, row.AppointmentId, row.Usually);

    private static Instant Utc(DateTime value) => Instant.FromDateTimeUtc(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static OfferView View(OfferRow row) => new(
        row.Id, row.TherapistId, row.ClientId, row.IntakeRequestId, row.Format,
        [.. row.Starts.Select(s => Utc(s).ToDateTimeOffset())], row.SessionMinutes, row.Status, Utc(row.LapsesAt).ToDateTimeOffset(),
        row.PickedStart is { } picked ? Utc(picked).ToDateTimeOffset() : null, row.AppointmentId, [.. row.Usually], row.PersonToldAt is not null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Therapist {TherapistId}: offer {OfferId} is {Status}")]
    private static partial void LogOffer(ILogger logger, Guid therapistId, Guid offerId, OfferStatus status);
}
