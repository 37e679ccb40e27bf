using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// DESIGN invariant 7 with the practice setting on (Practice:Staff:TherapistsSeeUnassigned): therapists see
/// and may take requests nobody has yet, and still nothing that belongs to a colleague.
/// </summary>
public sealed class UnassignedPoolTests(UnassignedPoolApp app) : IClassFixture<UnassignedPoolApp>
{
    [Fact]
    public async Task Therapist_SeesAndTakesUnassignedRequests_ButNotAColleagues_WhenThePracticeAllowsThePool()
    {
        using var admin = await app.SignInAsAdminAsync();
        var a = await app.AddTherapistAsync(admin, "Pool A");
        var b = await app.AddTherapistAsync(admin, "Pool B");
        var unassigned = await app.SubmitIntakeAsync();
        var colleagues = await app.SubmitIntakeAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.AssignAsync(colleagues, b.Id)).StatusCode);

        var queue = await QueueAsync(a);
        var read = await a.Client.GetAsync(new Uri($"/api/staff/intake/{unassigned}", UriKind.Relative));
        var take = await a.Client.AssignAsync(unassigned, a.Id);

        Assert.Contains(unassigned.ToString(), queue, StringComparison.Ordinal);
        Assert.DoesNotContain(colleagues.ToString(), queue, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, take.StatusCode);
        var taken = await (await a.Client.GetAsync(new Uri($"/api/staff/intake/{unassigned}", UriKind.Relative))).JsonAsync();
        Assert.Equal(a.Id, taken.GetProperty("assignedTherapistId").GetGuid());
        Assert.Equal("in-conversation", taken.GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.GetAsync(new Uri($"/api/staff/intake/{colleagues}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.AssignAsync(colleagues, a.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.GetAsync(new Uri($"/api/staff/intake/{unassigned}", UriKind.Relative))).StatusCode);
        Assert.DoesNotContain(unassigned.ToString(), await QueueAsync(b), StringComparison.Ordinal);
        var colleaguesAfter = await (await admin.GetAsync(new Uri($"/api/staff/intake/{colleagues}", UriKind.Relative))).JsonAsync();
        Assert.Equal(b.Id, colleaguesAfter.GetProperty("assignedTherapistId").GetGuid());
    }

    private static async Task<string> QueueAsync(Therapist therapist)
    {
        var response = await therapist.Client.GetAsync(new Uri("/api/staff/intake", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}

public sealed class UnassignedPoolApp : ApiFixture
{
    protected override bool RunsJobServer => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:Staff:TherapistsSeeUnassigned", "true");
    }
}
