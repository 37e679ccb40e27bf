namespace PracticeBackend.Grains.Data;

/// <summary>
/// Append-only record of every staff look at or change of PHI, and of sign-ins. Ids only, never
/// the PHI itself. A trigger refuses UPDATE and DELETE (see the AuditTrail migration).
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    public Guid? ActorUserId { get; set; }

    public string? ActorRole { get; set; }

    public string Action { get; set; } = "";

    public string? SubjectType { get; set; }

    public Guid? SubjectId { get; set; }

    public string? RequestId { get; set; }

    public string Outcome { get; set; } = "";
}
