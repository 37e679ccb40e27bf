using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

using PracticeBackend.Grains;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Writes audit rows for reads and sign-ins (changes are audited by the grain, in the change's own
/// transaction). A read is recorded before its data is returned: no row, no data.
/// </summary>
internal sealed class AuditTrail(IDbContextFactory<PracticeDbContext> contexts, PracticeClock clock)
{
    public Task RecordAsync(StaffActor actor, string action, string subjectType, Guid? subjectId, string outcome, CancellationToken cancellationToken) =>
        SaveAsync(actor.Audit(clock.GetUtcNow().UtcDateTime, action, subjectType, subjectId, outcome), cancellationToken);

    /// <summary>For events before anyone is signed in (sign-in attempts); the user id only when the account is known.</summary>
    public Task RecordSignInAsync(string action, Guid? userId, string outcome, CancellationToken cancellationToken) =>
        SaveAsync(new AuditEvent
        {
            At = clock.GetUtcNow().UtcDateTime,
            ActorUserId = userId,
            Action = action,
            SubjectType = AuditSubjects.StaffUser,
            SubjectId = userId,
            RequestId = Activity.Current?.TraceId.ToString(),
            Outcome = outcome,
        }, cancellationToken);

    private async Task SaveAsync(AuditEvent entry, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }
}
