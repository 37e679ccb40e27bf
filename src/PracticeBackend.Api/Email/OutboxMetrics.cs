using System.Diagnostics.Metrics;
using PracticeBackend.Domain.Messages;

namespace PracticeBackend.Api.Email;

/// <summary>What became of each send, for operators (ADR 0014); the one label is the outcome, never whose message.</summary>
public sealed class OutboxMetrics
{
    private readonly Counter<long> _sends;

    public OutboxMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("PracticeBackend.Outbox");
        _sends = meter.CreateCounter<long>("practice.outbox.sends",
            description: "Outbox messages handed to the mail server, by outcome: sent; retry (a transient failure, tried again later); " +
                "failed (rejected, or retried past the budget); uncertain (it may have arrived: never resent by itself).");
    }

    /// <summary>Counts a send by the status its outcome was recorded as.</summary>
    public void Recorded(MessageStatus status) => _sends.Add(1, new KeyValuePair<string, object?>("outcome", status switch
    {
        MessageStatus.Sent => "sent",
        MessageStatus.Planned => "retry",
        MessageStatus.Failed => "failed",
        MessageStatus.Uncertain => "uncertain",
        _ => "other",
    }));
}
