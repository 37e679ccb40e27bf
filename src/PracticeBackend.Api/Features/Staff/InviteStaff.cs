using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

using PracticeBackend.Grains;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// An admin invites a member of staff (no public registration). The answer carries a one-time
/// invitation token for the new person to choose a password with; it is never stored in plaintext.
/// </summary>
public static class InviteStaff
{
    public sealed record Command(string? Email, string? Role, Guid? TherapistId) : IRequest<Result>;

    public sealed record Invitation(Guid UserId, string Email, string Role, Guid? TherapistId, string InvitationToken);

    public sealed record Result(Invitation? Invitation, string? ProblemField, string? Problem);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Email).Must(EmailAddress.IsValid).WithMessage("Enter the staff member's email address.");
            RuleFor(c => c.Role).Must(r => StaffRoles.All.Contains(r)).WithMessage("Role is Admin or Therapist.");
            RuleFor(c => c.TherapistId).NotNull().When(c => c.Role == StaffRoles.Therapist)
                .WithMessage("A therapist's account is linked to their therapist profile.");
        }
    }

    internal sealed class Handler(
        UserManager<StaffUser> users,
        IDbContextFactory<PracticeDbContext> contexts,
        StaffContext staff,
        AuditTrail audit,
        PracticeClock clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command command, CancellationToken cancellationToken)
        {
            if (command.TherapistId is { } therapistId)
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                if (!await db.Therapists.AnyAsync(t => t.Id == therapistId, cancellationToken))
                {
                    return new Result(null, "therapistId", "No therapist has this id.");
                }

                if (await db.Users.AnyAsync(u => u.TherapistId == therapistId, cancellationToken))
                {
                    return new Result(null, "therapistId", "This therapist profile already has an account.");
                }
            }

            var email = command.Email!.Trim();
            var user = new StaffUser
            {
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                TherapistId = command.TherapistId,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                return new Result(null, "email", "An account with this email already exists.");
            }

            await users.AddToRoleAsync(user, command.Role!);
            var token = await users.GeneratePasswordResetTokenAsync(user);
            await audit.RecordAsync(staff.Actor, AuditActions.StaffInvite, AuditSubjects.StaffUser, user.Id, AuditOutcomes.Success, cancellationToken);
            return new Result(new Invitation(user.Id, email, command.Role!, command.TherapistId, token), null, null);
        }
    }

    public sealed record Accept(string? Email, string? InvitationToken, string? Password) : IRequest<IdentityResult>;

    internal sealed class AcceptHandler(UserManager<StaffUser> users) : IRequestHandler<Accept, IdentityResult>
    {
        public async Task<IdentityResult> Handle(Accept request, CancellationToken cancellationToken)
        {
            var user = await users.FindByEmailAsync(request.Email ?? "");
            return user is null
                ? IdentityResult.Failed(users.ErrorDescriber.InvalidToken())
                : await users.ResetPasswordAsync(user, request.InvitationToken ?? "", request.Password ?? "");
        }
    }

    public static void Map(IEndpointRouteBuilder staffGroup, IEndpointRouteBuilder authGroup)
    {
        staffGroup.MapPost("/users", async Task<Results<Created<Invitation>, ProblemHttpResult>> (Command command, IMediator mediator, CancellationToken cancellationToken) =>
            {
                var result = await mediator.Send(command, cancellationToken);
                return result.Invitation is { } invitation
                    ? TypedResults.Created($"/api/staff/users/{invitation.UserId}", invitation)
                    : FieldProblem(result.ProblemField!, result.Problem!);
            })
            .RequireAuthorization(StaffAuthentication.AdminPolicy)
            .WithName("InviteStaff")
            .WithSummary("Invite a member of staff (admins)")
            .WithDescription("Creates the account, with no password yet, and answers a one-time invitation token for the new person to choose one with (AcceptInvitation). " +
                "A therapist's account is linked to their therapist profile.")
            .ProducesValidationProblem();

        authGroup.MapPost("/accept-invitation", async Task<Results<NoContent, ProblemHttpResult>> (Accept request, IMediator mediator, CancellationToken cancellationToken) =>
            {
                var result = await mediator.Send(request, cancellationToken);
                if (result.Succeeded)
                {
                    return TypedResults.NoContent();
                }

                var passwordRules = result.Errors.Where(e => e.Code.StartsWith("Password", StringComparison.Ordinal)).Select(e => e.Description).ToArray();
                return passwordRules.Length > 0
                    ? FieldProblem("password", string.Join(" ", passwordRules))
                    : FieldProblem("invitationToken", "This invitation is not valid any more; ask an admin for a new one.");
            })
            .RequireRateLimiting(WebHardening.SignInPolicy)
            .WithName("AcceptInvitation")
            .WithSummary("Accept an invitation and choose a password")
            .WithDescription("The invited person's first step, before they can sign in. A refused password names the rules it missed.")
            .ProducesValidationProblem();
    }

    private static ProblemHttpResult FieldProblem(string field, string message) =>
        TypedResults.Problem(
            title: "Some answers need another look",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
