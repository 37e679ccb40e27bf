using System.Linq.Expressions;

namespace PracticeBackend.Domain.Staff;

/// <summary>Who is looking, as need-to-know sees them.</summary>
/// <param name="TherapistId">The therapist profile a therapist's account is linked to.</param>
/// <param name="UnassignedPoolVisible">The practice setting that lets therapists see (and take) requests nobody is assigned to yet.</param>
public sealed record Viewer(bool IsAdmin, Guid? TherapistId, bool UnassignedPoolVisible);

/// <summary>
/// DESIGN invariant 7: a therapist sees their own requests (and the unassigned pool when the practice
/// allows it); an admin sees all. One rule, as an expression: the database applies it to every staff
/// list and look-up, and commands evaluate the same expression in memory.
/// </summary>
public static class NeedToKnow
{
    /// <summary>Whether the viewer may see a request assigned to the therapist given (null: unassigned).</summary>
    public static Expression<Func<Guid?, bool>> MaySeeAssignedTo(Viewer viewer)
    {
        if (viewer.IsAdmin)
        {
            return _ => true;
        }

        if (viewer.TherapistId is not { } own)
        {
            return _ => false;
        }

        return viewer.UnassignedPoolVisible
            ? assigned => assigned == own || assigned == null
            : assigned => assigned == own;
    }

    public static bool MaySee(Viewer viewer, Guid? assignedTherapistId) =>
        MaySeeAssignedTo(viewer).Compile(preferInterpretation: true)(assignedTherapistId);
}
