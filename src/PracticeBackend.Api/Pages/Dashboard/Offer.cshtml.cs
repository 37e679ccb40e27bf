using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Therapists;
using static PracticeBackend.Api.Features.Offers.Offers;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>
/// The slot picker: a therapist's open times over two weeks (<see cref="Availability.FindSlots"/>), up to five
/// chosen and offered with <see cref="Make"/>, the same use case as the API.
/// </summary>
public sealed class OfferModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice, PracticeClock clock)
    : DashboardPage(mediator, staff, practice)
{
    public static readonly IReadOnlyList<(string Value, string Label)> Formats = [("in-person", "In person"), ("video", "By video")];

    public Guid Id { get; private set; }

    public Guid TherapistId { get; private set; }

    public Therapists.View[] Therapists { get; private set; } = [];

    public DateOnly From { get; private set; }

    public Availability.SlotsView? Slots { get; private set; }

    public DateTimeZone TherapistZone { get; private set; } = DateTimeZone.Utc;

    public DateTimeZone PersonZone { get; private set; } = DateTimeZone.Utc;

    public string Format { get; private set; } = "in-person";

    public string[] Chosen { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, Guid? therapist, DateOnly? from, CancellationToken cancellationToken) =>
        await LoadAsync(id, therapist, from, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, Guid? therapistId, string? format, string[] starts, CancellationToken cancellationToken)
    {
        Chosen = starts;
        var result = await TrySendAsync(new Make(id, new MakeForm(therapistId, format, starts)), cancellationToken);
        switch (result?.Outcome)
        {
            case OfferOutcome.Done:
                return Done($"{starts.Length} {(starts.Length == 1 ? "time is" : "times are")} held, and the person will get one email with one link in their send window.", $"/dashboard/requests/{id}");
            case OfferOutcome.Taken:
                Refuse("One of those times was just taken or held for someone else. The list below is fresh: choose again.");
                break;
            case OfferOutcome.AlreadyOpen:
                Refuse("This request already has an open offer: wait for their answer, or for the hold to lapse.");
                break;
            case OfferOutcome.CannotReachPerson:
                Refuse("Times can't be offered now: the request must be assigned to this therapist, and the person must not have asked us to stop writing.");
                break;
            case OfferOutcome.InThePast:
                Refuse("One of those times has passed. Choose again from the list.", StatusCodes.Status400BadRequest);
                break;
            case null:
                break;
            default:
                return NotFound();
        }

        Format = format ?? Format;
        return await LoadAsync(id, therapistId, null, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, Guid? therapist, DateOnly? from, CancellationToken cancellationToken)
    {
        Id = id;
        if (await Mediator.Send(new IntakeWorklist.Find(id), cancellationToken) is not { } request)
        {
            return false;
        }

        Therapists = await Mediator.Send(new Features.Staff.Therapists.List(), cancellationToken);
        TherapistId = therapist ?? request.AssignedTherapistId ?? Actor.TherapistId ?? Therapists.FirstOrDefault()?.Id ?? Guid.Empty;
        if (request.PreferredFormat is "in-person" or "video" && !Request.HasFormContentType)
        {
            Format = request.PreferredFormat;
        }

        var zone = Therapists.FirstOrDefault(t => t.Id == TherapistId)?.TimeZone;
        TherapistZone = ViewerZone(null, zone);
        PersonZone = ViewerZone(request.TimeZone);
        var today = Instant.FromDateTimeOffset(clock.GetUtcNow()).InZone(TherapistZone).Date.ToDateOnly();
        if (from is { } asked && !Availability.YearInReach(asked.Year))
        {
            Errors["from"] = "Choose a date between the years 2000 and 2100.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            from = null;
        }

        From = from is { } chosen && chosen > today ? chosen : today;
        var start = LocalDate.FromDateOnly(From).AtStartOfDayInZone(TherapistZone).ToDateTimeOffset();
        Slots = await Mediator.Send(new Availability.FindSlots(TherapistId, start, start.AddDays(14), zone), cancellationToken);
        return true;
    }
}
