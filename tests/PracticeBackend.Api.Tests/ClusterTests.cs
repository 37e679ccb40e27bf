using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Three nodes, one cluster: they find each other through PostgreSQL; what one node accepted, every node answers
/// for; and DESIGN invariant 2 holds across nodes — thirty staff booking one time through three nodes at once make
/// one appointment and twenty-nine calm conflicts. That last one holds whatever the cluster does: were two nodes
/// ever to activate the same calendar, the therapist row's optimistic concurrency and the appointments' exclusion
/// constraint would still let one booking through. It shows the guard across nodes, not that there is one activation.
/// </summary>
public sealed class ClusterTests(ThreeNodes cluster) : IClassFixture<ThreeNodes>
{
    [Fact]
    public async Task ThreeNodes_FormOneCluster_InTheDatabase()
    {
        var members = await cluster.MembersAsync();

        Assert.Equal(3, members.Count(m => m.Status == 3));
    }

    [Fact]
    public async Task ARequestAcceptedByOneNode_IsAnsweredForByEveryNode()
    {
        var intake = await ClusterNodes.SubmitIntakeAsync(cluster.Nodes[0]);

        foreach (var node in cluster.Nodes)
        {
            using var staff = await ClusterNodes.SignInAsync(node);
            var detail = await ClusterNodes.DetailAsync(staff, intake);
            Assert.Equal(intake, detail.GetProperty("intakeId").GetGuid());
        }

        // A change through one node is what the others then show (one activation, wherever it lives).
        using var first = await ClusterNodes.SignInAsync(cluster.Nodes[1]);
        var therapist = await ClusterNodes.TherapistAsync(first, "Across Nodes");
        Assert.Equal(HttpStatusCode.NoContent, (await first.AssignAsync(intake, therapist)).StatusCode);
        using var last = await ClusterNodes.SignInAsync(cluster.Nodes[2]);
        Assert.Equal(therapist, (await ClusterNodes.DetailAsync(last, intake)).GetProperty("assignedTherapistId").GetGuid());
    }

    [Fact]
    public async Task ThirtyBookingsOfOneTime_ThroughThreeNodes_GiveOneAppointment()
    {
        var staff = new List<HttpClient>();
        foreach (var node in cluster.Nodes)
        {
            staff.Add(await ClusterNodes.SignInAsync(node));
        }

        var therapist = await ClusterNodes.TherapistAsync(staff[0], "Raced Across Nodes");
        var person = (await ClusterNodes.DetailAsync(staff[0], await ClusterNodes.SubmitIntakeAsync(cluster.Nodes[0]))).GetProperty("clientId").GetGuid();
        var start = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(9).AddHours(14).ToString("O", CultureInfo.InvariantCulture);

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => staff[i % 3].PostAsJsonAsync("/api/staff/appointments", new
        {
            therapistId = therapist, clientId = person, start, format = "video",
        })));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.StatusCode);
            Assert.Equal("application/problem+json", a.Content.Headers.ContentType?.MediaType);
        });
        staff.ForEach(s => s.Dispose());
    }
}
