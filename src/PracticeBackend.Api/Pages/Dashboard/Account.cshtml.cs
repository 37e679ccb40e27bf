using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Features.Auth;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>
/// The signed-in member of staff's own account: two-factor sign-in turned on through <see cref="TwoFactor.Setup"/>
/// and <see cref="TwoFactor.Enable"/>, the same use cases as the API. The key is shown as text (type it into the
/// app, or give it the otpauth: address); it appears only in the answer to the set-up, never through a redirect.
/// </summary>
public sealed class AccountModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    public StaffMembers.Member? Me { get; private set; }

    public TwoFactor.SetupResponse? Key { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Me = await Mediator.Send(new StaffMembers.SignedIn(), cancellationToken);

    public async Task<IActionResult> OnPostSetupAsync(string? currentPassword, string? code, CancellationToken cancellationToken)
    {
        var result = await TrySendAsync(new TwoFactor.Setup(currentPassword, code), cancellationToken);
        if (result?.Key is { } key)
        {
            Key = key;
        }
        else if (result is { ProblemField: { } field, Problem: { } problem })
        {
            Errors[field] = problem;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        Me = await Mediator.Send(new StaffMembers.SignedIn(), cancellationToken);
        return Page();
    }

    /// <param name="sharedKey">The key being confirmed, sent back by the form only to show it again after a refused code.</param>
    /// <param name="authenticatorUri">Likewise.</param>
    public async Task<IActionResult> OnPostEnableAsync(string? code, string? sharedKey, string? authenticatorUri, CancellationToken cancellationToken)
    {
        if (await TrySendAsync(new TwoFactor.Enable(code), cancellationToken))
        {
            return Done("Two-factor sign-in is on: from now on, signing in asks for a code from your authenticator app.", "/dashboard/account");
        }

        if (Errors.Count == 0)
        {
            Errors["code"] = "That code wasn't accepted. Check the app shows this account, and try its next code.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        if (!string.IsNullOrEmpty(sharedKey) && !string.IsNullOrEmpty(authenticatorUri))
        {
            Key = new TwoFactor.SetupResponse(sharedKey, authenticatorUri);
        }

        Me = await Mediator.Send(new StaffMembers.SignedIn(), cancellationToken);
        return Page();
    }

    /// <summary>"ABCDEFGHIJKLMNOP" → "ABCD EFGH IJKL MNOP": easier to type; authenticator apps ignore the spaces.</summary>
    public static string Grouped(string key) =>
        string.Join(' ', Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - (i * 4)))));
}
