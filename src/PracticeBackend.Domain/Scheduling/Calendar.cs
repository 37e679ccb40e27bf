using NodaTime;

namespace PracticeBackend.Domain.Scheduling;

public enum AppointmentStatus
{
    Confirmed = 1,
    Cancelled = 2,
    Completed = 3,
    NoShow = 4,
}

public enum SessionFormat
{
    InPerson = 1,
    Video = 2,
}

/// <summary>A session on a therapist's calendar: [Start, End), and what became of it.</summary>
public sealed record Appointment(Guid Id, Guid ClientId, Instant Start, Instant End, SessionFormat Format, AppointmentStatus Status)
{
    /// <summary>Holds its time: only a cancelled appointment gives it back.</summary>
    public bool Active => Status != AppointmentStatus.Cancelled;
}

public enum CalendarChange
{
    Done = 1,

    /// <summary>Another active appointment, with the buffer around it, is in the way.</summary>
    Taken = 2,

    /// <summary>No such appointment on this calendar.</summary>
    NotFound = 3,

    /// <summary>Not from its status (a cancelled one is not moved, a completed one not cancelled).</summary>
    NotInThisState = 4,
}

/// <summary>
/// A therapist's appointments and the one rule that keeps them apart: no two active ones within the buffer
/// of each other. Availability shapes what is offered; it does not limit what a therapist books on their
/// own calendar. The database's exclusion constraint holds the booked intervals apart whatever happens
/// concurrently; this is the fast path, and the only keeper of the buffer.
/// </summary>
public sealed class Calendar(IEnumerable<Appointment> appointments, Duration buffer)
{
    private readonly Dictionary<Guid, Appointment> _appointments = appointments.ToDictionary(a => a.Id);

    public IReadOnlyCollection<Appointment> Appointments => _appointments.Values;

    public Appointment? Find(Guid id) => _appointments.GetValueOrDefault(id);

    /// <summary>What is taken, for the slots: every active appointment.</summary>
    public IReadOnlyList<BusyInterval> Busy() =>
        [.. _appointments.Values.Where(a => a.Active).Select(a => new BusyInterval(a.Start, a.End))];

    public CalendarChange Book(Appointment appointment)
    {
        if (!IsFree(appointment.Start, appointment.End, except: null))
        {
            return CalendarChange.Taken;
        }

        _appointments[appointment.Id] = appointment with { Status = AppointmentStatus.Confirmed };
        return CalendarChange.Done;
    }

    /// <summary>One move: the new time is checked against everything but the appointment itself.</summary>
    public CalendarChange Reschedule(Guid id, Instant start)
    {
        if (Find(id) is not { } appointment)
        {
            return CalendarChange.NotFound;
        }

        if (appointment.Status != AppointmentStatus.Confirmed)
        {
            return CalendarChange.NotInThisState;
        }

        var end = start + (appointment.End - appointment.Start);
        if (!IsFree(start, end, except: id))
        {
            return CalendarChange.Taken;
        }

        _appointments[id] = appointment with { Start = start, End = end };
        return CalendarChange.Done;
    }

    public CalendarChange Cancel(Guid id) => Settle(id, AppointmentStatus.Cancelled);

    /// <summary>Held: only once it has begun.</summary>
    public CalendarChange Complete(Guid id, Instant now) => HasBegun(id, now) ? Settle(id, AppointmentStatus.Completed) : CalendarChange.NotInThisState;

    /// <summary>Missed: only once it has begun.</summary>
    public CalendarChange NoShow(Guid id, Instant now) => HasBegun(id, now) ? Settle(id, AppointmentStatus.NoShow) : CalendarChange.NotInThisState;

    private bool HasBegun(Guid id, Instant now) => Find(id) is not { } appointment || appointment.Start <= now;

    public bool IsFree(Instant start, Instant end, Guid? except) =>
        Slots.IsFree(start, end, buffer, [.. _appointments.Values.Where(a => a.Active && a.Id != except).Select(a => new BusyInterval(a.Start, a.End))]);

    private CalendarChange Settle(Guid id, AppointmentStatus status)
    {
        if (Find(id) is not { } appointment)
        {
            return CalendarChange.NotFound;
        }

        if (appointment.Status != AppointmentStatus.Confirmed)
        {
            return appointment.Status == status ? CalendarChange.Done : CalendarChange.NotInThisState;
        }

        _appointments[id] = appointment with { Status = status };
        return CalendarChange.Done;
    }
}
