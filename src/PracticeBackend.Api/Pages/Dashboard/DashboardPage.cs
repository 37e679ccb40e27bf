using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using NodaTime;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>
/// What every dashboard page shares: the same MediatR use cases as the API (one code path), the signed-in
/// member of staff, mistakes by field in plain words, a sentence after each change (post, redirect, get),
/// and the zone times are shown in — the therapist's own, or the practice's, or one chosen with ?tz=.
/// </summary>
public abstract class DashboardPage(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : PageModel
{
    protected IMediator Mediator => mediator;

    public StaffActor Actor => staff.Actor;

    public PracticeOptions Practice => practice.Value;

    /// <summary>What to fix, by field (the first segment of the validator's name), in plain words.</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public string? Error(string field) => Errors.TryGetValue(field, out var message) ? message : null;

    /// <summary>Runs a change; on a refusal by the validators, its mistakes are kept by field and null (false, for a yes/no answer) comes back.</summary>
    protected async Task<T?> TrySendAsync<T>(IRequest<T> request, CancellationToken cancellationToken)
    {
        try
        {
            return await mediator.Send(request, cancellationToken);
        }
        catch (ValidationException invalid)
        {
            foreach (var failure in invalid.Errors)
            {
                Errors.TryAdd(failure.PropertyName.Split('.')[0], failure.ErrorMessage);
            }

            Response.StatusCode = StatusCodes.Status400BadRequest;
            return default;
        }
    }

    /// <summary>After a change: say what happened in one sentence on the next page.</summary>
    protected IActionResult Done(string notice, string page)
    {
        TempData["Notice"] = notice;
        return Redirect(page);
    }

    /// <summary>A refusal that is not about a field: shown at the top of the page, with a 409.</summary>
    protected void Refuse(string message, int status = StatusCodes.Status409Conflict)
    {
        Errors["form"] = message;
        Response.StatusCode = status;
    }

    /// <summary>The calendars this member of staff may open and change: every therapist's for an admin, their own for a therapist.</summary>
    protected Features.Staff.Therapists.View[] CalendarsOf(Features.Staff.Therapists.View[] all) =>
        Actor.IsAdmin ? all : [.. all.Where(t => t.Id == Actor.TherapistId)];

    /// <summary>The zone a signed-in member of staff reads times in: one chosen, or their own therapist profile's, or the practice's.</summary>
    protected DateTimeZone OwnZone(string? chosen, Features.Staff.Therapists.View[] all) =>
        ViewerZone(chosen, all.FirstOrDefault(t => t.Id == Actor.TherapistId)?.TimeZone);

    protected DateTimeZone ViewerZone(string? chosen, string? therapistZone = null) =>
        (chosen is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(chosen))
        ?? (therapistZone is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(therapistZone))
        ?? DateTimeZoneProviders.Tzdb.GetZoneOrNull(practice.Value.TimeZone)
        ?? DateTimeZone.Utc;
}

/// <summary>Times and ages as staff read them.</summary>
public static class DashboardWords
{
    public static string When(DateTimeOffset at, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(at).InZone(zone).ToString("ddd d MMM, HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static string Day(DateTimeOffset at, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(at).InZone(zone).ToString("ddd d MMM", System.Globalization.CultureInfo.InvariantCulture);

    public static string Clock(DateTimeOffset at, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(at).InZone(zone).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How long something has waited, roughly: "5 minutes", "3 hours", "2 days".</summary>
    public static string Age(TimeSpan waited) => waited switch
    {
        { TotalMinutes: < 1 } => "just now",
        { TotalHours: < 1 } => Count((int)waited.TotalMinutes, "minute"),
        { TotalDays: < 1 } => Count((int)waited.TotalHours, "hour"),
        _ => Count((int)waited.TotalDays, "day"),
    };

    private static string Count(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";

    /// <summary>A wire name as words: "in-conversation" → "In conversation".</summary>
    public static string Words(string wire) => wire.Length == 0 ? wire : char.ToUpperInvariant(wire[0]) + wire[1..].Replace('-', ' ');
}
