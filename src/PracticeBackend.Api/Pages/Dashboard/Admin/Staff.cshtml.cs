using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Staff;

namespace PracticeBackend.Api.Pages.Dashboard.Admin;

/// <summary>
/// Who can sign in (<see cref="StaffMembers.List"/>), and an invitation for someone new through
/// <see cref="InviteStaff.Command"/>, the same use case as the API. The invitation token is shown once, in the
/// answer to the invite itself (never carried through a redirect), as the API answers it.
/// </summary>
public sealed class StaffModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    public StaffMembers.Member[] Members { get; private set; } = [];

    /// <summary>Therapist profiles that have no account yet: the ones an invitation can link.</summary>
    public Therapists.View[] Unlinked { get; private set; } = [];

    public InviteStaff.Invitation? Invitation { get; private set; }

    public string? Email { get; private set; }

    public string Role { get; private set; } = StaffRoles.Therapist;

    public Guid? TherapistId { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(string? email, string? role, Guid? therapistId, CancellationToken cancellationToken)
    {
        Email = email;
        Role = role ?? "";
        TherapistId = therapistId;
        var result = await TrySendAsync(new InviteStaff.Command(email, role, therapistId), cancellationToken);
        if (result?.Invitation is { } invitation)
        {
            Invitation = invitation;
            Email = null;
            Role = StaffRoles.Therapist;
            TherapistId = null;
        }
        else if (result is { ProblemField: { } field, Problem: { } problem })
        {
            Errors[field] = problem;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public static string RoleWords(string role) => role == StaffRoles.Admin ? "Admin" : role == StaffRoles.Therapist ? "Therapist" : "No role";

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Members = await Mediator.Send(new StaffMembers.List(), cancellationToken);
        var linked = Members.Where(m => m.TherapistId is not null).Select(m => m.TherapistId!.Value).ToHashSet();
        Unlinked = [.. (await Mediator.Send(new Therapists.List(), cancellationToken)).Where(t => !linked.Contains(t.Id))];
    }
}
