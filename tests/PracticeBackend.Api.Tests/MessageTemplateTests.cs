using System.Net;
using System.Text.RegularExpressions;
using PracticeBackend.Api.Email;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The words that reach people, reviewed as words: each distinct message (every kind, and every pace or
/// close reason that changes its text) is rendered once and compared whole with its approved file in
/// <c>Approved/</c>, so a change of wording shows in the diff. Then the promises every message keeps:
/// no pressure, the ways out, "no need to reply", a plain subject, a named sender.
/// </summary>
public sealed partial class MessageTemplateTests
{
    private const string RecipientName = "Marisol";
    private const string SignerName = "Dr. Ines Halvorsen";
    private const string PracticeName = "Quiet Harbor Counseling";
    private const string PersonalMarker = "personal-marker-3141";
    private const string CrisisResources =
        "If you are in crisis or thinking about harming yourself, call or text 988 (Suicide & Crisis Lifeline, US), "
        + "or call 911 or go to your nearest emergency room.";

    private static readonly MessageLinks Links = new(
        Stop: new Uri("https://care.example/email/stop-Zq8Kf2Lm"),
        Pause: new Uri("https://care.example/email/pause-Pa7wQ"),
        ChangePace: new Uri("https://care.example/email/pace-Cp3xR"),
        NotNow: new Uri("https://care.example/email/not-now-Nn4yS"),
        EraseMyData: new Uri("https://care.example/email/erase-Er5zT"),
        ConfirmAddress: new Uri("https://care.example/email/confirm-Cf6aU"),
        Offer: new Uri("https://care.example/offers/offer-Of7bV"),
        Manage: new Uri("https://care.example/sessions/manage-Mg8cW"),
        Reminders: new Uri("https://care.example/email/reminders-Rm9dX"));

    private static readonly PracticeWording CalmWording = new(
        AcknowledgementIntro: "Thanks for reaching out; every message here is read by a person.",
        CheckInIntro: "A quiet hello from all of us.",
        ClosingNoteIntro: "One more short note, and then we'll leave it with you.",
        Signature: "With care,");

    /// <summary>Every distinct message to a person: the kind, and the pace or close reason where it changes the words.</summary>
    private static readonly Dictionary<string, (MessageKind Kind, Pace Pace, CloseReason? Reason)> PersonMessages = new()
    {
        ["acknowledgement.when-ready"] = (MessageKind.Acknowledgement, Pace.WhenReady, null),
        ["acknowledgement.gentle"] = (MessageKind.Acknowledgement, Pace.Gentle, null),
        ["acknowledgement.check-in-2-weeks"] = (MessageKind.Acknowledgement, Pace.CheckIn2Weeks, null),
        ["acknowledgement.check-in-1-month"] = (MessageKind.Acknowledgement, Pace.CheckIn1Month, null),
        ["acknowledgement.check-in-3-months"] = (MessageKind.Acknowledgement, Pace.CheckIn3Months, null),
        ["gentle-check-in"] = (MessageKind.GentleCheckIn, Pace.Gentle, null),
        ["scheduled-check-in"] = (MessageKind.ScheduledCheckIn, Pace.CheckIn1Month, null),
        ["closing-note"] = (MessageKind.ClosingNote, Pace.Gentle, null),
        ["outcome.no-response"] = (MessageKind.Outcome, Pace.Gentle, CloseReason.NoResponse),
        ["outcome.referred-elsewhere"] = (MessageKind.Outcome, Pace.Gentle, CloseReason.ReferredElsewhere),
        ["outcome.not-a-fit"] = (MessageKind.Outcome, Pace.Gentle, CloseReason.NotAFit),
        ["outcome.person-declined"] = (MessageKind.Outcome, Pace.Gentle, CloseReason.PersonDeclined),
        ["outcome.withdrew"] = (MessageKind.Outcome, Pace.Gentle, CloseReason.Withdrew),
        ["personal"] = (MessageKind.Personal, Pace.Gentle, null),
        ["closed-at-their-request"] = (MessageKind.ClosedAtTheirRequest, Pace.Gentle, CloseReason.PersonDeclined),
        ["address-confirmation"] = (MessageKind.AddressConfirmation, Pace.Gentle, null),
        ["offer-of-times"] = (MessageKind.OfferOfTimes, Pace.Gentle, null),
        ["released-hold"] = (MessageKind.ReleasedHold, Pace.Gentle, null),
        ["booking-confirmed"] = (MessageKind.BookingConfirmed, Pace.Gentle, null),
        ["other-times-asked"] = (MessageKind.OtherTimesAsked, Pace.Gentle, null),
        ["session-booked"] = (MessageKind.SessionBooked, Pace.Gentle, null),
        ["session-moved"] = (MessageKind.SessionMoved, Pace.Gentle, null),
        ["session-cancelled"] = (MessageKind.SessionCancelled, Pace.Gentle, null),
        ["session-reminder"] = (MessageKind.SessionReminder, Pace.Gentle, null),
        ["cancelled-at-their-request"] = (MessageKind.CancelledAtTheirRequest, Pace.Gentle, null),
        ["another-time-asked"] = (MessageKind.AnotherTimeAsked, Pace.Gentle, null),
    };

    private static readonly Dictionary<string, (MessageKind Kind, StaffNoticeModel Model)> StaffNotices = new()
    {
        ["staff-crisis-alert"] = (MessageKind.StaffCrisisAlert, new StaffNoticeModel(
            PracticeName, new Uri("https://care.example/dashboard/requests/0197a000-0000-7000-8000-00000000000a"), ReceivedAt: "at 14:05 on Tuesday 1 December (America/Chicago time)")),
        ["staff-waiting-note"] = (MessageKind.StaffWaitingNote, new StaffNoticeModel(
            PracticeName, new Uri("https://care.example/dashboard"), Waiting: new WaitingCounts(UnderADay: 2, OneToThreeDays: 1, OverThreeDays: 1))),
        ["therapist-offer-answer.picked"] = (MessageKind.TherapistOfferAnswer, new StaffNoticeModel(
            PracticeName, new Uri("https://care.example/dashboard/requests/0197a000-0000-7000-8000-00000000000b"), OfferAnswer: Domain.Scheduling.OfferStatus.Picked)),
        ["therapist-offer-answer.none-work"] = (MessageKind.TherapistOfferAnswer, new StaffNoticeModel(
            PracticeName, new Uri("https://care.example/dashboard/requests/0197a000-0000-7000-8000-00000000000b"), OfferAnswer: Domain.Scheduling.OfferStatus.NoneWork)),
        ["therapist-session-note.cancelled-by-person"] = (MessageKind.TherapistSessionNote, new StaffNoticeModel(
            PracticeName, new Uri("https://care.example/dashboard"), SessionNote: new SessionNote(SessionNoteKind.CancelledByPerson, "Thursday 17 March 2027, 10:00 (America/Chicago time)"))),
        ["therapist-session-note.another-time-asked"] = (MessageKind.TherapistSessionNote, new StaffNoticeModel(
            PracticeName, new Uri("https://care.example/dashboard"), SessionNote: new SessionNote(SessionNoteKind.AnotherTimeAsked, "Thursday 17 March 2027, 10:00 (America/Chicago time)"))),
        ["therapist-session-note.cancelled-by-erasure"] = (MessageKind.TherapistSessionNote, new StaffNoticeModel(
            PracticeName, new Uri("https://care.example/dashboard"), SessionNote: new SessionNote(SessionNoteKind.CancelledByErasure, "Thursday 17 March 2027, 10:00 (America/Chicago time)"))),
    };

    public static TheoryData<string> PersonMessageNames() => [.. PersonMessages.Keys];

    public static TheoryData<string> EveryMessageName() => [.. PersonMessages.Keys, .. StaffNotices.Keys];

    [Theory]
    [MemberData(nameof(EveryMessageName))]
    public void Message_ReadsExactlyAsApproved(string name)
    {
        var message = StaffNotices.TryGetValue(name, out var notice)
            ? MessageTemplates.RenderStaffNotice(notice.Kind, notice.Model)
            : Render(name);
        var rendered = $"Subject: {message.Subject}\n\n----- text -----\n{message.Text}\n----- html -----\n{message.Html}";

        var approvedFile = Path.Combine(ApprovedDirectory, name + ".approved.txt");
        var receivedFile = Path.Combine(ApprovedDirectory, name + ".received.txt");
        var approved = File.Exists(approvedFile) ? File.ReadAllText(approvedFile) : null;
        if (approved != rendered)
        {
            File.WriteAllText(receivedFile, rendered);
            Assert.Fail(approved is null
                ? $"No approved wording for '{name}'. Read {receivedFile}; if every word is right, rename it to {name}.approved.txt and commit it."
                : $"'{name}' no longer reads as approved. Compare {receivedFile} with {approvedFile}; if the new wording is right, replace the approved file with it.");
        }

        File.Delete(receivedFile);
    }

    [Fact]
    public void EveryApprovedFile_BelongsToAMessage()
    {
        var names = Directory.GetFiles(ApprovedDirectory, "*.approved.txt").Select(f => Path.GetFileName(f)[..^".approved.txt".Length]);

        Assert.Empty(names.Except(PersonMessages.Keys).Except(StaffNotices.Keys));
    }

    [Theory]
    [MemberData(nameof(EveryMessageName))]
    public void Message_PassesTheToneGuard_InSubjectTextAndHtml(string name)
    {
        var message = StaffNotices.TryGetValue(name, out var notice) ? MessageTemplates.RenderStaffNotice(notice.Kind, notice.Model) : Render(name);

        Assert.Empty(Domain.Messages.ToneGuard.Violations(message.Subject));
        Assert.Empty(Domain.Messages.ToneGuard.Violations(message.Text));
        Assert.Empty(Domain.Messages.ToneGuard.Violations(VisibleText(message.Html)));
    }

    [Theory]
    [MemberData(nameof(PersonMessageNames))]
    public void Message_SaysNoNeedToReply(string name)
    {
        var message = Render(name);

        Assert.Contains("No need to reply", message.Text, StringComparison.Ordinal);
        Assert.Contains("No need to reply", VisibleText(message.Html), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(PersonMessageNames))]
    public void Message_CarriesItsWaysOut_InTextAndHtml(string name)
    {
        var message = Render(name);
        var expected = PersonMessages[name].Kind switch
        {
            MessageKind.AddressConfirmation => new[] { Links.Stop, Links.EraseMyData, Links.ConfirmAddress! },
            MessageKind.OfferOfTimes => [Links.Offer!, Links.Stop, Links.Pause, Links.ChangePace, Links.NotNow, Links.EraseMyData],
            MessageKind.BookingConfirmed or MessageKind.SessionBooked or MessageKind.SessionMoved or MessageKind.SessionReminder =>
                [Links.Manage!, Links.Reminders!, Links.Stop, Links.Pause, Links.ChangePace, Links.NotNow, Links.EraseMyData],
            _ => [Links.Stop, Links.Pause, Links.ChangePace, Links.NotNow, Links.EraseMyData],
        };

        foreach (var link in expected)
        {
            Assert.Contains(link.AbsoluteUri, message.Text, StringComparison.Ordinal);
            Assert.Contains($"<a href=\"{WebUtility.HtmlEncode(link.AbsoluteUri)}\">", message.Html, StringComparison.Ordinal);
        }

        var allowed = expected.Select(l => WebUtility.HtmlEncode(l.AbsoluteUri)).ToHashSet(StringComparer.Ordinal);
        Assert.All(Href().Matches(message.Html), m => Assert.Contains(m.Groups[1].Value, allowed));
    }

    [Theory]
    [MemberData(nameof(PersonMessageNames))]
    public void Message_HasAPlainPrivateSubject_AndComesFromANamedPerson(string name)
    {
        var message = Render(name);

        Assert.DoesNotContain("!", message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(RecipientName, message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(PracticeName, message.Subject, StringComparison.Ordinal);
        Assert.InRange(message.Subject.Length, 1, 60);
        Assert.StartsWith($"Hello {RecipientName},", message.Text, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(message.Text, RecipientName));
        Assert.Contains($"{SignerName}\n{PracticeName}", message.Text, StringComparison.Ordinal);
        Assert.Equal(PersonMessages[name].Kind == MessageKind.Personal ? 1 : 0, Occurrences(message.Text, PersonalMarker));
    }

    [Theory]
    [MemberData(nameof(EveryMessageName))]
    public void Message_IsSimpleSelfContainedHtml(string name)
    {
        var html = (StaffNotices.TryGetValue(name, out var notice) ? MessageTemplates.RenderStaffNotice(notice.Kind, notice.Model) : Render(name)).Html;

        foreach (var banned in new[] { "<script", "<img", "<link", "<style", "<iframe", "<form", "src=", "url(", "@import", "javascript:" })
        {
            Assert.DoesNotContain(banned, html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void StaffNotices_HoldNoPersonalDetails()
    {
        foreach (var (kind, model) in StaffNotices.Values)
        {
            var message = MessageTemplates.RenderStaffNotice(kind, model);

            Assert.DoesNotContain(RecipientName, message.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("@", message.Text, StringComparison.Ordinal);
            Assert.Contains("sign-in needed", message.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ThePracticesOwnWording_ReplacesOurs_WhereItIsGiven()
    {
        string Text(MessageKind kind) => MessageTemplates.Render(kind, Model(Pace.Gentle, null) with { Wording = CalmWording }).Text;

        Assert.Contains(CalmWording.AcknowledgementIntro!, Text(MessageKind.Acknowledgement), StringComparison.Ordinal);
        Assert.Contains(CalmWording.CheckInIntro!, Text(MessageKind.GentleCheckIn), StringComparison.Ordinal);
        Assert.Contains(CalmWording.CheckInIntro!, Text(MessageKind.ScheduledCheckIn), StringComparison.Ordinal);
        Assert.Contains(CalmWording.ClosingNoteIntro!, Text(MessageKind.ClosingNote), StringComparison.Ordinal);
        Assert.Contains($"With care,\n{SignerName}", Text(MessageKind.Personal), StringComparison.Ordinal);
        Assert.DoesNotContain("Warmly,", Text(MessageKind.Acknowledgement), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EncodesEveryValueFromOutside_InHtml()
    {
        var model = Model(Pace.Gentle, null) with
        {
            RecipientName = "<script>alert('x')</script>",
            SignerName = "Ana <b>Lee</b>",
            PracticeName = "Oak & Elm",
            PersonalBody = "Line <i>one</i>\nline two\n\nSecond paragraph",
        };

        var html = MessageTemplates.Render(MessageKind.Personal, model).Html;

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Ana &lt;b&gt;Lee&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Oak &amp; Elm", html, StringComparison.Ordinal);
        Assert.Contains("Line &lt;i&gt;one&lt;/i&gt;<br>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_KeepsLineBreaksFromConfiguredNamesOutOfTheSubject()
    {
        var subject = MessageTemplates.Render(MessageKind.Personal, Model(Pace.Gentle, null) with { SignerName = "Ana\r\nBcc: someone@example.com" }).Subject;

        Assert.DoesNotContain('\r', subject);
        Assert.DoesNotContain('\n', subject);
    }

    [Fact]
    public void Render_Refuses_AnOutcomeWithoutAReason_APersonalMessageWithoutABody_OrAConfirmationWithoutItsLink()
    {
        Assert.Throws<ArgumentException>(() => MessageTemplates.Render(MessageKind.Outcome, Model(Pace.Gentle, null)));
        Assert.Throws<ArgumentException>(() => MessageTemplates.Render(MessageKind.Personal, Model(Pace.Gentle, null) with { PersonalBody = " " }));
        Assert.Throws<ArgumentException>(() => MessageTemplates.Render(MessageKind.AddressConfirmation, Model(Pace.Gentle, null) with { Links = Links with { ConfirmAddress = null } }));
    }

    [Fact]
    public void WordingViolations_FlagsPushyPracticeWording_AndPassesCalmWording()
    {
        var violations = MessageTemplates.WordingViolations(CalmWording with { CheckInIntro = "Reply by Friday!!" }).ToList();

        Assert.Contains("CheckInIntro: countdown or deadline: \"reply by\"", violations);
        Assert.Contains("CheckInIntro: repeated exclamation marks: \"!!\"", violations);
        Assert.All(violations, v => Assert.StartsWith("CheckInIntro: ", v, StringComparison.Ordinal));
        Assert.Empty(MessageTemplates.WordingViolations(CalmWording));
    }

    private static RenderedMessage Render(string name)
    {
        var (kind, pace, reason) = PersonMessages[name];
        return MessageTemplates.Render(kind, Model(pace, reason));
    }

    private static MessageModel Model(Pace pace, CloseReason? reason) => new(
        RecipientName: RecipientName,
        SignerName: SignerName,
        PracticeName: PracticeName,
        CrisisResources: CrisisResources,
        Links: Links,
        Pace: pace,
        OutcomeReason: reason,
        PersonalBody: $"I had a look at my week and wanted to say hello. {PersonalMarker}\n\nTake care of yourself.",
        Wording: null,
        Offer: new OfferWords("Ines", "by video", ["Wednesday 16 March 2027, 10:00 (America/Chicago time)", "Thursday 17 March 2027, 10:00 (America/Chicago time)"]),
        Session: new SessionWords("Ines", "Thursday 17 March 2027, 10:00 (America/Chicago time)", "by video, at https://video.example/ines"));

    private static string ApprovedDirectory { get; } = Path.Combine(TestPostgres.RepositoryRoot(), "tests", "PracticeBackend.Api.Tests", "Approved");

    private static string VisibleText(string html) => WebUtility.HtmlDecode(Tag().Replace(html, " "));

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Href();
}
