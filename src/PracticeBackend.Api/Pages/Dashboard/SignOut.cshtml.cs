using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>Signing out ends the session on the server (the same use case as the API's logout).</summary>
public sealed class SignOutModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await Mediator.Send(new Features.Auth.SignOut.Command(), cancellationToken);
        return Done("You're signed out.", Security.StaffAuthentication.DashboardSignInPath);
    }
}
