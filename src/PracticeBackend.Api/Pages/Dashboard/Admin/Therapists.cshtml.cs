using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Pages.Dashboard.Admin;

/// <summary>Therapist profiles: the list, and one form to create or edit, through <see cref="Therapists.Save"/> as the API does.</summary>
public sealed class TherapistsModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    public static readonly IReadOnlyList<(string Value, string Label)> FormatChoices = [("in-person", "In person"), ("video", "By video")];

    public Therapists.View[] Profiles { get; private set; } = [];

    /// <summary>The profile being edited; null for a new one.</summary>
    public Guid? EditingId { get; private set; }

    public Therapists.ProfileForm Form { get; private set; } = new("", [], ["in-person", "video"], true, null, null);

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken cancellationToken)
    {
        Profiles = await Mediator.Send(new Therapists.List(), cancellationToken);
        Form = Form with { TimeZone = Practice.TimeZone };
        if (id is { } editing)
        {
            if (Profiles.FirstOrDefault(p => p.Id == editing) is not { } profile)
            {
                return NotFound();
            }

            EditingId = editing;
            Form = new(profile.DisplayName, profile.Specialties, profile.Formats, profile.AcceptingNewClients, profile.TimeZone, profile.VideoLink);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(
        Guid? id, string? displayName, string? specialties, string[]? formats, bool? acceptingNewClients, string? timeZone, string? videoLink,
        CancellationToken cancellationToken)
    {
        EditingId = id;
        Form = new(displayName, SplitSpecialties(specialties), formats ?? [], acceptingNewClients ?? false, timeZone, videoLink);
        var therapistId = id ?? Guid.CreateVersion7();
        var result = await TrySendAsync(new Therapists.Save(therapistId, Create: id is null, Form), cancellationToken);
        switch (result?.Outcome)
        {
            case StaffCommandOutcome.Done:
                return Done(id is null ? $"{Form.DisplayName!.Trim()}'s profile is created." : $"{Form.DisplayName!.Trim()}'s profile is saved.", "/dashboard/admin/therapists");
            case StaffCommandOutcome.NotFound:
                return NotFound();
            case StaffCommandOutcome.NotPermitted:
                Refuse("Only an admin can do this.", StatusCodes.Status403Forbidden);
                break;
            case StaffCommandOutcome.NotAllowedInThisState:
                Refuse("The profile could not be saved as it stood; someone may have saved it at the same moment. The list below is fresh: check it, and save again.");
                break;
        }

        Profiles = await Mediator.Send(new Therapists.List(), cancellationToken);
        return Page();
    }

    /// <summary>"attachment, grief ,  couples" → ["attachment", "grief", "couples"].</summary>
    public static string[] SplitSpecialties(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    public static string FormatWords(string format) => FormatChoices.FirstOrDefault(f => f.Value == format).Label ?? DashboardWords.Words(format);
}
