namespace PracticeBackend.Domain.Messages;

/// <summary>
/// After a transient failure (nothing reached the server's DATA phase): try again after growing pauses,
/// for up to <see cref="Budget"/> since the first try (a mail relay down over a weekend still
/// delivers on Monday), then give up; staff see what failed. Failures after the content began
/// to flow are never retried (the message may have arrived).
/// </summary>
public static class RetryPolicy
{
    public static readonly TimeSpan Budget = TimeSpan.FromDays(3);

    private static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
    ];

    /// <param name="attempts">Attempts made so far, the failed one included (1 or more).</param>
    /// <returns>When to try again, or null to give up.</returns>
    public static DateTimeOffset? NextAttempt(int attempts, DateTimeOffset firstAttemptAt, DateTimeOffset now) =>
        now - firstAttemptAt < Budget ? now + Backoff[Math.Clamp(attempts, 1, Backoff.Length) - 1] : null;
}
