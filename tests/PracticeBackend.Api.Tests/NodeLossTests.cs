using System.Diagnostics;
using System.Net;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A node killed without a shutdown (SIGKILL: a crash, an OOM kill, a pulled plug): the other node declares it
/// dead through the membership table, and the requests whose grains lived on it answer from the surviving node
/// with everything they had (their state is loaded again from PostgreSQL), and take new changes.
/// </summary>
[Trait("Category", "Faults")]
[Collection(Faults.FaultSuite.Name)]
public sealed class NodeLossTests(TwoNodes cluster) : IClassFixture<TwoNodes>
{
    private const int Dead = 6;

    [Fact]
    public async Task ANodeKilled_IsDeclaredDead_AndItsRequestsAnswerFromTheOtherNodeWithTheirState()
    {
        var (survivor, doomed) = (cluster.Nodes[0], cluster.Nodes[1]);
        using var onDoomed = await ClusterNodes.SignInAsync(doomed);
        var first = await ClusterNodes.TherapistAsync(onDoomed, "Before The Crash");
        var second = await ClusterNodes.TherapistAsync(onDoomed, "After The Crash");

        // Sent and changed through the node that will die, so that their grains are active there: the request's
        // and the person's grains are placed on the node that first asks for them (PreferLocalPlacement, ADR 0017).
        var requests = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            var intake = await ClusterNodes.SubmitIntakeAsync(doomed);
            Assert.Equal(HttpStatusCode.NoContent, (await onDoomed.AssignAsync(intake, first)).StatusCode);
            requests.Add(intake);
        }

        var membersBefore = await cluster.MembersAsync();
        await doomed.KillAsync();

        var declared = Stopwatch.StartNew();
        while (!(await cluster.MembersAsync()).Any(m => m.Status == Dead))
        {
            Assert.True(declared.Elapsed < TimeSpan.FromSeconds(90), "the killed node was not declared dead within a minute and a half:\n" + survivor.Output);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var membersAfter = await cluster.MembersAsync();
        Assert.Equal(2, membersBefore.Count(m => m.Status == 3));
        Assert.Single(membersAfter, m => m.Status == 3);

        using var onSurvivor = await ClusterNodes.SignInAsync(survivor);
        foreach (var intake in requests)
        {
            Assert.Equal(first, (await ClusterNodes.DetailAsync(onSurvivor, intake)).GetProperty("assignedTherapistId").GetGuid());
            Assert.Equal(HttpStatusCode.NoContent, (await onSurvivor.AssignAsync(intake, second)).StatusCode);
            Assert.Equal(second, (await ClusterNodes.DetailAsync(onSurvivor, intake)).GetProperty("assignedTherapistId").GetGuid());
        }

        await ClusterNodes.SubmitIntakeAsync(survivor);
    }
}
