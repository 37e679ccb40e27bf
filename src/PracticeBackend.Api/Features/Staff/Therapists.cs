using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>Therapist profiles: admins create and edit any; a therapist edits their own; all staff can list them.</summary>
public static class Therapists
{
    public sealed record ProfileForm(
        string? DisplayName,
        string[]? Specialties,
        string[]? Formats,
        bool? AcceptingNewClients,
        string? TimeZone,
        string? VideoLink = null);

    public sealed record View(
        Guid Id,
        string DisplayName,
        string[] Specialties,
        string[] Formats,
        bool AcceptingNewClients,
        string TimeZone,
        string? VideoLink);

    public sealed record Save(Guid TherapistId, bool Create, ProfileForm Form) : IRequest<StaffCommandResult>;

    public sealed class SaveValidator : AbstractValidator<Save>
    {
        public SaveValidator()
        {
            RuleFor(s => s.Form.DisplayName).NotEmpty().MaximumLength(100).OverridePropertyName("displayName")
                .WithMessage("A display name of 1 to 100 characters.");
            RuleFor(s => s.Form.TimeZone).Must(IanaTimeZone.IsValid).OverridePropertyName("timeZone")
                .WithMessage("An IANA time zone such as \"America/Chicago\".");
            RuleFor(s => s.Form.Formats).Must(f => f is { Length: > 0 } && f.All(x => WireNames.TryParseFormat(x, out _)))
                .OverridePropertyName("formats").WithMessage("At least one of: in-person, video.");
            RuleFor(s => s.Form.Specialties).Must(s => s is null || (s.Length <= 30 && s.All(x => x.Length is > 0 and <= 60)))
                .OverridePropertyName("specialties").WithMessage("Up to 30 specialties of at most 60 characters each.");
            RuleFor(s => s.Form.VideoLink).Must(BeAnHttpsLink).When(s => !string.IsNullOrWhiteSpace(s.Form.VideoLink)).OverridePropertyName("videoLink")
                .WithMessage("Where video sessions happen: an https link of at most 500 characters (it goes in confirmations and invites).");
        }
    }

    private static bool BeAnHttpsLink(string? link) =>
        link is { Length: <= 500 } && Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && !link.Any(char.IsWhiteSpace);

    internal sealed class SaveHandler(IGrainFactory grains, StaffContext staff) : IRequestHandler<Save, StaffCommandResult>
    {
        public Task<StaffCommandResult> Handle(Save request, CancellationToken cancellationToken)
        {
            var form = request.Form;
            var profile = new TherapistProfile(
                form.DisplayName!.Trim(),
                form.Specialties ?? [],
                [.. form.Formats!.Select(f => WireNames.TryParseFormat(f, out var parsed) ? parsed : PreferredFormat.Either).Distinct()],
                form.AcceptingNewClients ?? false,
                form.TimeZone!,
                string.IsNullOrWhiteSpace(form.VideoLink) ? null : form.VideoLink.Trim());
            return grains.GetGrain<ITherapistGrain>(request.TherapistId).SaveProfile(new SaveTherapistProfile(staff.Actor, profile, request.Create));
        }
    }

    public sealed record List : IRequest<View[]>;

    internal sealed class ListHandler(IDbContextFactory<PracticeDbContext> contexts) : IRequestHandler<List, View[]>
    {
        public async Task<View[]> Handle(List request, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var therapists = await db.Therapists.AsNoTracking().OrderBy(t => t.DisplayName).ToListAsync(cancellationToken);
            return [.. therapists.Select(ToView)];
        }
    }

    internal static View ToView(Therapist t) =>
        new(t.Id, t.DisplayName, [.. t.Specialties], [.. t.Formats.Select(f => f.ToWire())], t.AcceptingNewClients, t.TimeZone, t.VideoLink);

    public static void Map(IEndpointRouteBuilder staffGroup)
    {
        var group = staffGroup.MapGroup("/therapists");
        group.MapGet("/", async (IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new List(), cancellationToken)))
            .WithName("ListTherapists")
            .WithSummary("List therapist profiles")
            .WithDescription("Every therapist of the practice, by display name; any member of staff may read them.");
        group.MapGet("/{therapistId:guid}", async Task<Results<Ok<View>, ProblemHttpResult>> (Guid therapistId, IMediator mediator, CancellationToken cancellationToken) =>
            (await mediator.Send(new List(), cancellationToken)).FirstOrDefault(t => t.Id == therapistId) is { } view
                ? TypedResults.Ok(view)
                : StaffResults.NotFound())
            .WithName("GetTherapist")
            .WithSummary("Read one therapist profile")
            .WithDescription("Display name, specialties, formats, whether they accept new clients, and their IANA time zone.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", async Task<Results<Created<IdOnly>, ProblemHttpResult>> (ProfileForm form, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var id = Guid.CreateVersion7();
            var result = await mediator.Send(new Save(id, Create: true, form), cancellationToken);
            return result.Outcome == StaffCommandOutcome.Done
                ? TypedResults.Created($"/api/staff/therapists/{id}", new IdOnly(id))
                : (ProblemHttpResult)StaffResults.From(result).Result;
        })
            .WithName("CreateTherapist")
            .WithSummary("Create a therapist profile (admins)")
            .WithDescription("Answers the new profile's id; InviteStaff then gives the therapist an account linked to it.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPut("/{therapistId:guid}", async (Guid therapistId, ProfileForm form, IMediator mediator, CancellationToken cancellationToken) =>
            StaffResults.From(await mediator.Send(new Save(therapistId, Create: false, form), cancellationToken)))
            .WithName("UpdateTherapist")
            .WithSummary("Edit a therapist profile")
            .WithDescription("Admins edit any profile; a therapist edits their own. Someone else's profile answers 404.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public sealed record IdOnly(Guid Id);
}
