using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Grains.Data;

/// <summary>
/// A session on a therapist's calendar. Written only by <c>TherapistGrain</c>; two active rows of one
/// therapist can never overlap (an exclusion constraint, DESIGN invariant 2), whatever runs concurrently.
/// </summary>
public sealed class AppointmentRow
{
    public Guid Id { get; set; }

    public Guid TherapistId { get; set; }

    public Guid ClientId { get; set; }

    public Guid? IntakeRequestId { get; set; }

    public DateTime StartsAt { get; set; }

    public DateTime EndsAt { get; set; }

    public SessionFormat Format { get; set; }

    public AppointmentStatus Status { get; set; }

    /// <summary>A category, never free text (e.g. "therapist-unwell"); set when cancelled.</summary>
    public string? CancelReason { get; set; }

    /// <summary>
    /// When the request it was booked for (<see cref="IntakeRequestId"/>) was marked booked — step 3 of a
    /// booking (ADR 0001); null while that is still to do (the booking sweep completes it).
    /// </summary>
    public DateTime? RequestBookedAt { get; set; }

    /// <summary>The calendar invite's SEQUENCE: bumped on every change.</summary>
    public int Sequence { get; set; }

    /// <summary>The last change was the person's own (a pick, or their cancellation by link), not staff's.</summary>
    public bool ChangedByPerson { get; set; }

    /// <summary>
    /// The <see cref="Sequence"/> the person's correspondence was last told of (step 3 of ADR 0001's
    /// pattern); behind <see cref="Sequence"/> while that is still to do, and the booking sweep finishes it.
    /// </summary>
    public int? PersonToldSequence { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
