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
    /// <summary>How far back the calendar held in memory reaches: sessions can be marked completed or missed until then.</summary>
    public static readonly TimeSpan CalendarKeeps = TimeSpan.FromDays(90);

    public async Task<AppointmentResult> Book(BookAppointment command)
    {
        if (_therapist is null || !(command.Actor.IsAdmin || command.Actor.TherapistId == TherapistId))
        {
            return new AppointmentResult(AppointmentOutcome.NotFound);
        }

        if (_appointments.TryGetValue(command.AppointmentId, out var existing))
        {
            // The same booking again (its id came from an Idempotency-Key): the first answer; another booking under that key: refused.
            var same = existing.ClientId == command.ClientId && existing.StartsAt == command.Start.UtcDateTime && existing.Format == command.Format && existing.IntakeRequestId == command.IntakeId;
            return same ? new AppointmentResult(AppointmentOutcome.Done, View(existing)) : new AppointmentResult(AppointmentOutcome.KeyUsedForAnotherBooking);
        }

        return await WriteCalendarAsync(command.Actor, AuditActions.AppointmentBook, now =>
        {
            var start = Instant.FromDateTimeOffset(command.Start);
            var length = (_availability ?? Availability.None(_therapist.TimeZone)).Session;
            var appointment = new Appointment(command.AppointmentId, command.ClientId, start, start + length, command.Format, AppointmentStatus.Confirmed);
            var change = _calendar.Book(appointment, Instant.FromDateTimeUtc(now));
            if (change == CalendarChange.Done)
            {
                _appointments[appointment.Id] = new AppointmentRow
                {
                    Id = appointment.Id,
                    TherapistId = TherapistId,
                    ClientId = command.ClientId,
                    IntakeRequestId = command.IntakeId,
                    StartsAt = appointment.Start.ToDateTimeUtc(),
                    EndsAt = appointment.End.ToDateTimeUtc(),
                    Format = command.Format,
                    Status = AppointmentStatus.Confirmed,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
            }

            return (change, appointment.Id, Added: change == CalendarChange.Done, Changed: change == CalendarChange.Done);
        });
    }

    public async Task<AppointmentResult> ChangeAppointment(ChangeAppointment command)
    {
        // The practice's own steps (the person by their link, an erasure) act as the practice would.
        if (_therapist is null || !(command.Actor.IsAdmin || command.Actor.IsSystem || command.Actor.TherapistId == TherapistId))
        {
            return new AppointmentResult(AppointmentOutcome.NotFound);
        }

        var action = command.Kind switch
        {
            AppointmentChangeKind.Reschedule => AuditActions.AppointmentReschedule,
            AppointmentChangeKind.Cancel => AuditActions.AppointmentCancel,
            AppointmentChangeKind.Complete => AuditActions.AppointmentComplete,
            _ => AuditActions.AppointmentNoShow,
        };
        return await WriteCalendarAsync(command.Actor, action, now =>
        {
            var change = command.Kind switch
            {
                AppointmentChangeKind.Reschedule => _calendar.Reschedule(command.AppointmentId, Instant.FromDateTimeOffset(command.Start ?? throw new ArgumentException("A reschedule needs a start.", nameof(command))), Instant.FromDateTimeUtc(now)),
                AppointmentChangeKind.Cancel => _calendar.Cancel(command.AppointmentId),
                AppointmentChangeKind.Complete => _calendar.Complete(command.AppointmentId, Instant.FromDateTimeUtc(now)),
                AppointmentChangeKind.NoShow => _calendar.NoShow(command.AppointmentId, Instant.FromDateTimeUtc(now)),
                _ => throw new ArgumentOutOfRangeException(nameof(command), command.Kind, null),
            };
            // A repeat (cancelled twice, say) changes nothing and writes nothing.
            var decided = change == CalendarChange.Done ? _calendar.Find(command.AppointmentId) : null;
            var row = _appointments.GetValueOrDefault(command.AppointmentId);
            var changed = decided is not null && row is not null && (row.Status != decided.Status || row.StartsAt != decided.Start.ToDateTimeUtc());
            if (changed)
            {
                row!.StartsAt = decided!.Start.ToDateTimeUtc();
                row.EndsAt = decided.End.ToDateTimeUtc();
                row.Status = decided.Status;
                row.CancelReason = decided.Status == AppointmentStatus.Cancelled ? command.Reason : row.CancelReason;
                row.Sequence++;
                row.ChangedByPerson = command.ByPerson;
                row.UpdatedAt = now;
            }

            return (change, command.AppointmentId, Added: false, Changed: changed);
        });
    }

    public async Task MarkRequestBooked(Guid appointmentId)
    {
        if (!_appointments.ContainsKey(appointmentId))
        {
            // Booked by another activation (the sweep finishes bookings whoever made them): read what is true.
            await ReloadAsync(CancellationToken.None);
        }

        if (_therapist is null || !_appointments.TryGetValue(appointmentId, out var row) || row.RequestBookedAt is not null)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync();
        db.Appointments.Attach(row);
        row.RequestBookedAt = clock.GetUtcNow().UtcDateTime;
        try
        {
            await db.SaveChangesAsync();
        }
        catch
        {
            await ReloadOrForgetAsync();
            throw;
        }
    }

    public async Task MarkPersonTold(Guid appointmentId, int sequence)
    {
        if (!_appointments.ContainsKey(appointmentId))
        {
            await ReloadAsync(CancellationToken.None);
        }

        if (!_appointments.TryGetValue(appointmentId, out var row) || row.Sequence != sequence || row.PersonToldSequence == sequence)
        {
            return;
        }

        await WriteThroughAsync(async now =>
        {
            await using var db = await contexts.CreateDbContextAsync();
            db.Appointments.Attach(row);
            row.PersonToldSequence = sequence;
            await db.SaveChangesAsync();
            return true;
        });
    }

    public Task<AppointmentView?> GetAppointment(Guid appointmentId) =>
        Task.FromResult(_appointments.TryGetValue(appointmentId, out var row) ? View(row) : null);

    /// <summary>
    /// One calendar command written through (<see cref="WriteThroughAsync{T}"/>): every command writes the
    /// therapist row, so its <c>xmin</c> guards the calendar as it guards the profile, and the exclusion
    /// constraint holds booked intervals apart even for a writer that slipped past both (an exclusion
    /// violation reloads and answers "taken").
    /// </summary>
    /// <param name="action">Recorded in the audit trail, in the same transaction, when the calendar changed.</param>
    private Task<AppointmentResult> WriteCalendarAsync(StaffActor actor, string action, Func<DateTime, (CalendarChange Change, Guid AppointmentId, bool Added, bool Changed)> decide) =>
        WriteThroughAsync(async now =>
        {
            if (_therapist is not { } therapist)
            {
                return new AppointmentResult(AppointmentOutcome.NotFound);
            }

            var (change, appointmentId, added, changed) = decide(now);
            if (change != CalendarChange.Done)
            {
                return new AppointmentResult(Outcome(change));
            }

            var row = _appointments[appointmentId];
            if (!changed)
            {
                return new AppointmentResult(AppointmentOutcome.Done, View(row));
            }

            await using var db = await contexts.CreateDbContextAsync();
            db.Therapists.Attach(therapist);
            therapist.UpdatedAt = now;
            db.Entry(therapist).Property(t => t.UpdatedAt).IsModified = true;
            if (added)
            {
                db.Appointments.Add(row);
            }
            else
            {
                db.Appointments.Update(row);
            }

            db.AuditEvents.Add(actor.Audit(now, action, AuditSubjects.Appointment, appointmentId, AuditOutcomes.Success));
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateException exception) when (added && DbErrors.UniqueViolation(exception) == "pk_appointments")
            {
                // Another activation booked it first under this id (an Idempotency-Key): the first answer, if it is this booking.
                await ReloadOrForgetAsync();
                return _appointments.TryGetValue(appointmentId, out var first) ? new AppointmentResult(AppointmentOutcome.Done, View(first)) : new AppointmentResult(AppointmentOutcome.KeyUsedForAnotherBooking);
            }
            catch (DbUpdateException exception) when (DbErrors.ExclusionViolation(exception) is not null)
            {
                await ReloadOrForgetAsync();
                return new AppointmentResult(AppointmentOutcome.Taken);
            }

            Hold(therapist);
            LogCalendar(logger, TherapistId, appointmentId, row.Status);
            return new AppointmentResult(AppointmentOutcome.Done, View(row));
        });

    private static AppointmentOutcome Outcome(CalendarChange change) => change switch
    {
        CalendarChange.Done => AppointmentOutcome.Done,
        CalendarChange.Taken => AppointmentOutcome.Taken,
        CalendarChange.NotFound => AppointmentOutcome.NotFound,
        _ => AppointmentOutcome.NotInThisState,
    };

    private static Appointment ToDomain(AppointmentRow row) => new(
        row.Id, row.ClientId, Instant.FromDateTimeUtc(DateTime.SpecifyKind(row.StartsAt, DateTimeKind.Utc)),
        Instant.FromDateTimeUtc(DateTime.SpecifyKind(row.EndsAt, DateTimeKind.Utc)), row.Format, row.Status);

    private static AppointmentView View(AppointmentRow row) => new(
        row.Id, row.TherapistId, row.ClientId, row.IntakeRequestId,
        new DateTimeOffset(DateTime.SpecifyKind(row.StartsAt, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(row.EndsAt, DateTimeKind.Utc)),
        row.Format, row.Status, row.Sequence, row.ChangedByPerson, row.PersonToldSequence == row.Sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Therapist {TherapistId}: appointment {AppointmentId} is {Status}")]
    private static partial void LogCalendar(ILogger logger, Guid therapistId, Guid appointmentId, AppointmentStatus status);
}
