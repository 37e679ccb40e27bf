namespace PracticeBackend.Domain.Staff;

public static class StaffRoles
{
    public const string Admin = "Admin";
    public const string Therapist = "Therapist";

    public static readonly IReadOnlyList<string> All = [Admin, Therapist];
}
