using System.Globalization;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using MimeKit;

namespace PracticeBackend.Api.Email;

/// <summary>
/// The calendar invite a confirmation carries (iMIP, RFC 6047): one event per appointment whose UID is the
/// appointment's id (stable across every change, and holding nothing about anyone), SEQUENCE the
/// appointment's own (bumped on every change), times in UTC, no reason for the visit. REQUEST for a booking
/// or a move, CANCEL with STATUS:CANCELLED for a cancellation; the MIME part's method always equals METHOD.
/// </summary>
public static class CalendarInvite
{
    public const string Request = "REQUEST";
    public const string Cancel = "CANCEL";

    /// <param name="organizer">The practice's sending address: replies and cancellations are checked against it.</param>
    /// <param name="attendee">The person's address, the one the email goes to.</param>
    public static string Render(
        string method,
        Guid appointmentId,
        int sequence,
        DateTimeOffset start,
        DateTimeOffset end,
        string summary,
        string location,
        MailboxAddress organizer,
        string attendee,
        DateTimeOffset stamp)
    {
        var calendar = new Ical.Net.Calendar { Method = method, ProductId = "-//PracticeBackend//Scheduling//EN" };
        var cancelled = method == Cancel;
        var session = new CalendarEvent
        {
            Uid = appointmentId.ToString(),
            Sequence = sequence,
            DtStamp = new CalDateTime(stamp.UtcDateTime),
            DtStart = new CalDateTime(start.UtcDateTime),
            DtEnd = new CalDateTime(end.UtcDateTime),
            Summary = summary,
            Location = location,
            Status = cancelled ? "CANCELLED" : "CONFIRMED",
            Class = "PRIVATE",
            Transparency = "OPAQUE",
            Organizer = new Organizer("mailto:" + organizer.Address) { CommonName = organizer.Name },
        };
        session.Attendees.Add(new Attendee("mailto:" + attendee)
        {
            ParticipationStatus = cancelled ? "DECLINED" : "ACCEPTED",
            Rsvp = false,
            Role = "REQ-PARTICIPANT",
        });
        calendar.Events.Add(session);
        return new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("The invite did not serialize.");
    }

    /// <summary>
    /// The message body with the invite: text and HTML, and the calendar part beside them (so mail clients
    /// show it as an invitation), and the same invite as an <c>invite.ics</c> attachment for those that only
    /// offer attachments. Base64, since a folded quoted-printable calendar has broken clients.
    /// </summary>
    public static MimeEntity Attach(RenderedMessage rendered, string method, string ics)
    {
        var alternative = new MultipartAlternative
        {
            new TextPart("plain") { Text = rendered.Text },
            new TextPart("html") { Text = rendered.Html },
            CalendarPart(ics, method, attachment: false),
        };
        return new Multipart("mixed") { alternative, CalendarPart(ics, method, attachment: true) };
    }

    private static MimePart CalendarPart(string ics, string method, bool attachment)
    {
        var part = new MimePart("text", "calendar")
        {
            Content = new MimeContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ics))),
            ContentTransferEncoding = ContentEncoding.Base64,
        };
        part.ContentType.Charset = "utf-8";
        part.ContentType.Parameters.Add("method", method);
        if (attachment)
        {
            part.ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = "invite.ics" };
        }

        return part;
    }

    /// <summary>"Monday 15 March 2027, 10:00 (America/New_York time)": a session's start as the person would say it.</summary>
    public static string InWords(DateTimeOffset instant, string timeZone)
    {
        var zone = Domain.Contacts.IanaTimeZone.Find(timeZone);
        var local = NodaTime.Instant.FromDateTimeOffset(instant).InZone(zone);
        return local.ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture) + $" ({zone.Id} time)";
    }
}
