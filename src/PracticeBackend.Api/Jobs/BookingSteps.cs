using Microsoft.EntityFrameworkCore;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.IntakeRequests;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Jobs;

/// <summary>
/// A booking for a request spans two aggregates (ADR 0001): (1) the therapist's grain puts the session on the
/// calendar, its row saying the request is still to be told; (2) the person's grain marks the request booked,
/// which ends its follow-ups; (3) the therapist's grain notes that it was. Steps 2 and 3 are idempotent; run
/// here right after step 1, and again by <see cref="BookingSweep"/> for any booking a failure left between.
/// </summary>
public sealed partial class BookingSteps(IGrainFactory grains, OutboxSignal outbox, IDbContextFactory<PracticeDbContext> contexts, PracticeClock clock, ILogger<BookingSteps> logger)
{
    /// <summary>Who the calendar and the audit trail name when an erasure cancels sessions.</summary>
    private static readonly StaffActor Erasure = StaffActor.System("erasure");

    /// <summary>The cancellation reason an erasure gives: a category, like staff's.</summary>
    public const string ErasedReason = "client-erased";

    /// <summary>
    /// After an erasure: each future session of an erased person (one person, or all, for the sweep) is
    /// cancelled on its therapist's calendar, and the therapist gets a note without PHI; the person is sent
    /// nothing (their correspondence is erased). The note is a practice-wide row, since nothing may go from
    /// an erased person's correspondence.
    /// </summary>
    public async Task CancelSessionsOfErasedOrLeaveToSweepAsync(Guid clientId)
    {
        try
        {
            await CancelSessionsOfErasedAsync(clientId, CancellationToken.None);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            LogErasureLeftToSweep(logger, clientId, failure.GetType().Name);
        }
    }

    public async Task<int> CancelSessionsOfErasedAsync(Guid? clientId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var sessions = await db.Appointments.AsNoTracking()
            .Where(a => a.Status == Domain.Scheduling.AppointmentStatus.Confirmed && a.StartsAt > now && (clientId == null || a.ClientId == clientId))
            .Where(a => db.Clients.Any(c => c.Id == a.ClientId && c.ErasedAt != null))
            .Select(a => new { a.Id, a.TherapistId })
            .Take(500)
            .ToListAsync(cancellationToken);
        foreach (var session in sessions)
        {
            var result = await grains.GetGrain<ITherapistGrain>(session.TherapistId)
                .ChangeAppointment(new ChangeAppointment(Erasure, session.Id, AppointmentChangeKind.Cancel, Reason: ErasedReason));
            if (result is { Outcome: AppointmentOutcome.Done, Appointment: { } cancelled })
            {
                await TellPersonAsync(cancelled);
                LogErasedSessionCancelled(logger, cancelled.AppointmentId);
            }
        }

        // Each session an erasure cancelled gets its therapist's note once, whenever the step before stopped:
        // the unique index on (subject, kind, sequence) keeps a second writer's note out.
        var untold = await db.Appointments.AsNoTracking()
            .Where(a => a.Status == Domain.Scheduling.AppointmentStatus.Cancelled && a.CancelReason == ErasedReason && (clientId == null || a.ClientId == clientId))
            .Where(a => !db.OutboxMessages.Any(m => m.ClientId == null && m.SubjectId == a.Id && m.SubjectSequence == a.Sequence && m.Kind == Domain.Messages.MessageKind.TherapistSessionNote))
            .Select(a => new { a.Id, a.Sequence, a.StartsAt })
            .Take(500)
            .ToListAsync(cancellationToken);
        foreach (var cancelled in untold)
        {
            await using var note = await contexts.CreateDbContextAsync(cancellationToken);
            note.OutboxMessages.Add(new OutboxMessage
            {
                Id = Guid.CreateVersion7(),
                Kind = Domain.Messages.MessageKind.TherapistSessionNote,
                Status = Domain.Messages.MessageStatus.Planned,
                SubjectId = cancelled.Id,
                SubjectSequence = cancelled.Sequence,
                SessionStartsAt = cancelled.StartsAt,
                DueAt = now,
                DueRule = Domain.Messages.TimingRules.AtOnce,
                CreatedAt = now,
            });
            try
            {
                await note.SaveChangesAsync(cancellationToken);
                outbox.Nudge();
            }
            catch (DbUpdateException exception) when (DbErrors.UniqueViolation(exception) is not null)
            {
                // Written by the other writer first: told once.
            }
        }

        return sessions.Count;
    }

    /// <summary>
    /// Every change to an appointment is told to its person the same way (ADR 0001): step 1 changed the
    /// calendar and bumped the appointment's sequence; (2) the person's grain hears of that version and plans
    /// what the table says; (3) the therapist's grain notes the sequence it was told. Idempotent.
    /// </summary>
    public async Task TellPersonAsync(AppointmentView appointment)
    {
        if (appointment.PersonTold)
        {
            return;
        }

        var change = appointment.Status switch
        {
            Domain.Scheduling.AppointmentStatus.Cancelled => Domain.Messages.SessionChange.Cancelled,
            Domain.Scheduling.AppointmentStatus.Confirmed => appointment.Sequence == 0 ? Domain.Messages.SessionChange.Booked : Domain.Messages.SessionChange.Moved,
            _ => (Domain.Messages.SessionChange?)null,
        };

        // A session held or missed is nothing to tell anyone about.
        if (change is { } told)
        {
            await grains.GetGrain<IClientGrain>(appointment.ClientId).TellSession(new SessionTold(
                appointment.AppointmentId, appointment.IntakeId, told, appointment.Start, appointment.Sequence, appointment.ChangedByPerson));
        }

        await grains.GetGrain<ITherapistGrain>(appointment.TherapistId).MarkPersonTold(appointment.AppointmentId, appointment.Sequence);
        outbox.Nudge();
    }

    /// <summary>
    /// The person asks for another time from their manage link: the session stands, so nothing changes on the
    /// calendar; their correspondence hears it (a short confirmation, a note to the therapist). Any change to
    /// the session not yet told is told first, so that this never stands in for it.
    /// </summary>
    public async Task AskForAnotherTimeAsync(AppointmentView appointment)
    {
        await TellPersonAsync(appointment);
        await grains.GetGrain<IClientGrain>(appointment.ClientId).TellSession(new SessionTold(
            appointment.AppointmentId, appointment.IntakeId, Domain.Messages.SessionChange.Booked, appointment.Start, appointment.Sequence, ByPerson: true, AnotherTimeAsked: true));
        outbox.Nudge();
    }

    /// <summary>Steps 2 and 3 right after step 1; a failure is left to the sweep, since the change itself stands.</summary>
    public async Task TellPersonOrLeaveToSweepAsync(AppointmentView appointment)
    {
        try
        {
            await TellPersonAsync(appointment);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            LogLeftToSweep(logger, appointment.AppointmentId, failure.GetType().Name);
        }
    }

    public async Task CompleteAsync(StaffActor actor, Guid therapistId, Guid appointmentId, Guid intakeId)
    {
        var marked = await grains.GetGrain<IIntakeRequestGrain>(intakeId).MarkBooked(new MarkBooked(actor, appointmentId));
        if (marked.Outcome is not (StaffCommandOutcome.Done or StaffCommandOutcome.NotAllowedInThisState))
        {
            // Not found for this actor: the sweep, acting for the practice, finishes it.
            LogNotMarked(logger, appointmentId, intakeId, marked.Outcome);
            return;
        }

        await grains.GetGrain<ITherapistGrain>(therapistId).MarkRequestBooked(appointmentId);
    }

    /// <summary>Steps 2 and 3 right after step 1; a failure is left to the sweep, since the booking itself stands.</summary>
    public async Task CompleteOrLeaveToSweepAsync(StaffActor actor, Guid therapistId, Guid appointmentId, Guid intakeId)
    {
        try
        {
            await CompleteAsync(actor, therapistId, appointmentId, intakeId);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            LogLeftToSweep(logger, appointmentId, failure.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId}: cancelling the sessions of an erasure failed ({ExceptionType}); the booking sweep finishes it")]
    private static partial void LogErasureLeftToSweep(ILogger logger, Guid clientId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Appointment {AppointmentId} cancelled: its person's details were erased")]
    private static partial void LogErasedSessionCancelled(ILogger logger, Guid appointmentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appointment {AppointmentId}: request {IntakeId} not marked booked ({Outcome})")]
    private static partial void LogNotMarked(ILogger logger, Guid appointmentId, Guid intakeId, StaffCommandOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appointment {AppointmentId}: marking its request booked failed ({ExceptionType}); the booking sweep finishes it")]
    private static partial void LogLeftToSweep(ILogger logger, Guid appointmentId, string exceptionType);
}

/// <summary>Every minute: bookings for a request whose request was not yet marked booked (a failure between the steps) are finished.</summary>
public sealed partial class BookingSweep(IDbContextFactory<PracticeDbContext> contexts, BookingSteps steps, IGrainFactory grains, PracticeClock clock, ILogger<BookingSweep> logger)
{
    public const string RecurringJobId = "booking-sweep";

    /// <summary>Younger bookings are still being finished by the request that made them.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow().UtcDateTime - Grace;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var unfinished = await db.Appointments.AsNoTracking()
            .Where(a => a.IntakeRequestId != null && a.RequestBookedAt == null && a.Status != Domain.Scheduling.AppointmentStatus.Cancelled && a.CreatedAt < before)
            .Select(a => new { a.Id, a.TherapistId, IntakeId = a.IntakeRequestId!.Value })
            .Take(500)
            .ToListAsync(cancellationToken);
        var actor = StaffActor.System(RecurringJobId);
        foreach (var booking in unfinished)
        {
            try
            {
                await steps.CompleteAsync(actor, booking.TherapistId, booking.Id, booking.IntakeId);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                LogFailed(logger, booking.Id, failure.GetType().Name);
            }
        }

        // Changes whose person has not heard of them yet (a failure between the steps).
        var untold = await db.Appointments.AsNoTracking()
            .Where(a => a.PersonToldSequence != a.Sequence && a.UpdatedAt < before)
            .Select(a => new { a.Id, a.TherapistId })
            .Take(500)
            .ToListAsync(cancellationToken);
        foreach (var change in untold)
        {
            try
            {
                if (await grains.GetGrain<ITherapistGrain>(change.TherapistId).GetAppointment(change.Id) is { PersonTold: false } view)
                {
                    await steps.TellPersonAsync(view);
                }
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                LogFailed(logger, change.Id, failure.GetType().Name);
            }
        }

        // Future sessions of someone erased, should the erasure's own step have failed.
        var erased = await steps.CancelSessionsOfErasedAsync(null, cancellationToken);

        return unfinished.Count + untold.Count + erased;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finishing booking {AppointmentId} failed ({ExceptionType}); the next sweep tries again")]
    private static partial void LogFailed(ILogger logger, Guid appointmentId, string exceptionType);
}
