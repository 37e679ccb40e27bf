using Microsoft.AspNetCore.Http.HttpResults;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>How a staff command's outcome reads over HTTP. "Not yours" is a plain 404, never a 403 with details.</summary>
internal static class StaffResults
{
    public static Results<NoContent, ProblemHttpResult> From(StaffCommandResult result) => result.Outcome switch
    {
        StaffCommandOutcome.Done => TypedResults.NoContent(),
        StaffCommandOutcome.NotFound => NotFound(),
        StaffCommandOutcome.NotAllowedInThisState => TypedResults.Problem(
            title: "Not possible in the request's current state", statusCode: StatusCodes.Status409Conflict),
        StaffCommandOutcome.NotPermitted => TypedResults.Problem(
            title: "Only an admin can do this", statusCode: StatusCodes.Status403Forbidden),
        StaffCommandOutcome.UnknownTherapist => TypedResults.Problem(
            title: "No such therapist",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["therapistId"] = ["No therapist has this id."] } }),
        _ => throw new ArgumentOutOfRangeException(nameof(result), result.Outcome, null),
    };

    public static ProblemHttpResult NotFound() =>
        TypedResults.Problem(title: "Not found", statusCode: StatusCodes.Status404NotFound);
}

/// <summary>Page numbers for staff lists: at least 1, and far below where the offset arithmetic could overflow.</summary>
internal static class Paging
{
    public const int MaxPage = 100_000;

    public static int Clamp(int page) => Math.Clamp(page, 1, MaxPage);
}
