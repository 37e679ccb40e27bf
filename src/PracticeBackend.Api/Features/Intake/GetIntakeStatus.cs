using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Features.Intake;

/// <summary>
/// Where the 201's Location points: the request's state, nothing sealed. A read of the table
/// (not a grain activation), so unknown ids cost one indexed look-up.
/// </summary>
public static class GetIntakeStatus
{
    public sealed record Query(Guid IntakeId) : IRequest<SubmitIntake.Response?>;

    internal sealed class Handler(IDbContextFactory<PracticeDbContext> contexts) : IRequestHandler<Query, SubmitIntake.Response?>
    {
        public async Task<SubmitIntake.Response?> Handle(Query query, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var request = await db.IntakeRequests.AsNoTracking()
                .Where(r => r.Id == query.IntakeId)
                .Select(r => new { r.Id, r.Status, r.Pace })
                .SingleOrDefaultAsync(cancellationToken);
            return request is null ? null : new SubmitIntake.Response(request.Id, request.Status.ToWire(), request.Pace.ToWire());
        }
    }

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/{intakeId:guid}", async Task<Results<Ok<SubmitIntake.Response>, ProblemHttpResult>> (
                Guid intakeId, IMediator mediator, CancellationToken cancellationToken) =>
                await mediator.Send(new Query(intakeId), cancellationToken) is { } response
                    ? TypedResults.Ok(response)
                    : TypedResults.Problem(title: "No such request", statusCode: StatusCodes.Status404NotFound))
            .WithName("GetIntakeStatus")
            .WithSummary("Read where an intake request stands")
            .WithDescription("The address a 201 from SubmitIntake points to: the request's state and pace, nothing the person wrote.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
