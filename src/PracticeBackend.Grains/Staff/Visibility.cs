using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Staff;

/// <summary>Need-to-know (DESIGN invariant 7) as a query filter, for every staff read of requests.</summary>
public static class Visibility
{
    public static IQueryable<IntakeRequest> VisibleTo(this IQueryable<IntakeRequest> requests, StaffActor actor)
    {
        if (actor.IsAdmin)
        {
            return requests;
        }

        var own = actor.TherapistId;
        return actor.UnassignedPoolVisible && own is not null
            ? requests.Where(r => r.AssignedTherapistId == own || r.AssignedTherapistId == null)
            : requests.Where(r => own != null && r.AssignedTherapistId == own);
    }
}
