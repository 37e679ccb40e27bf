using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Auth;

/// <summary>
/// Staff sign-in: email + password (+ a TOTP code once two-factor is on) → a session cookie.
/// Every refusal looks the same, whether the email, the password or a lockout was the reason.
/// </summary>
public static class SignIn
{
    public sealed record Command(string? Email, string? Password, string? TwoFactorCode) : IRequest<Result>;

    public sealed record StaffMember(Guid UserId, string Email, string Role, Guid? TherapistId);

    public enum Outcome
    {
        SignedIn = 1,
        Refused = 2,
        TwoFactorCodeNeeded = 3,
    }

    public sealed record Result(Outcome Outcome, StaffMember? StaffMember);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Email).NotEmpty().WithMessage("Enter your email.");
            RuleFor(c => c.Password).NotEmpty().WithMessage("Enter your password.");
        }
    }

    internal sealed class Handler(
        UserManager<StaffUser> users,
        SignInManager<StaffUser> signIns,
        EqualRefusalCost refusalCost,
        AuditTrail audit) : IRequestHandler<Command, Result>
    {
        private static readonly Result Refused = new(Outcome.Refused, null);

        public async Task<Result> Handle(Command command, CancellationToken cancellationToken)
        {
            var user = await users.FindByEmailAsync(command.Email!.Trim());
            if (user is null)
            {
                refusalCost.Spend(users.PasswordHasher, command.Password!);
                await audit.RecordSignInAsync(AuditActions.SignInFailed, null, AuditOutcomes.Failed, cancellationToken);
                return Refused;
            }

            var password = await signIns.CheckPasswordSignInAsync(user, command.Password!, lockoutOnFailure: true);
            if (!password.Succeeded)
            {
                if (password.IsLockedOut || password.IsNotAllowed)
                {
                    // Identity refused before checking the password; pay for the check anyway.
                    refusalCost.Spend(users.PasswordHasher, command.Password!);
                }

                var action = password.IsLockedOut ? AuditActions.LockedOut : AuditActions.SignInFailed;
                await audit.RecordSignInAsync(action, user.Id, AuditOutcomes.Denied, cancellationToken);
                return Refused;
            }

            if (user.TwoFactorEnabled)
            {
                if (string.IsNullOrWhiteSpace(command.TwoFactorCode))
                {
                    return new Result(Outcome.TwoFactorCodeNeeded, null);
                }

                var code = command.TwoFactorCode.Replace(" ", "", StringComparison.Ordinal);
                if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
                {
                    await users.AccessFailedAsync(user);
                    await audit.RecordSignInAsync(AuditActions.SignInFailed, user.Id, AuditOutcomes.Denied, cancellationToken);
                    return Refused;
                }

                // Identity resets failures after a right password only when two-factor is off; with it on, here.
                await users.ResetAccessFailedCountAsync(user);
            }

            await signIns.SignInAsync(user, isPersistent: false);
            await audit.RecordSignInAsync(AuditActions.SignIn, user.Id, AuditOutcomes.Success, cancellationToken);
            var role = await users.IsInRoleAsync(user, StaffRoles.Admin) ? StaffRoles.Admin : StaffRoles.Therapist;
            return new Result(Outcome.SignedIn, new StaffMember(user.Id, user.Email!, role, user.TherapistId));
        }
    }

    public static void Map(IEndpointRouteBuilder auth) =>
        auth.MapPost("/login", async Task<Results<Ok<StaffMember>, ProblemHttpResult>> (Command command, IMediator mediator, CancellationToken cancellationToken) =>
            {
                var result = await mediator.Send(command, cancellationToken);
                return result.Outcome switch
                {
                    Outcome.SignedIn => TypedResults.Ok(result.StaffMember!),
                    Outcome.TwoFactorCodeNeeded => TypedResults.Problem(
                        title: "Enter the code from your authenticator app",
                        statusCode: StatusCodes.Status401Unauthorized,
                        extensions: new Dictionary<string, object?> { ["twoFactorRequired"] = true }),
                    _ => TypedResults.Problem(
                        title: "Sign-in failed",
                        detail: "The email, password or code was not accepted, or the account is temporarily locked.",
                        statusCode: StatusCodes.Status401Unauthorized),
                };
            })
            .RequireRateLimiting(WebHardening.SignInPolicy)
            .WithName("SignIn")
            .WithSummary("Sign in as staff")
            .WithDescription("Email and password, plus the authenticator code once two-factor is on. Success sets the session cookie. " +
                "Every refusal looks the same, whether the email, the password or a lockout was the reason.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
}
