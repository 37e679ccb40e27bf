using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Grains.Data;

/// <summary>
/// Times held on a therapist's calendar for one request until the person answers or the hold lapses.
/// Written only by <c>TherapistGrain</c> (the holds are its calendar); a request has at most one open
/// offer, whoever's calendar it is on (a partial unique index).
/// </summary>
public sealed class OfferRow
{
    public Guid Id { get; set; }

    public Guid TherapistId { get; set; }

    public Guid ClientId { get; set; }

    public Guid IntakeRequestId { get; set; }

    public SessionFormat Format { get; set; }

    /// <summary>The offered starts, in order (1 to 5); each lasts <see cref="SessionMinutes"/>.</summary>
    public List<DateTime> Starts { get; set; } = [];

    public int SessionMinutes { get; set; }

    public OfferStatus Status { get; set; }

    public DateTime LapsesAt { get; set; }

    public DateTime? AnsweredAt { get; set; }

    public DateTime? PickedStart { get; set; }

    /// <summary>The appointment a pick became (its row is written in the same transaction).</summary>
    public Guid? AppointmentId { get; set; }

    /// <summary>For none-work: the times the person usually has (<see cref="UsualTimes"/>), never their words.</summary>
    public List<string> Usually { get; set; } = [];

    /// <summary>
    /// When the person's correspondence was last told where the offer stands (step 2 of ADR 0001's pattern);
    /// null while that is still to do, and the offer sweep finishes it.
    /// </summary>
    public DateTime? PersonToldAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
