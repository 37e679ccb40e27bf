using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime.Text;
using PracticeBackend.Api.Email;
using PracticeBackend.Api.Features.Preferences;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Features.Offers;

/// <summary>
/// Offers of times. Staff hold 1 to 5 times on a therapist's calendar for a request and the person gets one
/// message with one link; by that link, with no account, the person picks one (a confirmed appointment),
/// says none work (with the times they usually have, never their words), or says not now. Nobody is hurried:
/// no countdown, no "only N left"; if the hold lapses the times go back and one quiet note says so.
/// </summary>
public static class Offers
{
    public sealed record MakeForm(Guid? TherapistId, string? Format, string[]? Starts);

    public sealed record Make(Guid IntakeId, MakeForm Form) : IRequest<OfferResult>;

    public sealed record StaffView(Guid OfferId, Guid TherapistId, Guid IntakeId, string Format, DateTimeOffset[] Starts, int SessionMinutes, string Status, string[] Usually, Guid? AppointmentId);

    private static readonly OffsetDateTimePattern StartPattern = OffsetDateTimePattern.ExtendedIso;

    public sealed class MakeValidator : AbstractValidator<Make>
    {
        public MakeValidator()
        {
            RuleFor(m => m.Form.TherapistId).NotNull().OverridePropertyName("therapistId").WithMessage("Whose calendar: a therapist id.");
            RuleFor(m => m.Form.Format).Must(f => ParseFormat(f) is not null).OverridePropertyName("format").WithMessage("in-person or video.");
            RuleFor(m => m.Form.Starts).Must(s => s is { Length: >= 1 and <= Offer.MostTimes }).OverridePropertyName("starts")
                .WithMessage($"1 to {Offer.MostTimes} starts.");
            RuleFor(m => m.Form.Starts).Must(s => s!.All(BeAnInstant)).When(m => m.Form.Starts is { Length: >= 1 and <= Offer.MostTimes }).OverridePropertyName("starts")
                .WithMessage("Each start is ISO 8601 with an offset, e.g. \"2027-03-15T09:00:00-04:00\", between the years 2000 and 2100.");
            RuleFor(m => m.Form.Starts).Must(s => s!.Select(Parse).Distinct().Count() == s!.Length)
                .When(m => m.Form.Starts is { Length: >= 1 and <= Offer.MostTimes } starts && starts.All(BeAnInstant)).OverridePropertyName("starts")
                .WithMessage("Each time once.");
        }
    }

    internal sealed class MakeHandler(
        IGrainFactory grains,
        StaffContext staff,
        IDbContextFactory<PracticeDbContext> contexts,
        OfferSteps steps,
        PracticeClock clock,
        IOptions<PracticeOptions> practice) : IRequestHandler<Make, OfferResult>
    {
        public async Task<OfferResult> Handle(Make request, CancellationToken cancellationToken)
        {
            var actor = staff.Actor;
            var therapistId = request.Form.TherapistId!.Value;
            if (!actor.IsAdmin && actor.TherapistId != therapistId)
            {
                return new OfferResult(OfferOutcome.NotFound);
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var target = await db.IntakeRequests.AsNoTracking()
                .Where(r => r.Id == request.IntakeId)
                .Join(db.Clients, r => r.ClientId, c => c.Id, (r, c) => new { r.ClientId, r.AssignedTherapistId, r.Status, c.ErasedAt, c.ContactStatus, c.TimeZone })
                .SingleOrDefaultAsync(cancellationToken);
            if (target is null || target.ErasedAt is not null || !(actor.IsAdmin || target.AssignedTherapistId == actor.TherapistId))
            {
                return new OfferResult(OfferOutcome.NotFound);
            }

            // The therapist who offers is the one the person hears from, and the one told of their answer.
            if (target.AssignedTherapistId != therapistId || target.ContactStatus is ContactStatus.Stopped or ContactStatus.Bounced
                || target.Status is Domain.Intake.IntakeStatus.Closed or Domain.Intake.IntakeStatus.Booked)
            {
                return new OfferResult(OfferOutcome.CannotReachPerson);
            }

            var now = clock.GetUtcNow();
            var starts = request.Form.Starts!.Select(Parse).ToArray();
            if (starts.Any(s => s <= now))
            {
                return new OfferResult(OfferOutcome.InThePast);
            }

            // The hold counts from when the offer can reach them (the next send window in their zone), so an offer
            // made on a Friday evening is not half over by Monday morning.
            var reaches = SendWindow.Next(now, IanaTimeZone.Find(target.TimeZone), practice.Value.Pacing.ToSettings());
            var result = await grains.GetGrain<ITherapistGrain>(therapistId).MakeOffer(new MakeOffer(
                actor, Guid.CreateVersion7(), target.ClientId, request.IntakeId, ParseFormat(request.Form.Format)!.Value, starts,
                reaches.AddHours(practice.Value.Scheduling.OfferHoldHours)));
            if (result is { Outcome: OfferOutcome.Done, Offer: { } made })
            {
                await steps.TellOrLeaveToSweepAsync(made);
            }

            return result;
        }
    }

    /// <summary>Opening the offer by its link: what it is, in the person's zone; null when the link is not active.</summary>
    public sealed record Look(string Token) : IRequest<PersonView?>;

    /// <summary>The person picks one of the offered times.</summary>
    public sealed record Pick(string Token, AcceptForm Form) : IRequest<PersonAnswer>;

    /// <summary>"None of these work" (with the times they usually have) or "not now".</summary>
    public sealed record Decline(string Token, DeclineForm Form) : IRequest<PersonAnswer>;

    public sealed record AcceptForm(string? Start);

    public sealed record DeclineForm(string? Reason, string[]? Usually);

    public sealed class PickValidator : AbstractValidator<Pick>
    {
        public PickValidator() =>
            RuleFor(p => p.Form.Start).Must(BeAnInstant).OverridePropertyName("start")
                .WithMessage("One of the offered starts, as the offer gave it (ISO 8601 with an offset).");
    }

    public sealed class DeclineValidator : AbstractValidator<Decline>
    {
        public DeclineValidator()
        {
            RuleFor(d => d.Form.Reason).Must(r => r is "none-work" or "not-now").OverridePropertyName("reason").WithMessage("none-work or not-now.");
            RuleFor(d => d.Form.Usually).Must(u => u!.Length <= UsualTimes.All.Count && u.All(UsualTimes.IsOne)).When(d => d.Form.Usually is not null)
                .OverridePropertyName("usually").WithMessage($"Any of: {string.Join(", ", UsualTimes.All)}.");
        }
    }

    /// <summary>What the person sees: the times in their own zone, the format, the therapist's first name, and where the offer stands.</summary>
    public sealed record PersonView(string Status, string TherapistFirstName, string Format, string TimeZone, TimeView[] Times, SessionView? Booked, string[] Usually);

    public sealed record TimeView(DateTimeOffset Start, string Local, string InWords);

    public sealed record SessionView(DateTimeOffset Start, DateTimeOffset End, string Format, string InWords, string Status);

    /// <summary>The outcome of an answer: done (with where the offer stands now), or a calm refusal.</summary>
    public sealed record PersonAnswer(OfferOutcome Outcome, PersonView? Offer);

    internal sealed class LookHandler(OfferLinks links) : IRequestHandler<Look, PersonView?>
    {
        public async Task<PersonView?> Handle(Look request, CancellationToken cancellationToken) =>
            await links.FindAsync(request.Token, cancellationToken) is { } found ? await links.ViewAsync(found, cancellationToken) : null;
    }

    internal sealed class PickHandler(OfferLinks links) : IRequestHandler<Pick, PersonAnswer>
    {
        public Task<PersonAnswer> Handle(Pick request, CancellationToken cancellationToken) =>
            links.AnswerAsync(request.Token, OfferStatus.Picked, Parse(request.Form.Start!), null, cancellationToken);
    }

    internal sealed class DeclineHandler(OfferLinks links) : IRequestHandler<Decline, PersonAnswer>
    {
        public Task<PersonAnswer> Handle(Decline request, CancellationToken cancellationToken) =>
            links.AnswerAsync(request.Token, request.Form.Reason == "not-now" ? OfferStatus.NotNow : OfferStatus.NoneWork, null, request.Form.Usually ?? [], cancellationToken);
    }

    public static void MapStaff(IEndpointRouteBuilder intake) =>
        intake.MapPost("/{intakeId:guid}/offers", async Task<Results<Created<StaffView>, ProblemHttpResult>> (Guid intakeId, MakeForm form, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var result = await mediator.Send(new Make(intakeId, form), cancellationToken);
            return result switch
            {
                { Outcome: OfferOutcome.Done, Offer: { } offer } => TypedResults.Created($"/api/staff/intake/{intakeId}/offers/{offer.OfferId}", ToStaffView(offer)),
                { Outcome: OfferOutcome.Taken } => TypedResults.Problem(
                    title: "One of those times is taken",
                    detail: "Another appointment, or a time held for another offer, is at one of these times or within its buffer.",
                    statusCode: StatusCodes.Status409Conflict),
                { Outcome: OfferOutcome.AlreadyOpen } => TypedResults.Problem(
                    title: "This request already has an open offer",
                    detail: "One offer at a time: wait for the person's answer, or for the hold to lapse.",
                    statusCode: StatusCodes.Status409Conflict),
                { Outcome: OfferOutcome.CannotReachPerson } => TypedResults.Problem(
                    title: "An offer cannot be made for this request now",
                    detail: "The request must be assigned to this therapist, and the person must not have asked us to stop writing.",
                    statusCode: StatusCodes.Status409Conflict),
                { Outcome: OfferOutcome.InThePast } => TypedResults.Problem(
                    title: "Offered times must be in the future",
                    statusCode: StatusCodes.Status400BadRequest,
                    extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["starts"] = ["Each start must be later than now."] } }),
                _ => Staff.StaffResults.NotFound(),
            };
        })
        .WithName("MakeOffer")
        .WithSummary("Offer a person a few times")
        .WithDescription("Holds 1 to 5 times on the therapist's calendar (busy for everyone else) until the person answers or the hold lapses, and sends the person one message with one link, in the send window. One open offer per request; the request must be assigned to the therapist.")
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);

    public static void MapPublic(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/offers").WithTags("Offers").RequireRateLimiting(Security.WebHardening.LinksPolicy);
        group.MapGet("/{token}", async Task<Results<Ok<PersonView>, ProblemHttpResult>> (string token, IMediator mediator, CancellationToken cancellationToken) =>
            await mediator.Send(new Look(token), cancellationToken) is { } view ? TypedResults.Ok(view) : Gone())
            .WithName("GetOffer")
            .WithSummary("An offer of times, by its link")
            .WithDescription("The offered times in the person's zone (those still ahead), the format and the therapist's first name, and where the offer stands (open, picked, none-work, not-now, lapsed, or request-ended when the request closed or was booked another way).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{token}/accept", async Task<Results<Ok<PersonView>, ProblemHttpResult>> (string token, AcceptForm form, IMediator mediator, CancellationToken cancellationToken) =>
            Answered(await mediator.Send(new Pick(token, form), cancellationToken)))
            .WithName("AcceptOffer")
            .WithSummary("Pick one of the offered times")
            .WithDescription("The time becomes a confirmed appointment and a confirmation with a calendar invite goes at once. 409 when the times were released or that time was just taken; declining with none-work then asks for other times.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{token}/decline", async Task<Results<Ok<PersonView>, ProblemHttpResult>> (string token, DeclineForm form, IMediator mediator, CancellationToken cancellationToken) =>
            Answered(await mediator.Send(new Decline(token, form), cancellationToken)))
            .WithName("DeclineOffer")
            .WithSummary("None of these work, or not now")
            .WithDescription("none-work: the request goes back to the therapist with the times the person usually has (from a fixed list, never free text), also after the times were released. not-now: the request closes, with one short confirmation.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>Calm answers: what happened, and the way on; never a countdown, never a scolding.</summary>
    private static Results<Ok<PersonView>, ProblemHttpResult> Answered(PersonAnswer answer) => answer switch
    {
        { Outcome: OfferOutcome.Done, Offer: { } view } => TypedResults.Ok(view),
        { Outcome: OfferOutcome.Lapsed } => TypedResults.Problem(
            title: "Those times were released",
            detail: "That's completely fine. If you'd like other times, you can ask for them here, whenever suits you.",
            statusCode: StatusCodes.Status409Conflict,
            extensions: Extensions(answer)),
        { Outcome: OfferOutcome.Taken } => TypedResults.Problem(
            title: "That time was just taken",
            detail: "Another of the times may still suit you; or you can ask for other times here.",
            statusCode: StatusCodes.Status409Conflict,
            extensions: Extensions(answer)),
        { Outcome: OfferOutcome.RequestEnded } => TypedResults.Problem(
            title: "This request has ended",
            detail: "Nothing has changed. Whenever you'd like to talk, you're welcome to write to us.",
            statusCode: StatusCodes.Status409Conflict,
            extensions: Extensions(answer)),
        { Outcome: OfferOutcome.AnsweredAlready } => TypedResults.Problem(
            title: "You've answered this offer already",
            detail: "Nothing has changed. If you'd like something different, you're welcome to write to us.",
            statusCode: StatusCodes.Status409Conflict,
            extensions: Extensions(answer)),
        _ => Gone(),
    };

    private static Dictionary<string, object?> Extensions(PersonAnswer answer) => new() { ["offer"] = answer.Offer };

    private static ProblemHttpResult Gone() => TypedResults.Problem(title: EmailLinks.GoneTitle, detail: EmailLinks.GoneText, statusCode: StatusCodes.Status404NotFound);

    private static StaffView ToStaffView(OfferView offer) => new(
        offer.OfferId, offer.TherapistId, offer.IntakeId, Wire(offer.Format), offer.Starts, offer.SessionMinutes, Wire(offer.Status), offer.Usually, offer.AppointmentId);

    public static string Wire(OfferStatus status) => status switch
    {
        OfferStatus.Open => "open",
        OfferStatus.Picked => "picked",
        OfferStatus.NoneWork => "none-work",
        OfferStatus.NotNow => "not-now",
        _ => "lapsed",
    };

    public static string Wire(SessionFormat format) => Staff.Appointments.Wire(format);

    private static bool BeAnInstant(string? text) => Staff.Appointments.BeAnInstant(text);

    private static DateTimeOffset Parse(string text) => StartPattern.Parse(text).Value.ToDateTimeOffset();

    private static SessionFormat? ParseFormat(string? format) => Staff.Appointments.ParseFormat(format);
}

/// <summary>An offer's link: the token's hash finds the offer (never for an erased person), and the offer is shown in the person's own zone.</summary>
internal sealed class OfferLinks(IDbContextFactory<PracticeDbContext> contexts, IGrainFactory grains, OfferSteps steps, BookingSteps bookings, PracticeClock clock)
{
    /// <summary>The person's answer, decided by the therapist's calendar; then the person and the therapist are told.</summary>
    public async Task<Offers.PersonAnswer> AnswerAsync(string token, OfferStatus answer, DateTimeOffset? start, string[]? usually, CancellationToken cancellationToken)
    {
        if (await FindAsync(token, cancellationToken) is not { } found)
        {
            return new Offers.PersonAnswer(OfferOutcome.NotFound, null);
        }

        if (await ViewAsync(found, cancellationToken) is { Status: "request-ended" } ended)
        {
            return new Offers.PersonAnswer(OfferOutcome.RequestEnded, ended);
        }

        var therapist = grains.GetGrain<ITherapistGrain>(found.TherapistId);
        var result = await therapist.AnswerOffer(new AnswerOffer(found.OfferId, answer, start, usually));
        if (result is { Outcome: OfferOutcome.Done, Offer: { PersonTold: false } answered })
        {
            await steps.TellOrLeaveToSweepAsync(answered);
            if (answered.AppointmentId is { } booked && await therapist.GetAppointment(booked) is { } appointment)
            {
                await bookings.TellPersonOrLeaveToSweepAsync(appointment);
            }
        }

        return new Offers.PersonAnswer(result.Outcome, await ViewAsync(found, cancellationToken));
    }

    public sealed record Found(Guid OfferId, Guid TherapistId, string TimeZone);

    public async Task<Found?> FindAsync(string token, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await LinkTokens.Active(db, token, TokenPurposes.Offer)
            .Join(db.Offers, t => t.SubjectId, o => o.Id, (t, o) => new { t.ClientId, Offer = o })
            .Where(x => x.Offer.ClientId == x.ClientId)
            .Join(db.Clients, x => x.ClientId, c => c.Id, (x, c) => new Found(x.Offer.Id, x.Offer.TherapistId, c.TimeZone))
            .SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<Offers.PersonView?> ViewAsync(Found found, CancellationToken cancellationToken)
    {
        var therapist = grains.GetGrain<ITherapistGrain>(found.TherapistId);
        if (await therapist.GetOffer(found.OfferId) is not { } offer)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var name = await db.Therapists.AsNoTracking().Where(t => t.Id == found.TherapistId).Select(t => t.DisplayName).SingleAsync(cancellationToken);
        var zone = IanaTimeZone.Find(found.TimeZone);
        var times = offer.Status == OfferStatus.Open
            ? offer.Starts.Where(s => s > clock.GetUtcNow()).Select(s => new Offers.TimeView(s, Local(s, zone), CalendarInvite.InWords(s, zone.Id))).ToArray()
            : [];
        var booked = offer.AppointmentId is { } id && await therapist.GetAppointment(id) is { } appointment
            ? new Offers.SessionView(appointment.Start, appointment.End, Offers.Wire(appointment.Format), CalendarInvite.InWords(appointment.Start, zone.Id), Staff.Appointments.Wire(appointment.Status))
            : null;

        // An offer still open for a request that has ended (closed, or booked another way) is not one to answer.
        var requestEnded = offer.Status == OfferStatus.Open
            && await db.IntakeRequests.AnyAsync(r => r.Id == offer.IntakeId && (r.Status == Domain.Intake.IntakeStatus.Closed || r.Status == Domain.Intake.IntakeStatus.Booked), cancellationToken);
        return new Offers.PersonView(requestEnded ? "request-ended" : Offers.Wire(offer.Status), OutboxSender.FirstName(name), Offers.Wire(offer.Format), zone.Id, requestEnded ? [] : times, booked, offer.Usually);
    }

    private static string Local(DateTimeOffset instant, NodaTime.DateTimeZone zone) =>
        NodaTime.Instant.FromDateTimeOffset(instant).InZone(zone).ToOffsetDateTime().ToString("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>", System.Globalization.CultureInfo.InvariantCulture);
}
