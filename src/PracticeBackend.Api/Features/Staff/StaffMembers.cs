using MediatR;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// Who can sign in, as the dashboard's staff page lists them (admins): address, role, linked profile, whether
/// two-factor is on and whether the account is locked for now. No API endpoint: the dashboard's pages only.
/// </summary>
public static class StaffMembers
{
    public sealed record Member(Guid UserId, string Email, string Role, Guid? TherapistId, string? TherapistName, bool TwoFactorOn, bool LockedOut, bool HasPassword);

    /// <summary>Every member of staff, by email; a therapist asking gets an empty list.</summary>
    public sealed record List : IRequest<Member[]>;

    /// <summary>The signed-in member of staff themself.</summary>
    public sealed record SignedIn : IRequest<Member?>;

    internal sealed class ListHandler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff, TimeProvider time) : IRequestHandler<List, Member[]>
    {
        public async Task<Member[]> Handle(List request, CancellationToken cancellationToken) =>
            staff.Actor.IsAdmin ? await ReadAsync(contexts, time, null, cancellationToken) : [];
    }

    internal sealed class SignedInHandler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff, TimeProvider time) : IRequestHandler<SignedIn, Member?>
    {
        public async Task<Member?> Handle(SignedIn request, CancellationToken cancellationToken) =>
            (await ReadAsync(contexts, time, staff.Actor.UserId, cancellationToken)).SingleOrDefault();
    }

    private static async Task<Member[]> ReadAsync(IDbContextFactory<PracticeDbContext> contexts, TimeProvider time, Guid? only, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (only is { } id)
        {
            users = users.Where(u => u.Id == id);
        }

        var rows = await users
            .OrderBy(u => u.Email)
            .Select(u => new
            {
                u.Id,
                u.Email,
                u.TherapistId,
                TherapistName = db.Therapists.Where(t => t.Id == u.TherapistId).Select(t => t.DisplayName).FirstOrDefault(),
                u.TwoFactorEnabled,
                u.LockoutEnd,
                HasPassword = u.PasswordHash != null,
                Roles = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, r => r.RoleId, role => role.Id, (_, role) => role.Name).ToList(),
            })
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return [.. rows.Select(u => new Member(
            u.Id,
            u.Email ?? "",
            u.Roles.Contains(Domain.Staff.StaffRoles.Admin) ? Domain.Staff.StaffRoles.Admin : u.Roles.FirstOrDefault() ?? "",
            u.TherapistId,
            u.TherapistName,
            u.TwoFactorEnabled,
            u.LockoutEnd is { } end && end > now,
            u.HasPassword))];
    }
}
