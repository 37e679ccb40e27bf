namespace PracticeBackend.Domain.Contacts;

/// <summary>Whether we may write to a person at all. Anything but Open stops every non-transactional message.</summary>
public enum ContactStatus
{
    Open = 1,
    Paused = 2,
    Stopped = 3,
    Bounced = 4,
}
