namespace PracticeBackend.Domain.Intake;

/// <summary>The request's state machine: which staff actions are allowed from which state.</summary>
public static class IntakeTransitions
{
    public static bool CanAssign(IntakeStatus status) => status is IntakeStatus.Submitted or IntakeStatus.InConversation;

    public static bool CanClose(IntakeStatus status) => status is not (IntakeStatus.Closed or IntakeStatus.Booked);

    /// <summary>Assigning a submitted request starts the conversation; re-assigning keeps the state.</summary>
    public static IntakeStatus AfterAssign(IntakeStatus status) =>
        status == IntakeStatus.Submitted ? IntakeStatus.InConversation : status;
}
