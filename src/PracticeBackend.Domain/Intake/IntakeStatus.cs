namespace PracticeBackend.Domain.Intake;

/// <summary>Where a request stands. Every path ends with an outcome message to the person (DESIGN.md).</summary>
public enum IntakeStatus
{
    Submitted = 1,
    InConversation = 2,
    TimesOffered = 3,
    Booked = 4,
    Closed = 5,
}

public static class IntakeStatusNames
{
    public static string ToWire(this IntakeStatus status) => status switch
    {
        IntakeStatus.Submitted => "submitted",
        IntakeStatus.InConversation => "in-conversation",
        IntakeStatus.TimesOffered => "times-offered",
        IntakeStatus.Booked => "booked",
        IntakeStatus.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
