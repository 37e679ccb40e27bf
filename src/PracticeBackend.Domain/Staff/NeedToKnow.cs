namespace PracticeBackend.Domain.Staff;

/// <summary>
/// DESIGN invariant 7: a therapist sees their own requests (and the unassigned pool when the
/// practice allows it); an admin sees all. Every read and every command asks this one rule.
/// </summary>
public static class NeedToKnow
{
    public static bool MaySeeRequest(bool isAdmin, Guid? actorTherapistId, Guid? assignedTherapistId, bool unassignedPoolVisible) =>
        isAdmin
        || (actorTherapistId is { } own && assignedTherapistId == own)
        || (assignedTherapistId is null && unassignedPoolVisible && actorTherapistId is not null);
}
