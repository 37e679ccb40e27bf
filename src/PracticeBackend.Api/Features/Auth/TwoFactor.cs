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

/// <summary>
/// Optional TOTP second factor: set up a key in an authenticator app, confirm one code, and it is on.
/// Once it is on, a new key takes the current password or a current code: a session cookie alone
/// (a browser left open) must not be enough to move someone's second factor to another phone.
/// </summary>
public static class TwoFactor
{
    public sealed record SetupResponse(string SharedKey, string AuthenticatorUri);

    /// <summary>The proof asked for when two-factor is already on; either one will do.</summary>
    public sealed record Setup(string? CurrentPassword, string? Code) : IRequest<SetupResult>;

    public sealed record SetupResult(SetupResponse? Key, string? ProblemField, string? Problem);

    internal sealed class SetupHandler(UserManager<StaffUser> users, StaffContext staff, IOptions<PracticeOptions> practice)
        : IRequestHandler<Setup, SetupResult>
    {
        public async Task<SetupResult> Handle(Setup request, CancellationToken cancellationToken)
        {
            var user = (await users.FindByIdAsync(staff.Actor.UserId.ToString()))!;
            if (user.TwoFactorEnabled && await RefusedProofAsync(user, request) is { } refusal)
            {
                return refusal;
            }

            string key;
            if (user.TwoFactorEnabled)
            {
                // The new key waits beside the old one until a code from it is confirmed (EnableTwoFactor).
                key = users.GenerateNewAuthenticatorKey();
                await SingleUseAuthenticatorTokenProvider.SetPendingKeyAsync(users, user, key);
            }
            else
            {
                await users.ResetAuthenticatorKeyAsync(user);
                key = (await users.GetAuthenticatorKeyAsync(user))!;
            }

            var issuer = Uri.EscapeDataString(practice.Value.Name);
            var uri = string.Create(CultureInfo.InvariantCulture,
                $"otpauth://totp/{issuer}:{Uri.EscapeDataString(user.Email!)}?secret={key}&issuer={issuer}&digits=6");
            return new SetupResult(new SetupResponse(key, uri), null, null);
        }

        private async Task<SetupResult?> RefusedProofAsync(StaffUser user, Setup request)
        {
            if (await users.IsLockedOutAsync(user))
            {
                return Refused("currentPassword", "Too many attempts for now. Please wait 15 minutes and try again.");
            }

            if (!string.IsNullOrEmpty(request.CurrentPassword))
            {
                return await users.CheckPasswordAsync(user, request.CurrentPassword)
                    ? null
                    : await FailedAsync(user, "currentPassword", "That password wasn't accepted. Please check it and try again.");
            }

            if (!string.IsNullOrWhiteSpace(request.Code))
            {
                var code = request.Code.Replace(" ", "", StringComparison.Ordinal);
                return await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code)
                    ? null
                    : await FailedAsync(user, "code", "That code wasn't accepted. Check the app shows this account, and try its next code.");
            }

            return Refused("currentPassword",
                "Two-factor sign-in is already on. To set up a new key, enter your current password or a code from your authenticator app.");
        }

        /// <summary>A wrong proof counts toward the lockout, as a wrong sign-in does: a stolen cookie gets few guesses.</summary>
        private async Task<SetupResult> FailedAsync(StaffUser user, string field, string problem)
        {
            await users.AccessFailedAsync(user);
            return Refused(field, problem);
        }

        private static SetupResult Refused(string field, string problem) => new(null, field, problem);
    }

    public sealed record Enable(string? Code) : IRequest<bool>;

    public sealed class EnableValidator : AbstractValidator<Enable>
    {
        public EnableValidator() =>
            RuleFor(c => c.Code).NotEmpty().WithMessage("Enter the 6-digit code your authenticator app shows.");
    }

    internal sealed class EnableHandler(UserManager<StaffUser> users, StaffContext staff, AuditTrail audit, SingleUseAuthenticatorTokenProvider authenticator)
        : IRequestHandler<Enable, bool>
    {
        public async Task<bool> Handle(Enable request, CancellationToken cancellationToken)
        {
            var actor = staff.Actor;
            var user = await users.FindByIdAsync(actor.UserId.ToString());
            var code = request.Code!.Replace(" ", "", StringComparison.Ordinal);
            if (user is null)
            {
                return false;
            }

            // With two-factor on, only a re-key's new key needs confirming; the one in use is not switched on again.
            var confirmed = user.TwoFactorEnabled
                ? await SingleUseAuthenticatorTokenProvider.HasPendingKeyAsync(users, user) && await authenticator.TryAdoptPendingKeyAsync(users, user, code)
                : await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code);
            if (!confirmed)
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
        // No body is a first set-up (two-factor off); with it on, the body carries the proof.
        auth.MapPost("/2fa/setup", async Task<Results<Ok<SetupResponse>, ProblemHttpResult>> (Setup? request, IMediator mediator, CancellationToken cancellationToken) =>
            {
                var result = await mediator.Send(request ?? new Setup(null, null), cancellationToken);
                return result.Key is { } key
                    ? TypedResults.Ok(key)
                    : TypedResults.Problem(
                        title: "Some answers need another look",
                        statusCode: StatusCodes.Status400BadRequest,
                        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [result.ProblemField!] = [result.Problem!] } });
            })
            .RequireAuthorization(StaffAuthentication.StaffPolicy)
            .WithName("StartTwoFactorSetup")
            .WithSummary("Start setting up two-factor sign-in")
            .WithDescription("A new authenticator key (and an otpauth: URI for a QR code). Two-factor is on only once EnableTwoFactor accepts a code from it; with two-factor already on, the current password or a code is needed, and the key in use keeps working until a code from the new one is confirmed.");

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
