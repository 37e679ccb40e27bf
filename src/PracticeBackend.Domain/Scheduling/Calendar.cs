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
/// A therapist's appointments and offers, and the one rule that keeps them apart: no two active
/// appointments, nor an appointment and a time held for an open offer, within the buffer of each other.
/// Availability shapes what is offered; it does not limit what a therapist books on their own calendar.
/// The database's exclusion constraint holds the booked intervals apart whatever happens concurrently;
/// this is the fast path, and the only keeper of the buffer and of holds.
/// </summary>
public sealed class Calendar(IEnumerable<Appointment> appointments, IEnumerable<Offer> offers, Duration buffer)
{
    private readonly Dictionary<Guid, Appointment> _appointments = appointments.ToDictionary(a => a.Id);
    private readonly Dictionary<Guid, Offer> _offers = offers.ToDictionary(o => o.Id);

    public Calendar(IEnumerable<Appointment> appointments, Duration buffer)
        : this(appointments, [], buffer)
    {
    }

    public IReadOnlyCollection<Appointment> Appointments => _appointments.Values;

    public IReadOnlyCollection<Offer> Offers => _offers.Values;

    public Appointment? Find(Guid id) => _appointments.GetValueOrDefault(id);

    public Offer? FindOffer(Guid id) => _offers.GetValueOrDefault(id);

    /// <summary>What is taken, for the slots: every active appointment, and every time held for an open offer.</summary>
    public IReadOnlyList<BusyInterval> Busy(Instant now) => [.. Taken(now, exceptAppointment: null, exceptOffer: null)];

    public CalendarChange Book(Appointment appointment, Instant now)
    {
        if (!IsFree(appointment.Start, appointment.End, now))
        {
            return CalendarChange.Taken;
        }

        _appointments[appointment.Id] = appointment with { Status = AppointmentStatus.Confirmed };
        return CalendarChange.Done;
    }

    /// <summary>One move: the new time is checked against everything but the appointment itself.</summary>
    public CalendarChange Reschedule(Guid id, Instant start, Instant now)
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
        if (!IsFree(start, end, now, exceptAppointment: id))
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

    /// <summary>
    /// Holds the offer's times: each must be free of appointments and of other offers' holds (with the
    /// buffer), and the request may have only one open offer here (the database holds that across calendars).
    /// </summary>
    public CalendarChange MakeOffer(Offer offer, Instant now)
    {
        if (_offers.Values.Any(o => o.RequestId == offer.RequestId && o.IsOpenAt(now)))
        {
            return CalendarChange.NotInThisState;
        }

        if (offer.Starts.Any(start => !IsFree(start, start + offer.Session, now)))
        {
            return CalendarChange.Taken;
        }

        _offers[offer.Id] = offer with { Status = OfferStatus.Open };
        return CalendarChange.Done;
    }

    /// <summary>
    /// The person picks one of the offered times: it becomes a confirmed appointment, checked against
    /// everything but the offer's own holds. Picking the same time again answers as the first time did.
    /// </summary>
    public (OfferAnswer Answer, Appointment? Appointment) Pick(Guid offerId, Instant start, Guid appointmentId, Instant now)
    {
        if (FindOffer(offerId) is not { } offer)
        {
            return (OfferAnswer.NotFound, null);
        }

        if (offer.Status == OfferStatus.Picked)
        {
            return offer.PickedStart == start && offer.AppointmentId is { } booked
                ? (OfferAnswer.Done, Find(booked))
                : (OfferAnswer.AnsweredAlready, null);
        }

        if (Unanswerable(offer, now) is { } why)
        {
            return (why, null);
        }

        // A time that has come (or passed) while the offer waited is not one to pick any more.
        var end = start + offer.Session;
        if (!offer.Starts.Contains(start) || start <= now || !IsFree(start, end, now, exceptOffer: offerId))
        {
            return (OfferAnswer.Taken, null);
        }

        var appointment = new Appointment(appointmentId, offer.ClientId, start, end, offer.Format, AppointmentStatus.Confirmed);
        _appointments[appointmentId] = appointment;
        _offers[offerId] = offer with { Status = OfferStatus.Picked, PickedStart = start, AppointmentId = appointmentId };
        return (OfferAnswer.Done, appointment);
    }

    /// <summary>"None of these work" (with the times they usually have) or "not now": the holds are released. None-work is taken after a lapse too (the person asks for other times).</summary>
    public OfferAnswer Decline(Guid offerId, OfferStatus answer, IReadOnlyList<string> usually, Instant now)
    {
        if (answer is not (OfferStatus.NoneWork or OfferStatus.NotNow))
        {
            throw new ArgumentOutOfRangeException(nameof(answer), answer, "A decline is none-work or not-now.");
        }

        if (FindOffer(offerId) is not { } offer)
        {
            return OfferAnswer.NotFound;
        }

        if (offer.Status == answer)
        {
            return OfferAnswer.Done;
        }

        if (offer.Status == OfferStatus.Picked)
        {
            return OfferAnswer.AnsweredAlready;
        }

        // After a lapse the times are gone, but asking for others is still welcome.
        if (Unanswerable(offer, now) is { } why && !(why == OfferAnswer.Lapsed && answer == OfferStatus.NoneWork))
        {
            return why;
        }

        _offers[offerId] = offer with { Status = answer, Usually = answer == OfferStatus.NoneWork ? [.. usually.Distinct()] : [] };
        return OfferAnswer.Done;
    }

    /// <summary>Open offers whose hold has ended are lapsed now; returns them.</summary>
    public IReadOnlyList<Offer> Lapse(Instant now)
    {
        var lapsed = _offers.Values.Where(o => o.Status == OfferStatus.Open && o.LapsesAt <= now).Select(o => o with { Status = OfferStatus.Lapsed }).ToList();
        lapsed.ForEach(o => _offers[o.Id] = o);
        return lapsed;
    }

    /// <summary>Whether [start, end) keeps the buffer from every active appointment and every held time (but the exceptions).</summary>
    public bool IsFree(Instant start, Instant end, Instant now, Guid? exceptAppointment = null, Guid? exceptOffer = null) =>
        Slots.IsFree(start, end, buffer, [.. Taken(now, exceptAppointment, exceptOffer)]);

    private static OfferAnswer? Unanswerable(Offer offer, Instant now) => offer.Status switch
    {
        OfferStatus.Lapsed => OfferAnswer.Lapsed,
        OfferStatus.Open when !offer.IsOpenAt(now) => OfferAnswer.Lapsed,
        OfferStatus.Open => null,
        _ => OfferAnswer.AnsweredAlready,
    };

    private IEnumerable<BusyInterval> Taken(Instant now, Guid? exceptAppointment, Guid? exceptOffer) =>
        _appointments.Values.Where(a => a.Active && a.Id != exceptAppointment).Select(a => new BusyInterval(a.Start, a.End))
            .Concat(_offers.Values.Where(o => o.Id != exceptOffer).SelectMany(o => o.Holds(now)));

    private bool HasBegun(Guid id, Instant now) => Find(id) is not { } appointment || appointment.Start <= now;

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
