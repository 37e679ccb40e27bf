using MediatR;
using Microsoft.Extensions.Options;
using NodaTime;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>The intake queue, as <see cref="IntakeWorklist.Query"/> gives it: no names or words in the list.</summary>
public sealed class QueueModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice, PracticeClock clock)
    : DashboardPage(mediator, staff, practice)
{
    public static readonly IReadOnlyList<string> Statuses = ["submitted", "in-conversation", "times-offered", "booked", "closed"];

    public string? Status { get; private set; }

    public string? Assigned { get; private set; }

    public IntakeWorklist.Page? Queue { get; private set; }

    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;

    public DateTimeOffset Now { get; } = clock.GetUtcNow();

    private Dictionary<Guid, string> _therapists = [];

    public string TherapistName(Guid id) => _therapists.TryGetValue(id, out var name) ? name : "A therapist";

    public async Task OnGetAsync(string? status, string? assigned, int? page, string? tz, CancellationToken cancellationToken)
    {
        Status = string.IsNullOrEmpty(status) ? null : status;
        Assigned = string.IsNullOrEmpty(assigned) ? null : assigned;
        var therapists = await Mediator.Send(new Therapists.List(), cancellationToken);
        _therapists = therapists.ToDictionary(t => t.Id, t => t.DisplayName);
        Zone = OwnZone(tz, therapists);
        Queue = await TrySendAsync(new IntakeWorklist.Query(Status, page ?? 1, Assigned), cancellationToken);
    }
}
