using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using static PracticeBackend.Api.Features.Auth.SignIn;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>
/// The dashboard's sign-in: the same <see cref="Command"/> as the API, with the same single refusal for a
/// wrong email, password, code or a lockout; the code field is asked for when two-factor is on.
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(WebHardening.SignInPolicy)]
public sealed class SignInModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await TrySendAsync(new Command(Email, Password, Code), cancellationToken);
        switch (result?.Outcome)
        {
            case null:
                return Page();
            case Outcome.SignedIn:
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith("/dashboard", StringComparison.Ordinal) ? ReturnUrl : "/dashboard");
            case Outcome.TwoFactorCodeNeeded:
                Errors["code"] = "Two-factor sign-in is on for you: enter the code from your authenticator app, with your password again.";
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Page();
            default:
                Refuse("The email, password or code was not accepted, or the account is locked for a few minutes.", StatusCodes.Status401Unauthorized);
                return Page();
        }
    }
}
