using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Scheduling;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Security;
using PracticeBackend.Grains.Staff;
using PracticeBackend.Grains.Therapists;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// A therapist's calendar as a feed that Google Calendar, Outlook and Apple Calendar subscribe to, at a
/// secret address: the token in it is 256 random bits, stored only as its SHA-256 hash on the therapist's
/// row; making a new one replaces the old (rotation), and it can be revoked. The feed leaves the practice,
/// so each session says only the person's initials (first names if the practice turns that on), the format
/// and the time: no reason, no contact details. Valid RFC 5545: UID, DTSTAMP, UTC times, no METHOD.
/// </summary>
public static class CalendarFeed
{
    public const string RoutePrefix = "/calendar";

    /// <summary>What a feed holds: the last month and the next six.</summary>
    private static readonly TimeSpan Behind = TimeSpan.FromDays(31);
    private static readonly TimeSpan Ahead = TimeSpan.FromDays(183);

    public sealed record Issue(Guid TherapistId) : IRequest<FeedAddress?>;

    public sealed record Revoke(Guid TherapistId) : IRequest<StaffCommandResult>;

    /// <summary>The feed's address, shown once: only its hash is kept.</summary>
    public sealed record FeedAddress(Uri Url);

    internal sealed class IssueHandler(IGrainFactory grains, StaffContext staff, IOptions<PracticeOptions> practice) : IRequestHandler<Issue, FeedAddress?>
    {
        public async Task<FeedAddress?> Handle(Issue request, CancellationToken cancellationToken)
        {
            var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
            var result = await grains.GetGrain<ITherapistGrain>(request.TherapistId).SetCalendarFeed(new SetCalendarFeed(staff.Actor, LinkTokens.Hash(token)));
            return result.Outcome == StaffCommandOutcome.Done ? new FeedAddress(new Uri(practice.Value.PublicBaseUrl!, $"{RoutePrefix}/{token}.ics")) : null;
        }
    }

    internal sealed class RevokeHandler(IGrainFactory grains, StaffContext staff) : IRequestHandler<Revoke, StaffCommandResult>
    {
        public Task<StaffCommandResult> Handle(Revoke request, CancellationToken cancellationToken) =>
            grains.GetGrain<ITherapistGrain>(request.TherapistId).SetCalendarFeed(new SetCalendarFeed(staff.Actor, null));
    }

    public sealed record Read(string Token) : IRequest<string?>;

    internal sealed class ReadHandler(IDbContextFactory<PracticeDbContext> contexts, PhiProtector phi, PracticeClock clock, AuditTrail audit, IOptions<PracticeOptions> practice) : IRequestHandler<Read, string?>
    {
        public async Task<string?> Handle(Read request, CancellationToken cancellationToken)
        {
            if (request.Token.Length is < 20 or > 100)
            {
                return null;
            }

            var hash = LinkTokens.Hash(request.Token);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var therapist = await db.Therapists.AsNoTracking().Where(t => t.CalendarFeedTokenHash == hash).Select(t => new { t.Id }).SingleOrDefaultAsync(cancellationToken);
            if (therapist is null)
            {
                return null;
            }

            // Every read of what it holds is in the audit trail, like any look at a person's details.
            await audit.RecordAsync(StaffActor.System("calendar-feed"), AuditActions.CalendarFeedRead, AuditSubjects.Therapist, therapist.Id, AuditOutcomes.Success, cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            var sessions = await db.Appointments.AsNoTracking()
                .Where(a => a.TherapistId == therapist.Id && a.Status != AppointmentStatus.Cancelled && a.EndsAt > now - Behind && a.StartsAt < now + Ahead)
                .Join(db.Clients, a => a.ClientId, c => c.Id, (a, c) => new { a.Id, a.StartsAt, a.EndsAt, a.Format, a.Sequence, a.UpdatedAt, c.NameSealed, c.ErasedAt })
                .OrderBy(a => a.StartsAt)
                .ToListAsync(cancellationToken);

            var calendar = new Ical.Net.Calendar { ProductId = "-//PracticeBackend//Calendar feed//EN" };
            calendar.AddProperty("X-WR-CALNAME", practice.Value.Name);
            calendar.AddProperty("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
            foreach (var session in sessions)
            {
                var who = session.ErasedAt is null ? Initials(phi.Unseal(session.NameSealed), practice.Value.Scheduling.FeedShowsFirstNames) : null;
                calendar.Events.Add(new CalendarEvent
                {
                    Uid = session.Id.ToString(),
                    Sequence = session.Sequence,

                    // From the row, not the clock: an unchanged feed is the same bytes, so refreshes see no change.
                    DtStamp = new CalDateTime(DateTime.SpecifyKind(session.UpdatedAt, DateTimeKind.Utc)),
                    DtStart = new CalDateTime(DateTime.SpecifyKind(session.StartsAt, DateTimeKind.Utc)),
                    DtEnd = new CalDateTime(DateTime.SpecifyKind(session.EndsAt, DateTimeKind.Utc)),
                    Summary = who is null ? "Session" : $"Session: {who}",
                    Location = session.Format == SessionFormat.Video ? "Video" : "In person",
                    Class = "PRIVATE",
                    Status = "CONFIRMED",
                });
            }

            return new CalendarSerializer().SerializeToString(calendar);
        }

        /// <summary>"S. K." for Sam Kowalski (or "Sam" when first names are on); nothing when there is no name.</summary>
        internal static string? Initials(string? name, bool firstName)
        {
            var words = (name ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0)
            {
                return null;
            }

            return firstName
                ? words[0]
                : string.Join(' ', words.Take(3).Select(w => char.ToUpper(w[0], CultureInfo.InvariantCulture) + "."));
        }
    }

    public static void Map(IEndpointRouteBuilder staffGroup, IEndpointRouteBuilder app)
    {
        var feed = staffGroup.MapGroup("/therapists/{therapistId:guid}/calendar-feed");
        feed.MapPost("/", async Task<Results<Created<FeedAddress>, ProblemHttpResult>> (Guid therapistId, IMediator mediator, CancellationToken cancellationToken) =>
            await mediator.Send(new Issue(therapistId), cancellationToken) is { } address
                ? TypedResults.Created((string?)null, address)
                : StaffResults.NotFound())
            .WithName("IssueCalendarFeed")
            .WithSummary("Make a new secret address for a therapist's calendar feed")
            .WithDescription("The therapist themselves, or an admin. The address is shown once (only its hash is kept); a new one replaces the old, which stops working at once.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        feed.MapDelete("/", async (Guid therapistId, IMediator mediator, CancellationToken cancellationToken) =>
            StaffResults.From(await mediator.Send(new Revoke(therapistId), cancellationToken)))
            .WithName("RevokeCalendarFeed")
            .WithSummary("Revoke a therapist's calendar feed")
            .WithDescription("The secret address stops working at once.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet(RoutePrefix + "/{token}.ics", async (string token, IMediator mediator, HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        {
            if (await mediator.Send(new Read(token), cancellationToken) is not { } ics)
            {
                return Results.NotFound();
            }

            // The tag is the body's own hash: a 304 only ever answers a client that holds these very bytes.
            var bytes = Encoding.UTF8.GetBytes(ics);
            var tag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"";
            response.Headers.CacheControl = "private, max-age=300";
            response.Headers.ETag = tag;
            return request.Headers.IfNoneMatch.Contains(tag)
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(bytes, "text/calendar; charset=utf-8");
        }).ExcludeFromDescription().RequireRateLimiting(Security.WebHardening.LinksPolicy);
    }
}
