namespace PracticeBackend.Api.Tests.Faults;

/// <summary>
/// The fault suite's classes run one after another, not beside each other: each starts servers or app processes
/// of its own and waits out real time (an outage, Orleans' death detection), and on 2 cores several at once would
/// starve each other into failures that are not ours (a node suspected for being slow, not dead).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultSuite
{
    public const string Name = "fault suite";
}
