using PracticeBackend.Api.Hosting;

namespace PracticeBackend.Api.Email;

/// <summary>Where staff notices point: the staff dashboard, which asks for sign-in (links carry no secret).</summary>
internal static class StaffLinks
{
    public static Uri Queue(PracticeOptions practice) => new(practice.PublicBaseUrl!, "/dashboard");

    public static Uri Request(PracticeOptions practice, Guid intakeId) => new(practice.PublicBaseUrl!, $"/dashboard/requests/{intakeId}");
}
