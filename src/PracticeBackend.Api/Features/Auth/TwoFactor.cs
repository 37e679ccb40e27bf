using System.Globalization;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Auth;

/// <summary>Optional TOTP second factor: set up a key in an authenticator app, confirm one code, and it is on.</summary>
public static class TwoFactor
{
    public sealed record SetupResponse(string SharedKey, string AuthenticatorUri);

    public sealed record Enable(string? Code) : IRequest<bool>;

    public sealed class EnableValidator : AbstractValidator<Enable>
    {
        public EnableValidator() =>
            RuleFor(c => c.Code).NotEmpty().WithMessage("Enter the 6-digit code your authenticator app shows.");
    }

    internal sealed class EnableHandler(UserManager<StaffUser> users, StaffContext staff, AuditTrail audit) : IRequestHandler<Enable, bool>
    {
        public async Task<bool> Handle(Enable request, CancellationToken cancellationToken)
        {
            var actor = staff.Actor;
            var user = await users.FindByIdAsync(actor.UserId.ToString());
            var code = request.Code!.Replace(" ", "", StringComparison.Ordinal);
            if (user is null || !await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, code))
            {
                return false;
            }

            await users.SetTwoFactorEnabledAsync(user, true);
            await audit.RecordAsync(actor, AuditActions.TwoFactorEnabled, AuditSubjects.StaffUser, actor.UserId, AuditOutcomes.Success, cancellationToken);
            return true;
        }
    }

    public static void Map(IEndpointRouteBuilder auth)
    {
        auth.MapPost("/2fa/setup", async Task<Ok<SetupResponse>> (UserManager<StaffUser> users, StaffContext staff, IOptions<PracticeOptions> practice) =>
            {
                var user = (await users.FindByIdAsync(staff.Actor.UserId.ToString()))!;
                await users.ResetAuthenticatorKeyAsync(user);
                var key = (await users.GetAuthenticatorKeyAsync(user))!;
                var issuer = Uri.EscapeDataString(practice.Value.Name);
                var uri = string.Create(CultureInfo.InvariantCulture,
                    $"otpauth://totp/{issuer}:{Uri.EscapeDataString(user.Email!)}?secret={key}&issuer={issuer}&digits=6");
                return TypedResults.Ok(new SetupResponse(key, uri));
            })
            .RequireAuthorization(StaffAuthentication.StaffPolicy)
            .WithName("StartTwoFactorSetup")
            .WithSummary("Start setting up two-factor sign-in")
            .WithDescription("A new authenticator key (and an otpauth: URI for a QR code). Two-factor is on only once EnableTwoFactor accepts a code from it.");

        auth.MapPost("/2fa/enable", async Task<Results<NoContent, ProblemHttpResult>> (Enable request, IMediator mediator, CancellationToken cancellationToken) =>
                await mediator.Send(request, cancellationToken)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem(
                        title: "That code was not accepted",
                        statusCode: StatusCodes.Status400BadRequest,
                        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["code"] = ["Not accepted; check the app shows this account and try the next code."] } }))
            .RequireAuthorization(StaffAuthentication.StaffPolicy)
            .WithName("EnableTwoFactor")
            .WithSummary("Turn two-factor sign-in on")
            .WithDescription("Confirms one code from the authenticator app set up by StartTwoFactorSetup; from then on sign-in needs a code.")
            .ProducesValidationProblem();
    }
}
