using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>
/// One request, opened through <see cref="IntakeDetail.Query"/> (so the read is audited): the person's words,
/// every message and what became of it, and the next steps — assign, write, record a reply, close.
/// </summary>
public sealed class RequestModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    public IntakeDetail.View? View { get; private set; }

    public Therapists.View[] Therapists { get; private set; } = [];

    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;

    public string? Body { get; private set; }

    public string TherapistName(Guid id) => Therapists.FirstOrDefault(t => t.Id == id)?.DisplayName ?? "A therapist";

    public static string StatusWords(string status) => status switch
    {
        "pending" => "Planned",
        "sent" => "Sent",
        "cancelled" => "Will not go",
        "uncertain" => "Uncertain: check whether it went",
        _ => DashboardWords.Words(status),
    };

    public async Task<IActionResult> OnGetAsync(Guid id, string? tz, CancellationToken cancellationToken) =>
        await LoadAsync(id, tz, cancellationToken) ? Page() : NotFound();

    public Task<IActionResult> OnPostAssignAsync(Guid id, Guid? therapistId, CancellationToken cancellationToken) =>
        ChangeAsync(id, new ChangeIntake.Assign(id, new ChangeIntake.AssignForm(therapistId)), "Assigned.", cancellationToken);

    public Task<IActionResult> OnPostMessageAsync(Guid id, string? body, CancellationToken cancellationToken)
    {
        Body = body;
        return ChangeAsync(id, new Messages.SendPersonal(id, new Messages.PersonalForm(body)), "Your message will go in their send window.", cancellationToken);
    }

    public Task<IActionResult> OnPostRepliedAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, new Messages.Replied(id), "Recorded: the automated follow-ups step aside.", cancellationToken);

    public Task<IActionResult> OnPostCloseAsync(Guid id, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(id, new ChangeIntake.Close(id, new ChangeIntake.CloseForm(reason)), "Closed.", cancellationToken);

    private async Task<IActionResult> ChangeAsync(Guid id, IRequest<StaffCommandResult> change, string notice, CancellationToken cancellationToken)
    {
        var result = await TrySendAsync(change, cancellationToken);
        switch (result?.Outcome)
        {
            case StaffCommandOutcome.Done:
                return Done(notice, $"/dashboard/requests/{id}");
            case StaffCommandOutcome.NotFound:
                return NotFound();
            case StaffCommandOutcome.NotPermitted:
                Refuse("Only an admin can do this.", StatusCodes.Status403Forbidden);
                break;
            case StaffCommandOutcome.UnknownTherapist:
                Refuse("That therapist isn't on the practice's list.", StatusCodes.Status400BadRequest);
                break;
            case StaffCommandOutcome.NotAllowedInThisState:
                Refuse("That isn't possible while the request is in its current state; the page shows where it stands now.");
                break;
        }

        return await LoadAsync(id, null, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, string? tz, CancellationToken cancellationToken)
    {
        View = await Mediator.Send(new IntakeDetail.Query(id), cancellationToken);
        Therapists = await Mediator.Send(new Features.Staff.Therapists.List(), cancellationToken);
        Zone = OwnZone(tz, Therapists);
        return View is not null;
    }
}
