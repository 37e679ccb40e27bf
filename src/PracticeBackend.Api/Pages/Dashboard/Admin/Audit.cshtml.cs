using MediatR;
using Microsoft.Extensions.Options;
using NodaTime;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;

namespace PracticeBackend.Api.Pages.Dashboard.Admin;

/// <summary>The audit trail through <see cref="AuditLog.Query"/> (so reading it is recorded too), newest first, optionally for one subject.</summary>
public sealed class AuditModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    public AuditLog.Entry[] Entries { get; private set; } = [];

    public string? Subject { get; private set; }

    public int PageNumber { get; private set; } = 1;

    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;

    private Dictionary<Guid, string> _emails = [];

    public string Who(AuditLog.Entry entry) => entry.ActorUserId switch
    {
        null => entry.ActorRole == Grains.Staff.StaffActor.SystemRole ? "The app itself" : "Nobody signed in",
        { } id when _emails.TryGetValue(id, out var email) => email,
        { } id => id.ToString(),
    };

    public async Task OnGetAsync(string? subject, int? page, string? tz, CancellationToken cancellationToken)
    {
        Subject = string.IsNullOrWhiteSpace(subject) ? null : subject.Trim();
        PageNumber = Math.Clamp(page ?? 1, 1, 100_000);
        Zone = ViewerZone(tz);
        Guid? subjectId = null;
        if (Subject is not null)
        {
            if (!Guid.TryParse(Subject, out var parsed))
            {
                Errors["subject"] = "A subject is an id such as 0190f3a2-7b4c-7d10-9e3f-2a6b8c1d4e5f: a request's, a person's or a member of staff's.";
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            subjectId = parsed;
        }

        Entries = await Mediator.Send(new AuditLog.Query(subjectId, PageNumber), cancellationToken);
        _emails = (await Mediator.Send(new StaffMembers.List(), cancellationToken)).ToDictionary(m => m.UserId, m => m.Email);
    }

    public string PageLink(int page) =>
        "/dashboard/admin/audit?" + (Subject is null ? "" : "subject=" + Uri.EscapeDataString(Subject) + "&") + "page=" + page.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
