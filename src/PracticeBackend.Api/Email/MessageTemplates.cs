using System.Net;
using System.Text;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Api.Email;

/// <summary>
/// The person's one-click links. Every message to them carries stop and erase; all but the address
/// confirmation also carry pause, change pace and not now; the address confirmation carries its own
/// "yes, it was me" link.
/// </summary>
public sealed record MessageLinks(Uri Stop, Uri Pause, Uri ChangePace, Uri NotNow, Uri EraseMyData, Uri? ConfirmAddress = null, Uri? Offer = null, Uri? Manage = null, Uri? Reminders = null);

/// <summary>An offer of times, in the person's own zone: who, how, when. The link opens the page where they answer.</summary>
/// <param name="Format">"by video" or "in person".</param>
/// <param name="Times">Each time as the person would say it, in their zone.</param>
public sealed record OfferWords(string TherapistFirstName, string Format, IReadOnlyList<string> Times);

/// <summary>A booked session, in the person's own zone: when, where, with whom.</summary>
public sealed record SessionWords(string TherapistFirstName, string When, string Where);

/// <summary>
/// What a template may know about the person: only what it needs to greet them and to let them stop.
/// Never the reason they wrote, anything from their message, or their time zone.
/// </summary>
public sealed record MessageModel(
    string? RecipientName,
    string SignerName,
    string PracticeName,
    string CrisisResources,
    MessageLinks Links,
    Pace Pace,
    CloseReason? OutcomeReason,
    string? PersonalBody,
    PracticeWording? Wording,
    OfferWords? Offer = null,
    SessionWords? Session = null);

/// <summary>
/// A practice's own sentences. Each non-blank one replaces the default; each must pass
/// <see cref="MessageTemplates.WordingViolations"/> before it is saved. <see cref="Signature"/> is the
/// sign-off line ("Warmly,"); the signer's name and the practice's name always follow it.
/// </summary>
public sealed record PracticeWording(string? AcknowledgementIntro = null, string? CheckInIntro = null, string? ClosingNoteIntro = null, string? Signature = null);

public sealed record RenderedMessage(string Subject, string Text, string Html);

/// <summary>What a staff notice may say: no PHI.</summary>
/// <param name="ReceivedAt">When the request arrived, in words and in the practice's zone (crisis alerts).</param>
/// <param name="Link">Where signed-in staff open it.</param>
/// <param name="OfferAnswer">For an answer to a therapist's offer: what the person chose (picked, or none work).</param>
/// <param name="SessionNote">For a note about a session: what happened to it (the person cancelled, asked for another time, or was erased).</param>
public sealed record StaffNoticeModel(string PracticeName, Uri Link, string? ReceivedAt = null, WaitingCounts? Waiting = null, Domain.Scheduling.OfferStatus? OfferAnswer = null, SessionNote? SessionNote = null);

/// <summary>What a therapist is told about one of their sessions, in words that carry nothing of the person.</summary>
/// <param name="When">The session's start in the therapist's zone.</param>
public sealed record SessionNote(SessionNoteKind Kind, string When);

public enum SessionNoteKind
{
    CancelledByPerson = 1,
    AnotherTimeAsked = 2,
    CancelledByErasure = 3,
}

/// <summary>Requests waiting for a first human reply, by how long they have waited.</summary>
public sealed record WaitingCounts(int UnderADay, int OneToThreeDays, int OverThreeDays)
{
    public int Total => UnderADay + OneToThreeDays + OverThreeDays;
}

/// <summary>
/// The words that reach people who wrote to the practice: short, from a named person, with no pressure,
/// "No need to reply" on everything we send unprompted, and the way out (pause, not now, stop, erase)
/// as easy to see as anything we ask. Subjects stay plain and never name the practice or the person,
/// because a subject line shows on a lock screen.
/// </summary>
public static class MessageTemplates
{
    private const string DefaultAcknowledgementIntro = "Thank you for writing to us. Your message arrived safely.";
    private const string DefaultCheckInIntro = "Just checking in.";
    private const string DefaultClosingNoteIntro = "A short note to say we'll leave things here for now.";
    private const string DefaultSignature = "Warmly,";

    public static RenderedMessage Render(MessageKind kind, MessageModel model)
    {
        var wording = model.Wording;
        var (subject, body) = kind switch
        {
            MessageKind.Acknowledgement => Acknowledgement(model, wording),
            MessageKind.GentleCheckIn => GentleCheckIn(model, wording),
            MessageKind.ClosingNote => ClosingNote(wording),
            MessageKind.ScheduledCheckIn => ScheduledCheckIn(model, wording),
            MessageKind.Outcome => Outcome(model.OutcomeReason
                ?? throw new ArgumentException("An outcome message needs a close reason.", nameof(model))),
            MessageKind.Personal => Personal(model),
            MessageKind.ClosedAtTheirRequest => ClosedAtTheirRequest(),
            MessageKind.AddressConfirmation => AddressConfirmation(model),
            MessageKind.OfferOfTimes => OfferOfTimes(model),
            MessageKind.ReleasedHold => ReleasedHold(model),
            MessageKind.BookingConfirmed => BookingConfirmed(model),
            MessageKind.OtherTimesAsked => OtherTimesAsked(model),
            MessageKind.SessionBooked => SessionBooked(model),
            MessageKind.SessionMoved => SessionMoved(model),
            MessageKind.SessionCancelled => SessionCancelled(model),
            MessageKind.SessionReminder => SessionReminder(model),
            MessageKind.CancelledAtTheirRequest => CancelledAtTheirRequest(model),
            MessageKind.AnotherTimeAsked => AnotherTimeAsked(model),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a message to the person; staff notices have their own renderer."),
        };

        var paragraphs = new List<Paragraph> { Greeting(model.RecipientName) };
        paragraphs.AddRange(body);
        paragraphs.Add(new(
            Words(Override(wording?.Signature) ?? DefaultSignature), Break,
            Words(model.SignerName), Break,
            Words(model.PracticeName)));

        var footer = kind == MessageKind.AddressConfirmation ? ShortFooter(model.Links) : Footer(model.Links);
        var plainSubject = OneLine(subject);
        return new RenderedMessage(plainSubject, RenderText(paragraphs, footer), RenderHtml(plainSubject, paragraphs, footer));
    }

    /// <summary>
    /// A note to the practice's on-duty address. It holds no PHI: no name, no address, nothing the person
    /// wrote; only that something needs a look, when, and where to sign in.
    /// </summary>
    public static RenderedMessage RenderStaffNotice(MessageKind kind, StaffNoticeModel model)
    {
        var (subject, body) = kind switch
        {
            MessageKind.StaffCrisisAlert => ("A request needs a prompt look", new Paragraph[]
            {
                new(Words($"A request that arrived {model.ReceivedAt} contains words that may describe an emergency. "
                    + "It is at the top of the queue; please look at it soon.")),
                new(new Link("Open the request (sign-in needed)", model.Link)),
                new(Words("This email holds no details of the person or of what they wrote.")),
            }),
            MessageKind.StaffWaitingNote => ("Requests waiting for a first reply", new Paragraph[]
            {
                new(Words(model.Waiting is { } waiting
                    ? $"{Count(waiting.Total, "request is", "requests are")} waiting for a first reply from someone at the practice. "
                        + $"Less than a day: {waiting.UnderADay}. One to three days: {waiting.OneToThreeDays}. More than three days: {waiting.OverThreeDays}."
                    : throw new ArgumentException("A waiting note needs its counts.", nameof(model)))),
                new(new Link("Open the queue (sign-in needed)", model.Link)),
                new(Words("This daily note is sent only on days when someone is waiting; it can be turned off in the practice's settings.")),
            }),
            MessageKind.TherapistOfferAnswer => ("An answer to your offer of times", new Paragraph[]
            {
                new(Words(model.OfferAnswer switch
                {
                    Domain.Scheduling.OfferStatus.Picked => "A person you offered times to has picked one. The session is on your calendar.",
                    Domain.Scheduling.OfferStatus.NoneWork => "A person you offered times to says none of them work, and would like others. Their request is back in your queue, with the times they usually have.",
                    _ => throw new ArgumentException("A therapist hears of a pick or of none-work.", nameof(model)),
                })),
                new(new Link("Open the request (sign-in needed)", model.Link)),
                new(Words("This email holds no details of the person or of what they wrote.")),
            }),
            MessageKind.TherapistSessionNote => ("About one of your sessions", new Paragraph[]
            {
                new(Words((model.SessionNote ?? throw new ArgumentException("A session note says what happened.", nameof(model))).Kind switch
                {
                    SessionNoteKind.CancelledByPerson => $"The person booked for {model.SessionNote.When} has cancelled the session. The time is free on your calendar again.",
                    SessionNoteKind.AnotherTimeAsked => $"The person booked for {model.SessionNote.When} would like another time. The session stays on your calendar until you move it; their request is back in your queue.",
                    _ => $"The session at {model.SessionNote.When} was cancelled because the person asked us to erase their details. They have been sent nothing; the time is free again.",
                })),
                new(new Link("Open the dashboard (sign-in needed)", model.Link)),
                new(Words("This email holds no details of the person or of what they wrote.")),
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a staff notice."),
        };

        var paragraphs = new List<Paragraph> { new(Words("Hello,")) };
        paragraphs.AddRange(body);
        paragraphs.Add(new(Words(model.PracticeName)));
        var footer = new Paragraph(Words(kind is MessageKind.TherapistOfferAnswer or MessageKind.TherapistSessionNote
            ? "Sent by the practice's own system to you, as the therapist concerned."
            : "Sent by the practice's own system to its on-duty address."));
        return new RenderedMessage(subject, RenderText(paragraphs, footer), RenderHtml(subject, paragraphs, footer));
    }

    private static string Count(int count, string one, string many) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    /// <summary>The practice's own sentences through the same <see cref="ToneGuard"/> as ours, each reason prefixed with its field.</summary>
    public static IEnumerable<string> WordingViolations(PracticeWording wording)
    {
        (string Field, string? Value)[] fields =
        [
            (nameof(PracticeWording.AcknowledgementIntro), wording.AcknowledgementIntro),
            (nameof(PracticeWording.CheckInIntro), wording.CheckInIntro),
            (nameof(PracticeWording.ClosingNoteIntro), wording.ClosingNoteIntro),
            (nameof(PracticeWording.Signature), wording.Signature),
        ];

        foreach (var (field, value) in fields)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var violation in ToneGuard.Violations(value))
            {
                yield return $"{field}: {violation}";
            }
        }
    }

    private static (string, Paragraph[]) Acknowledgement(MessageModel model, PracticeWording? wording) =>
        ("We received your message",
        [
            new(Words(Override(wording?.AcknowledgementIntro) ?? DefaultAcknowledgementIntro)),
            new(Words("No need to reply to this email.")),
            new(Words("What happens next: a person from our practice will read your message and follow the pace you chose. "
                + PaceInPlainWords(model.Pace))),
            new(Words("This inbox is not watched for emergencies. " + model.CrisisResources)),
        ]);

    private static (string, Paragraph[]) GentleCheckIn(MessageModel model, PracticeWording? wording) =>
        ("Just checking in",
        [
            new(Words(Override(wording?.CheckInIntro) ?? DefaultCheckInIntro)),
            new(Words("No need to reply. Whenever you're ready, we're here.")),
            Choices(model.Links),
        ]);

    private static (string, Paragraph[]) ScheduledCheckIn(MessageModel model, PracticeWording? wording) =>
        ("Checking in, as you asked",
        [
            new(Words(Override(wording?.CheckInIntro) ?? DefaultCheckInIntro)),
            new(Words("When you wrote to us, you asked us to check in with you around now, so here is a short note.")),
            new(Words("No need to reply. If now isn't a good time, that's completely fine; whenever you're ready, we're here.")),
            Choices(model.Links),
        ]);

    private static (string, Paragraph[]) ClosingNote(PracticeWording? wording) =>
        ("Leaving the door open",
        [
            new(Words(Override(wording?.ClosingNoteIntro) ?? DefaultClosingNoteIntro)),
            new(Words("We won't write again unless you do. The door stays open: if you'd like to talk, "
                + "next month or next year, you're welcome to write.")),
            new(Words("No need to reply.")),
        ]);

    private static (string, Paragraph[]) Outcome(CloseReason reason)
    {
        var (subject, sentences) = OutcomeWords(reason);
        return (subject, [new(Words(sentences)), new(Words("No need to reply."))]);
    }

    /// <summary>What closing a request for this reason tells the person (subject and words): the dashboard shows it before the close.</summary>
    public static (string Subject, string Sentences) OutcomeWords(CloseReason reason) => reason switch
    {
        CloseReason.NoResponse => ("About your request",
            "We're closing your request for now, so we won't write about it again. "
            + "You're welcome to write to us any time, whenever it suits you."),
        CloseReason.ReferredElsewhere => ("About your request",
            "We've suggested another practitioner who may be a better fit for you, and we hope it helps. "
            + "You're welcome to write to us again any time."),
        CloseReason.NotAFit => ("About your request",
            "Thank you for thinking of us. We've read your message carefully, and we don't think we're the right fit "
            + "for you this time. If it would help, write to us and we'll gladly suggest others who may be."),
        CloseReason.PersonDeclined => ("Thank you for letting us know",
            "Thank you for letting us know. We won't write again, and if you ever want to get in touch, the door is open."),
        CloseReason.Withdrew => ("We've closed your request",
            "We've closed your request, as you asked. We won't write again unless you do."),
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    private static (string, Paragraph[]) ClosedAtTheirRequest() =>
        ("Thank you for letting us know",
        [
            new(Words("We've closed your request, as you asked. We won't write again unless you do, "
                + "and if you ever want to get in touch, the door is open.")),
            new(Words("No need to reply.")),
        ]);

    /// <summary>
    /// "A stopped address writes again": the one message that may go to someone who said stop. It must not
    /// tell a stranger who used the address anything, and it asks nothing of the owner but an optional yes.
    /// </summary>
    private static (string, Paragraph[]) AddressConfirmation(MessageModel model) =>
        ("Did you write to us?",
        [
            new(Words("We received a message sent with this email address. Before we reply, we'd like to know it was you, "
                + "so we haven't replied, and we won't unless you tell us to.")),
            new(
                Words("If it was you and you'd like a reply, you can tell us here:"), Break,
                new Link("Yes, it was me, please reply", model.Links.ConfirmAddress
                    ?? throw new ArgumentException("An address confirmation needs its confirmation link.", nameof(model)))),
            new(Words("If it wasn't you, or you'd rather not hear from us, please ignore this email. We won't write again about it.")),
            new(Words("No need to reply.")),
            new(Words("This inbox is not watched for emergencies. " + model.CrisisResources)),
        ]);

    private static (string, Paragraph[]) OfferOfTimes(MessageModel model)
    {
        var offer = model.Offer ?? throw new ArgumentException("An offer of times needs its times.", nameof(model));
        var link = model.Links.Offer ?? throw new ArgumentException("An offer of times needs its link.", nameof(model));
        var times = offer.Times.SelectMany((time, i) => i == 0 ? new Part[] { Words(time) } : [Break, Words(time)]).ToArray();
        return ("Some times that could work",
        [
            new(Words($"{offer.TherapistFirstName} has set aside a few times for a first conversation, {offer.Format}:")),
            new(times),
            new(Words("If one of them suits you, you can choose it here. If none do, or now isn't the right time, the same page lets you say so:"), Break,
                new Link("See the times", link)),
            new(Words("There's no need to decide quickly. If these times pass, that's fine: you're welcome to ask for others whenever you like.")),
            new(Words("No need to reply.")),
        ]);
    }

    private static (string, Paragraph[]) ReleasedHold(MessageModel model) =>
        ("About the times we set aside",
        [
            new(Words($"The times {(model.Offer ?? throw new ArgumentException("A released-hold note names who set the times aside.", nameof(model))).TherapistFirstName} set aside for you have been released, so others can use them. Nothing else changes.")),
            new(Words("Whenever you'd like to talk, you're welcome to write, and we'll look for times again.")),
            new(Words("No need to reply.")),
        ]);

    private static (string, Paragraph[]) BookingConfirmed(MessageModel model)
    {
        var session = model.Session ?? throw new ArgumentException("A confirmation needs its session.", nameof(model));
        return ("Your session is confirmed",
        [
            new(Words($"Thank you. You chose {session.When}, with {session.TherapistFirstName}.")),
            new(Words($"Where: {session.Where}")),
            new(Words("A calendar invite is attached, if you'd like it in your own calendar.")),
            SessionLinks(model.Links),
            new(Words("No need to reply.")),
        ]);
    }

    private static SessionWords SessionOf(MessageModel model) =>
        model.Session ?? throw new ArgumentException("A message about a session needs the session.", nameof(model));

    private static (string, Paragraph[]) SessionBooked(MessageModel model)
    {
        var session = SessionOf(model);
        return ("A session is booked for you",
        [
            new(Words($"{session.TherapistFirstName} has booked a session with you: {session.When}.")),
            new(Words($"Where: {session.Where}")),
            new(Words("A calendar invite is attached. If the time doesn't suit you, that's fine: you can cancel or ask for another time.")),
            SessionLinks(model.Links),
            new(Words("No need to reply.")),
        ]);
    }

    private static (string, Paragraph[]) SessionMoved(MessageModel model)
    {
        var session = SessionOf(model);
        return ("Your session has a new time",
        [
            new(Words($"{session.TherapistFirstName} has moved your session. It is now {session.When}.")),
            new(Words($"Where: {session.Where}")),
            new(Words("The calendar invite attached replaces the earlier one. If the new time doesn't suit you, you can cancel or ask for another time.")),
            SessionLinks(model.Links),
            new(Words("No need to reply.")),
        ]);
    }

    private static (string, Paragraph[]) SessionCancelled(MessageModel model)
    {
        var session = SessionOf(model);
        return ("About your session",
        [
            new(Words($"{session.TherapistFirstName} has had to cancel your session on {session.When}. We're sorry for the change.")),
            new(Words("The calendar update attached takes it out of your calendar.")),
            new(Words("Whenever you'd like to find another time, you're welcome to write to us, and we'll find one together.")),
            new(Words("No need to reply.")),
        ]);
    }

    private static (string, Paragraph[]) SessionReminder(MessageModel model)
    {
        var session = SessionOf(model);
        return ("A note about your session",
        [
            new(Words($"A short reminder: your session with {session.TherapistFirstName} is on {session.When}.")),
            new(Words($"Where: {session.Where}")),
            SessionLinks(model.Links),
            new(Words("No need to reply.")),
        ]);
    }

    private static (string, Paragraph[]) CancelledAtTheirRequest(MessageModel model) =>
        ("Your session is cancelled",
        [
            new(Words($"We've cancelled your session on {SessionOf(model).When}, as you asked. The calendar update attached takes it out of your calendar.")),
            new(Words("If you'd like to find another time, whenever suits you, you're welcome to write.")),
            new(Words("No need to reply.")),
        ]);

    private static (string, Paragraph[]) AnotherTimeAsked(MessageModel model)
    {
        var session = SessionOf(model);
        return ("Thank you for letting us know",
        [
            new(Words($"Thank you for letting us know. Your session on {session.When} stays booked for now, and {session.TherapistFirstName} will look for another time and write to you.")),
            new(Words("No need to reply.")),
        ]);
    }

    // The session as it stands, and the way to quieten its reminders, side by side.
    private static Paragraph SessionLinks(MessageLinks links) => new(
        new Link("See, change or cancel this session", links.Manage ?? throw new ArgumentException("A message about a session carries its manage link.", nameof(links))), Break,
        new Link("Turn off session reminders", links.Reminders ?? throw new ArgumentException("A message about a session carries its reminders link.", nameof(links))));

    private static (string, Paragraph[]) OtherTimesAsked(MessageModel model) =>
        ("Thank you for letting us know",
        [
            new(Words($"Thank you for letting us know those times don't work. {(model.Offer ?? throw new ArgumentException("This note names who will look for other times.", nameof(model))).TherapistFirstName} will look for others and write when there are some. There's nothing else you need to do.")),
            new(Words("No need to reply.")),
        ]);

    private static (string, Paragraph[]) Personal(MessageModel model)
    {
        if (string.IsNullOrWhiteSpace(model.PersonalBody))
        {
            throw new ArgumentException("A personal message needs a body.", nameof(model));
        }

        var paragraphs = model.PersonalBody
            .ReplaceLineEndings("\n")
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(block => new Paragraph(block.Split('\n')
                .Select(line => line.Trim())
                .SelectMany((line, i) => i == 0 ? new Part[] { Words(line) } : [Break, Words(line)])
                .ToArray()))
            .Append(new Paragraph(Words("No need to reply unless you'd like to.")));

        return ($"A note from {model.SignerName}", paragraphs.ToArray());
    }

    private static string PaceInPlainWords(Pace pace) => pace switch
    {
        Pace.WhenReady => "You said you'd reach out when you're ready, so we won't write again unless you do.",
        Pace.Gentle => "You said a gentle check-in is fine, so we'll write at most once a week, and only a couple of times.",
        Pace.CheckIn2Weeks => "You asked to hear from us in about two weeks, so we'll write to you once, around then.",
        Pace.CheckIn1Month => "You asked to hear from us in about a month, so we'll write to you once, around then.",
        Pace.CheckIn3Months => "You asked to hear from us in about three months, so we'll write to you once, around then.",
        _ => throw new ArgumentOutOfRangeException(nameof(pace)),
    };

    private static Paragraph Greeting(string? recipientName) =>
        string.IsNullOrWhiteSpace(recipientName)
            ? new(Words("Hello,"))
            : new(Words($"Hello {recipientName.Trim()},"));

    // The one optional action and the two ways to say "not now", side by side and in the same type.
    private static Paragraph Choices(MessageLinks links) => new(
        Words("If you'd like to talk, reply to this email and we'll write back."), Break,
        new Link("Not now, thanks", links.NotNow), Break,
        new Link("Pause these emails", links.Pause));

    private static Paragraph ShortFooter(MessageLinks links) => new(
        new Link("Stop these emails", links.Stop), Break,
        new Link("Erase my data", links.EraseMyData));

    private static Paragraph Footer(MessageLinks links) => new(
        new Link("Not now / no thanks", links.NotNow), Break,
        new Link("Pause these emails", links.Pause), Break,
        new Link("Change how often we write", links.ChangePace), Break,
        new Link("Stop these emails", links.Stop), Break,
        new Link("Erase my data", links.EraseMyData));

    private static string RenderText(IEnumerable<Paragraph> paragraphs, Paragraph footer)
    {
        var text = new StringBuilder();
        foreach (var paragraph in paragraphs)
        {
            AppendText(text, paragraph);
            text.Append("\n\n");
        }

        text.Append("--\n");
        AppendText(text, footer);
        return text.Append('\n').ToString();
    }

    private static void AppendText(StringBuilder text, Paragraph paragraph)
    {
        foreach (var part in paragraph.Parts)
        {
            text.Append(part switch
            {
                Phrase words => words.Value,
                Link link => $"{link.Label}: {Address(link.Target)}",
                _ => "\n",
            });
        }
    }

    private static string RenderHtml(string subject, IEnumerable<Paragraph> paragraphs, Paragraph footer)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(subject))
            .Append("</title></head>\n<body style=\"margin:0;padding:16px;font-family:sans-serif;font-size:16px;line-height:1.5;color:#222;\">\n");
        foreach (var paragraph in paragraphs)
        {
            AppendHtml(html, paragraph);
        }

        html.Append("<hr style=\"border:0;border-top:1px solid #ccc;\">\n");
        AppendHtml(html, footer);
        return html.Append("</body>\n</html>\n").ToString();
    }

    private static void AppendHtml(StringBuilder html, Paragraph paragraph)
    {
        html.Append("<p>");
        foreach (var part in paragraph.Parts)
        {
            html.Append(part switch
            {
                Phrase words => WebUtility.HtmlEncode(words.Value),
                Link link => $"<a href=\"{WebUtility.HtmlEncode(Address(link.Target))}\">{WebUtility.HtmlEncode(link.Label)}</a>",
                _ => "<br>\n",
            });
        }

        html.Append("</p>\n");
    }

    private static string Address(Uri uri) => uri.IsAbsoluteUri ? uri.AbsoluteUri : uri.OriginalString;

    private static string? Override(string? sentence) => string.IsNullOrWhiteSpace(sentence) ? null : sentence.Trim();

    // A subject is a header: no line breaks from a configured name may reach it.
    private static string OneLine(string value) =>
        string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static Phrase Words(string value) => new(value);

    private static readonly LineBreak Break = new();

    private abstract record Part;

    private sealed record Phrase(string Value) : Part;

    private sealed record Link(string Label, Uri Target) : Part;

    private sealed record LineBreak : Part;

    private sealed record Paragraph(params Part[] Parts);
}
