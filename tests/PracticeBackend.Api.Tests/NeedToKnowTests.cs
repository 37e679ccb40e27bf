using System.Net;
using System.Net.Http.Json;

namespace PracticeBackend.Api.Tests;

/// <summary>DESIGN invariant 7: therapist A, walking every staff endpoint with therapist B's ids, gets nothing of B's.</summary>
[Collection(Api.Name)]
public sealed class NeedToKnowTests(ApiFixture app)
{
    [Fact]
    public async Task EveryStaffEndpoint_GivesTherapistANothingOfTherapistBs()
    {
        using var admin = await app.SignInAsAdminAsync();
        var a = await app.AddTherapistAsync(admin, "Sweep A");
        var b = await app.AddTherapistAsync(admin, "Sweep B");
        var marker = Guid.NewGuid().ToString("N")[..12];
        var form = IntakeForms.Valid($"b.client.{marker}@example.org");
        form["name"] = $"Bname{marker}";
        form["message"] = $"Only B should read this {marker}.";
        var bsIntake = await app.SubmitIntakeAsync(form);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.AssignAsync(bsIntake, b.Id)).StatusCode);
        var bsClient = (await (await admin.GetAsync(new Uri($"/api/staff/intake/{bsIntake}", UriKind.Relative))).JsonAsync())
            .GetProperty("clientId").GetGuid();

        var attempts = new (string What, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("read B's request", () => a.Client.GetAsync(new Uri($"/api/staff/intake/{bsIntake}", UriKind.Relative))),
            ("take B's request", () => a.Client.AssignAsync(bsIntake, a.Id)),
            ("hand B's request on", () => a.Client.AssignAsync(bsIntake, b.Id)),
            ("close B's request", () => a.Client.PostAsJsonAsync($"/api/staff/intake/{bsIntake}/close", new { reason = "not-a-fit" })),
            ("write to B's client", () => a.Client.PostAsJsonAsync($"/api/staff/intake/{bsIntake}/messages", new { body = "Hello from A" })),
            ("mark B's request replied", () => a.Client.PostAsync(new Uri($"/api/staff/intake/{bsIntake}/replied", UriKind.Relative), null)),
            ("export B's client", () => a.Client.GetAsync(new Uri($"/api/staff/clients/{bsClient}/export", UriKind.Relative))),
            ("erase B's client", () => a.Client.DeleteAsync(new Uri($"/api/staff/clients/{bsClient}", UriKind.Relative))),
            ("edit B's profile", () => a.Client.PutAsJsonAsync($"/api/staff/therapists/{b.Id}", new
            {
                displayName = "Hijacked", formats = new[] { "video" }, timeZone = "UTC", acceptingNewClients = false,
            })),
            ("set B's availability", () => a.Client.PutAsJsonAsync($"/api/staff/therapists/{b.Id}/availability", new
            {
                timeZone = "UTC", weekly = new[] { new { day = "monday", start = "09:00", end = "17:00" } },
            })),
            ("read the audit of B's request", () => a.Client.GetAsync(new Uri($"/api/staff/audit?subject={bsIntake}", UriKind.Relative))),
        };

        foreach (var (what, send) in attempts)
        {
            var response = await send();
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden,
                $"{what}: expected 404/403, got {(int)response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(marker, body, StringComparison.Ordinal);
        }

        var queue = await (await a.Client.GetAsync(new Uri("/api/staff/intake?status=in-conversation", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.DoesNotContain(bsIntake.ToString(), queue, StringComparison.Ordinal);

        // And nothing of B's changed.
        var after = await (await admin.GetAsync(new Uri($"/api/staff/intake/{bsIntake}", UriKind.Relative))).JsonAsync();
        Assert.Equal("in-conversation", after.GetProperty("status").GetString());
        Assert.Equal(b.Id, after.GetProperty("assignedTherapistId").GetGuid());
        Assert.Equal($"Bname{marker}", after.GetProperty("name").GetString());
        var profile = await (await admin.GetAsync(new Uri($"/api/staff/therapists/{b.Id}", UriKind.Relative))).JsonAsync();
        Assert.Equal("Sweep B", profile.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Therapist_CanEditTheirOwnProfile()
    {
        using var admin = await app.SignInAsAdminAsync();
        var a = await app.AddTherapistAsync(admin, "Own Profile");

        var response = await a.Client.PutAsJsonAsync($"/api/staff/therapists/{a.Id}", new
        {
            displayName = "Own Profile, LCSW",
            specialties = new[] { "attachment", "couples" },
            formats = new[] { "video", "in-person" },
            acceptingNewClients = false,
            timeZone = "America/Denver",
        });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var profile = await (await a.Client.GetAsync(new Uri($"/api/staff/therapists/{a.Id}", UriKind.Relative))).JsonAsync();
        Assert.Equal("Own Profile, LCSW", profile.GetProperty("displayName").GetString());
        Assert.Equal("America/Denver", profile.GetProperty("timeZone").GetString());
        Assert.False(profile.GetProperty("acceptingNewClients").GetBoolean());
    }

    [Fact]
    public async Task Therapist_CannotSeeTheUnassignedPool_UnlessThePracticeAllowsIt()
    {
        using var admin = await app.SignInAsAdminAsync();
        var a = await app.AddTherapistAsync(admin, "Pool Check");
        var unassigned = await app.SubmitIntakeAsync();

        var read = await a.Client.GetAsync(new Uri($"/api/staff/intake/{unassigned}", UriKind.Relative));
        var take = await a.Client.AssignAsync(unassigned, a.Id);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, take.StatusCode);
    }
}
