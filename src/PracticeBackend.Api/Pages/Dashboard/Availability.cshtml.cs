using System.Globalization;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Api.Pages.Dashboard;

/// <summary>
/// The availability editor: the week, date overrides and session settings, saved whole with
/// <see cref="Availability.Replace"/> (its rules are the domain's, named by field); and the calendar feed's
/// address made anew (the old one stops) or turned off.
/// </summary>
public sealed class AvailabilityModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    public static readonly IReadOnlyList<string> WeekDays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// <summary>The editor's fields as a browser posts them: a day's ranges as text, "09:00-12:00, 13:00-17:00".</summary>
    public sealed class EditorInput
    {
        public string? TimeZone { get; set; }

        public Dictionary<string, string?> Days { get; set; } = [];

        public List<OverrideInput> Overrides { get; set; } = [];

        public int? SessionMinutes { get; set; }

        public int? BufferMinutes { get; set; }

        public int? MinimumNoticeHours { get; set; }

        public int? BookingWindowDays { get; set; }

        public int? DailyCap { get; set; }
    }

    public sealed class OverrideInput
    {
        public string? Date { get; set; }

        public string? Ranges { get; set; }
    }

    [BindProperty]
    public EditorInput Input { get; set; } = new();

    public Therapists.View[] Visible { get; private set; } = [];

    public Guid TherapistId { get; private set; }

    public Uri? FeedUrl { get; private set; }

    /// <summary>A bound field's name ("Input.SessionMinutes") as the form's mistakes name it ("sessionMinutes").</summary>
    private static string FieldOfInput(string bound)
    {
        var name = bound.Split('.')[^1];
        return name.Length == 0 ? "form" : char.ToLowerInvariant(name[0]) + name[1..];
    }

    public static string FieldWords(string field) => field switch
    {
        "timeZone" => "Time zone",
        "sessionMinutes" => "Session length",
        "bufferMinutes" => "Buffer",
        "minimumNoticeHours" => "Least notice",
        "bookingWindowDays" => "Bookable up to",
        "dailyCap" => "At most a day",
        _ when field.StartsWith("weekly", StringComparison.Ordinal) => "Each week",
        _ when field.StartsWith("overrides", StringComparison.Ordinal) => "Date overrides",
        _ => "The form",
    };

    public async Task<IActionResult> OnGetAsync(Guid? therapist, CancellationToken cancellationToken)
    {
        if (!await ChooseAsync(therapist, cancellationToken))
        {
            return NotFound();
        }

        await FillAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(Guid? therapist, CancellationToken cancellationToken)
    {
        if (!await ChooseAsync(therapist, cancellationToken, exactly: true))
        {
            return NotFound();
        }

        foreach (var (field, entry) in ModelState.Where(m => m.Value?.Errors.Count > 0))
        {
            Errors.TryAdd(FieldOfInput(field), "Write a whole number.");
        }

        var form = ToForm(Input);
        if (Errors.Count == 0)
        {
            var result = await TrySendAsync(new Availability.Replace(TherapistId, form), cancellationToken);
            if (result?.Outcome == StaffCommandOutcome.Done)
            {
                return Done("Availability saved; open times follow it from now on.", $"/dashboard/availability?therapist={TherapistId}");
            }

            if (result is { } refused)
            {
                Refuse(refused.Outcome == StaffCommandOutcome.NotPermitted ? "Only this therapist or an admin can change it." : "This therapist isn't on the practice's list.", StatusCodes.Status403Forbidden);
            }
        }
        else
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        PadOverrides();
        return Page();
    }

    public async Task<IActionResult> OnPostFeedAsync(Guid? therapist, CancellationToken cancellationToken)
    {
        if (!await ChooseAsync(therapist, cancellationToken, exactly: true))
        {
            return NotFound();
        }

        FeedUrl = (await Mediator.Send(new CalendarFeed.Issue(TherapistId), cancellationToken))?.Url;
        if (FeedUrl is null)
        {
            Refuse("Only this therapist or an admin can make a feed address.", StatusCodes.Status403Forbidden);
        }

        await FillAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid? therapist, CancellationToken cancellationToken)
    {
        if (!await ChooseAsync(therapist, cancellationToken, exactly: true))
        {
            return NotFound();
        }

        var result = await Mediator.Send(new CalendarFeed.Revoke(TherapistId), cancellationToken);
        return result.Outcome == StaffCommandOutcome.Done
            ? Done("The feed is off: its address no longer works.", $"/dashboard/availability?therapist={TherapistId}")
            : NotFound();
    }

    /// <param name="exactly">For a change: the therapist posted must be one this member of staff may change, never a stand-in.</param>
    private async Task<bool> ChooseAsync(Guid? therapist, CancellationToken cancellationToken, bool exactly = false)
    {
        var all = await Mediator.Send(new Therapists.List(), cancellationToken);
        Visible = CalendarsOf(all);
        var chosen = Visible.FirstOrDefault(t => t.Id == (therapist ?? Actor.TherapistId)) ?? (exactly ? null : Visible.FirstOrDefault());
        TherapistId = chosen?.Id ?? Guid.Empty;
        return chosen is not null;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        var view = await Mediator.Send(new Availability.Read(TherapistId), cancellationToken);
        Input = view is null
            ? new EditorInput { TimeZone = Visible.First(t => t.Id == TherapistId).TimeZone, SessionMinutes = 50, BufferMinutes = 10, MinimumNoticeHours = 24, BookingWindowDays = 60 }
            : new EditorInput
            {
                TimeZone = view.TimeZone,
                Days = WeekDays.ToDictionary(d => d, d => (string?)string.Join(", ", view.Weekly.Where(w => w.Day == d).Select(w => $"{w.Start}-{w.End}"))),
                Overrides = [.. view.Overrides.Select(o => new OverrideInput { Date = o.Date, Ranges = string.Join(", ", (o.Ranges ?? []).Select(r => $"{r.Start}-{r.End}")) })],
                SessionMinutes = view.SessionMinutes,
                BufferMinutes = view.BufferMinutes,
                MinimumNoticeHours = view.MinimumNoticeHours,
                BookingWindowDays = view.BookingWindowDays,
                DailyCap = view.DailyCap,
            };
        PadOverrides();
    }

    /// <summary>Two empty rows for new overrides, so none needs JavaScript.</summary>
    private void PadOverrides()
    {
        Input.Overrides.RemoveAll(o => string.IsNullOrWhiteSpace(o.Date) && string.IsNullOrWhiteSpace(o.Ranges));
        Input.Overrides.Add(new OverrideInput());
        Input.Overrides.Add(new OverrideInput());
    }

    /// <summary>The editor's text to the API's form; text that isn't a list of ranges is a mistake by its field.</summary>
    private Availability.Form ToForm(EditorInput input)
    {
        var weekly = new List<Availability.WeeklyForm>();
        foreach (var day in WeekDays)
        {
            if (Ranges(input.Days.GetValueOrDefault(day)) is { } ranges)
            {
                weekly.AddRange(ranges.Select(r => new Availability.WeeklyForm(day, r.Start, r.End)));
            }
            else
            {
                Errors.TryAdd($"weekly-{day}", $"{DashboardWords.Words(day)}: write ranges like 09:00-12:00, 13:00-17:00.");
            }
        }

        var overrides = new List<Availability.OverrideForm>();
        foreach (var row in input.Overrides.Where(o => !string.IsNullOrWhiteSpace(o.Date)))
        {
            if (Ranges(row.Ranges) is { } ranges)
            {
                overrides.Add(new Availability.OverrideForm(row.Date!.Trim(), [.. ranges]));
            }
            else
            {
                Errors.TryAdd($"overrides-{row.Date}", $"{row.Date}: write ranges like 10:00-12:00, or leave them empty for a day off.");
            }
        }

        return new Availability.Form(input.TimeZone?.Trim(), [.. weekly], [.. overrides], input.SessionMinutes, input.BufferMinutes, input.MinimumNoticeHours, input.BookingWindowDays, input.DailyCap);
    }

    /// <summary>"09:00-12:00, 13:00-17:00" as ranges; empty is none; null when it isn't ranges at all.</summary>
    private static List<Availability.RangeForm>? Ranges(string? text)
    {
        var ranges = new List<Availability.RangeForm>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ends = part.Replace('–', '-').Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length != 2 || !TimeOnly.TryParseExact(ends[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                || !TimeOnly.TryParseExact(ends[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                return null;
            }

            ranges.Add(new Availability.RangeForm(ends[0], ends[1]));
        }

        return ranges;
    }
}
