using System.Diagnostics;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Security;

/// <summary>The signed-in staff member of the current request, as grains and queries need them.</summary>
public sealed class StaffContext(IHttpContextAccessor http, IOptions<PracticeOptions> practice)
{
    public StaffActor Actor
    {
        get
        {
            var context = http.HttpContext ?? throw new InvalidOperationException("No HTTP request in progress.");
            var user = context.User;
            var id = user.FindFirstValue(ClaimTypes.NameIdentifier)
                ?? throw new InvalidOperationException("The request is not signed in.");
            var role = user.IsInRole(StaffRoles.Admin) ? StaffRoles.Admin : StaffRoles.Therapist;
            Guid? therapistId = Guid.TryParse(user.FindFirstValue(StaffAuthentication.TherapistIdClaim), out var t) ? t : null;
            return new StaffActor(Guid.Parse(id), role, therapistId, Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
                practice.Value.Staff.TherapistsSeeUnassigned);
        }
    }
}
