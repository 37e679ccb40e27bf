using Microsoft.EntityFrameworkCore;
using PracticeBackend.Grains;
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
public sealed partial class BookingSteps(IGrainFactory grains, ILogger<BookingSteps> logger)
{
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appointment {AppointmentId}: request {IntakeId} not marked booked ({Outcome})")]
    private static partial void LogNotMarked(ILogger logger, Guid appointmentId, Guid intakeId, StaffCommandOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appointment {AppointmentId}: marking its request booked failed ({ExceptionType}); the booking sweep finishes it")]
    private static partial void LogLeftToSweep(ILogger logger, Guid appointmentId, string exceptionType);
}

/// <summary>Every minute: bookings for a request whose request was not yet marked booked (a failure between the steps) are finished.</summary>
public sealed partial class BookingSweep(IDbContextFactory<PracticeDbContext> contexts, BookingSteps steps, PracticeClock clock, ILogger<BookingSweep> logger)
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

        return unfinished.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finishing booking {AppointmentId} failed ({ExceptionType}); the next sweep tries again")]
    private static partial void LogFailed(ILogger logger, Guid appointmentId, string exceptionType);
}
