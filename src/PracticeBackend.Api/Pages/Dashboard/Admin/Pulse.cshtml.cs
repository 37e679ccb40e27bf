using System.Globalization;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using PracticeBackend.Api.Features.Staff;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;

namespace PracticeBackend.Api.Pages.Dashboard.Admin;

/// <summary>
/// The practice's pulse (<see cref="PracticePulse.Query"/>): counts and durations only, never a person. Charts are
/// inline SVG drawn here on the server (no script), each with its numbers in a table for screen readers.
/// </summary>
public sealed class PulseModel(IMediator mediator, StaffContext staff, IOptions<PracticeOptions> practice) : DashboardPage(mediator, staff, practice)
{
    public PracticePulse.View? Pulse { get; private set; }

    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;

    public HorizontalBars? Ages { get; private set; }

    public HorizontalBars? Outcomes { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? tz, CancellationToken cancellationToken)
    {
        Zone = ViewerZone(tz);
        if (await Mediator.Send(new PracticePulse.Query(), cancellationToken) is not { } pulse)
        {
            return Forbid();
        }

        Pulse = pulse;
        var ages = pulse.OpenByAge;
        Ages = new HorizontalBars(
            "ages",
            "Open requests by how long they have waited",
            Count(ages.Total, "open request") + ": " + Sentence([(ages.UnderADay, "under a day"), (ages.OneToThreeDays, "1 to 3 days"), (ages.ThreeToSevenDays, "3 to 7 days"), (ages.OverAWeek, "over a week")]) + ".",
            "Waiting",
            [new("Under a day", ages.UnderADay), new("1–3 days", ages.OneToThreeDays), new("3–7 days", ages.ThreeToSevenDays), new("Over a week", ages.OverAWeek)]);

        var outcomes = pulse.Outcomes;
        List<HorizontalBars.Row> rows = [new("Booked", outcomes.Booked)];
        rows.AddRange(outcomes.ClosedByReason.Select(r => new HorizontalBars.Row("Closed: " + ReasonWords(r.Reason), r.Count)));
        rows.Add(new("Still open", outcomes.StillOpen));
        Outcomes = new HorizontalBars(
            "outcomes",
            $"Where the last {PracticePulse.Days} days' requests stand",
            $"Of {Count(outcomes.Came, "request")} in the last {PracticePulse.Days} days: {outcomes.Booked} booked, {outcomes.Closed} closed ("
                + string.Join(", ", outcomes.ClosedByReason.Select(r => $"{r.Count} {ReasonWords(r.Reason).ToLowerInvariant()}")) + $"), {outcomes.StillOpen} still open.",
            "Outcome",
            rows);
        return Page();
    }

    public static string ReasonWords(string reason) => reason == PracticePulse.NoReasonRecorded ? "No reason recorded" : DashboardWords.Words(reason);

    /// <summary>A wait in words, as a person would say it: "40 minutes", "5 hours", "1 day and 3 hours", "9 days".</summary>
    public static string Duration(TimeSpan wait) => wait switch
    {
        { TotalMinutes: < 1 } => "under a minute",
        { TotalHours: < 1 } => Count((int)wait.TotalMinutes, "minute"),
        { TotalDays: < 2 } => Count((int)Math.Round(wait.TotalHours), "hour"),
        { TotalDays: < 7 } when wait.Hours > 0 => Count(wait.Days, "day") + " and " + Count(wait.Hours, "hour"),
        _ => Count((int)Math.Round(wait.TotalDays), "day"),
    };

    /// <summary>"1 request", "3 requests"; "1 first reply", "2 first replies" (with the plural given).</summary>
    public static string Count(int n, string one, string? many = null) =>
        n == 1 ? $"1 {one}" : string.Create(CultureInfo.InvariantCulture, $"{n} {many ?? one + "s"}");

    public string WeekWords(PracticePulse.ReplyWeek week) => "Week to " + DashboardWords.Day(week.To, Zone);

    /// <summary>The weekly medians as bars of one small chart, in whole SVG units (hours rounded).</summary>
    public IReadOnlyList<(int X, int Height, PracticePulse.ReplyWeek Week)> WeekBars(int width, int height)
    {
        var weeks = Pulse!.ReplyWeeks;
        var longest = Math.Max(1, weeks.Max(w => w.Median?.TotalHours ?? 0));
        var step = width / weeks.Length;
        return [.. weeks.Select((w, i) => (i * step, w.Median is { } m ? Math.Max(2, (int)Math.Round(m.TotalHours / longest * height)) : 0, w))];
    }

    private static string Sentence(IEnumerable<(int Count, string Label)> parts) =>
        string.Join(", ", parts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Count} {p.Label}")));
}

/// <summary>One horizontal bar chart: per row its label, and under it a bar with its number beside it (narrow screens keep the bars long).</summary>
public sealed record HorizontalBars(string Id, string Title, string Description, string RowHeading, IReadOnlyList<HorizontalBars.Row> Rows)
{
    public const int Width = 400;
    public const int RowHeight = 46;
    public const int LabelBaseline = 16;
    public const int BarTop = 22;
    public const int BarHeight = 16;
    public const int NumberRoom = 44;

    public sealed record Row(string Label, int Value);

    public int Height => Rows.Count * RowHeight;

    public int BarWidth(Row row)
    {
        var largest = Rows.Max(r => r.Value);
        return largest == 0 ? 0 : Math.Max(row.Value > 0 ? 3 : 0, (int)Math.Round((double)row.Value / largest * (Width - NumberRoom)));
    }
}
