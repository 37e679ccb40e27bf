using MediatR;
using Microsoft.AspNetCore.Identity;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Auth;

/// <summary>Ends the session on the server (its row is deleted), so the old cookie is worthless everywhere.</summary>
public static class SignOut
{
    public sealed record Command : IRequest<Unit>;

    internal sealed class Handler(SignInManager<StaffUser> signIns, StaffContext staff, AuditTrail audit) : IRequestHandler<Command, Unit>
    {
        public async Task<Unit> Handle(Command request, CancellationToken cancellationToken)
        {
            var actor = staff.Actor;
            await signIns.SignOutAsync();
            await audit.RecordAsync(actor, AuditActions.SignOut, AuditSubjects.StaffUser, actor.UserId, AuditOutcomes.Success, cancellationToken);
            return Unit.Value;
        }
    }

    public static void Map(IEndpointRouteBuilder auth) =>
        auth.MapPost("/logout", async (IMediator mediator, CancellationToken cancellationToken) =>
            {
                await mediator.Send(new Command(), cancellationToken);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(StaffAuthentication.StaffPolicy)
            .WithName("SignOut")
            .WithSummary("Sign out")
            .WithDescription("Ends the session on the server, so the cookie is worthless everywhere from now on.");
}
