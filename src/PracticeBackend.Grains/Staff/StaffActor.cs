using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Staff;

/// <summary>
/// Who is acting, passed explicitly into every staff command: grain calls do not carry the HTTP
/// user, and need-to-know is checked where the data is, not only at the endpoint.
/// </summary>
[GenerateSerializer, Immutable, Alias("practice.staff-actor")]
public sealed record StaffActor(
    [property: Id(0)] Guid UserId,
    [property: Id(1)] string Role,
    [property: Id(2)] Guid? TherapistId,
    [property: Id(3)] string? RequestId,
    [property: Id(4)] bool UnassignedPoolVisible)
{
    /// <summary>The application itself (a scheduled job), recorded in the audit trail without a user.</summary>
    public const string SystemRole = "System";

    public bool IsAdmin => Role == StaffRoles.Admin;

    public bool IsSystem => Role == SystemRole;

    public static StaffActor System(string jobName) => new(Guid.Empty, SystemRole, null, jobName, false);

    /// <summary>The application's own jobs act for the whole practice, as an admin would.</summary>
    public Viewer Viewer => new(IsAdmin || IsSystem, TherapistId, UnassignedPoolVisible);

    public bool MaySee(IntakeRequest request) => NeedToKnow.MaySee(Viewer, request.AssignedTherapistId);

    public AuditEvent Audit(DateTime at, string action, string subjectType, Guid? subjectId, string outcome) => new()
    {
        At = at,
        ActorUserId = IsSystem ? null : UserId,
        ActorRole = Role,
        Action = action,
        SubjectType = subjectType,
        SubjectId = subjectId,
        RequestId = RequestId,
        Outcome = outcome,
    };
}

/// <summary>The outcome of a staff command. NotFound also covers "exists but not yours" (never 403 with details).</summary>
public enum StaffCommandOutcome
{
    Done = 1,
    NotFound = 2,
    NotAllowedInThisState = 3,
    NotPermitted = 4,
    UnknownTherapist = 5,
}

[GenerateSerializer, Immutable, Alias("practice.staff-command-result")]
public sealed record StaffCommandResult([property: Id(0)] StaffCommandOutcome Outcome);

public static class AuditActions
{
    public const string IntakeRead = "intake.read";
    public const string IntakeAssign = "intake.assign";
    public const string IntakeClose = "intake.close";
    public const string PersonalMessage = "intake.personal-message";
    public const string IntakeReplied = "intake.replied";
    public const string IntakeBooked = "intake.booked";
    public const string AppointmentBook = "appointment.book";
    public const string AppointmentReschedule = "appointment.reschedule";
    public const string AppointmentCancel = "appointment.cancel";
    public const string AppointmentComplete = "appointment.complete";
    public const string AppointmentNoShow = "appointment.no-show";
    public const string OfferMake = "offer.make";
    public const string OfferAnswer = "offer.answer";
    public const string OfferLapse = "offer.lapse";

    /// <summary>A calendar app read a therapist's feed (it holds people's initials).</summary>
    public const string CalendarFeedRead = "calendar-feed.read";

    /// <summary>Staff opened a therapist's week on the dashboard (it shows people's initials).</summary>
    public const string CalendarRead = "calendar.read";
    public const string ClientExport = "client.export";
    public const string ClientErase = "client.erase";
    public const string ClientPurge = "client.retention-purge";
    public const string AuditRead = "audit.read";
    public const string SignIn = "auth.sign-in";
    public const string SignInFailed = "auth.sign-in-failed";
    public const string LockedOut = "auth.locked-out";
    public const string SignOut = "auth.sign-out";
    public const string StaffInvite = "staff.invite";
    public const string TwoFactorEnabled = "auth.2fa-enabled";
}

public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Denied = "denied";
    public const string NotFound = "not-found";
    public const string Failed = "failed";
}

public static class AuditSubjects
{
    public const string IntakeRequest = "intake-request";
    public const string Appointment = "appointment";
    public const string Offer = "offer";
    public const string Client = "client";
    public const string StaffUser = "staff-user";
    public const string Therapist = "therapist";
}
