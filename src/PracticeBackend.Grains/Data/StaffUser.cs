using Microsoft.AspNetCore.Identity;

namespace PracticeBackend.Grains.Data;

/// <summary>A member of staff who signs in. A Therapist user is linked to one therapist profile.</summary>
public sealed class StaffUser : IdentityUser<Guid>
{
    public Guid? TherapistId { get; set; }

    public DateTime CreatedAt { get; set; }
}
