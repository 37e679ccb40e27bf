namespace PracticeBackend.Domain.Pacing;

/// <summary>What a message to a person is for. The pacing policy's caps depend on it (DESIGN.md "Pacing policy").</summary>
public enum MessageKind
{
    Acknowledgement = 1,
    GentleCheckIn = 2,
    ClosingNote = 3,
    ScheduledCheckIn = 4,
    Outcome = 5,
    Personal = 6,
}

public static class MessageKinds
{
    /// <summary>Messages about what the person did or asked for: they skip the weekly cap, never the stop/pause checks.</summary>
    public static bool IsTransactional(this MessageKind kind) => kind is MessageKind.Acknowledgement or MessageKind.Outcome;

    /// <summary>Messages automation sends unprompted; at most <see cref="PacingPolicy.HardCapPerRequest"/> per request, ever.</summary>
    public static bool IsAutomatedFollowUp(this MessageKind kind) =>
        kind is MessageKind.GentleCheckIn or MessageKind.ClosingNote or MessageKind.ScheduledCheckIn;

    /// <summary>Messages that count toward "at most one per person per 7 days" — a therapist's personal note included.</summary>
    public static bool IsNonTransactional(this MessageKind kind) => kind.IsAutomatedFollowUp() || kind == MessageKind.Personal;

    public static string ToWire(this MessageKind kind) => kind switch
    {
        MessageKind.Acknowledgement => "acknowledgement",
        MessageKind.GentleCheckIn => "gentle-check-in",
        MessageKind.ClosingNote => "closing-note",
        MessageKind.ScheduledCheckIn => "scheduled-check-in",
        MessageKind.Outcome => "outcome",
        MessageKind.Personal => "personal",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
