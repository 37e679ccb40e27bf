namespace PracticeBackend.Domain.Messages;

public enum SessionChange
{
    Booked = 1,
    Moved = 2,
    Cancelled = 3,
}

/// <summary>
/// What the therapist's calendar did to one of the person's sessions, as their correspondence hears it
/// (step 2 of ADR 0001's pattern): which appointment, which version of it (its invite's SEQUENCE), when it
/// starts now, and whether the person did it themselves (a pick, or their own cancellation by link).
/// </summary>
public sealed record SessionNews(Guid AppointmentId, Guid? RequestId, SessionChange Change, DateTimeOffset StartsAt, int Sequence, bool ByPerson);
