using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// DESIGN invariant 6, end to end: unique markers typed into every PHI field never show up in the
/// logs (messages, structured values, exception texts) or in Hangfire's tables, whatever staff do.
/// </summary>
[Collection(Api.Name)]
public sealed class CanaryTests(ApiFixture app)
{
    [Fact]
    public async Task Markers_AppearNowhere_AfterIntakeAndEveryStaffFlow()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var phoneDigits = string.Concat(marker.Select(c => (char)('0' + (c % 10))));
        var form = IntakeForms.Valid($"canary.{marker}@example.org");
        form["name"] = $"Canary{marker}";
        form["phone"] = $"+1 {phoneDigits}";
        form["message"] = $"Canary words {marker}; sometimes I want to die.";

        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Canary Therapist");
        var intakeId = await app.SubmitIntakeAsync(form);
        var bad = IntakeForms.Valid($"canary.{marker}@example.org");
        bad["timeZone"] = $"Canary/{marker}";
        using (var anonymous = app.CreateClient())
        {
            await anonymous.SendAsync(IntakeForms.Post(bad));
            await anonymous.SendAsync(IntakeForms.Post($"{{\"name\": \"Canary{marker}\", \"email\": 12", "application/json"));
            await anonymous.PostAsJsonAsync("/api/auth/login", new { email = $"canary.{marker}@example.org", password = marker });
        }

        await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative));
        await admin.AssignAsync(intakeId, therapist.Id);
        var detail = await (await therapist.Client.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative))).JsonAsync();
        Assert.Contains(marker, detail.GetProperty("message").GetString(), StringComparison.Ordinal);
        var clientId = detail.GetProperty("clientId").GetGuid();
        await therapist.Client.PostAsJsonAsync($"/api/staff/intake/{intakeId}/close", new { reason = "not-a-fit" });
        await admin.GetAsync(new Uri($"/api/staff/clients/{clientId}/export", UriKind.Relative));
        await admin.GetAsync(new Uri($"/api/staff/audit?subject={clientId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/staff/clients/{clientId}", UriKind.Relative))).StatusCode);
        await RunRetentionThroughHangfireAsync();

        var logs = app.Logs.All;
        Assert.Contains(intakeId.ToString(), logs, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(phoneDigits, logs, StringComparison.Ordinal);
        var hangfire = await RawRows.DumpSchemaAsync(app.ConnectionString, "hangfire");
        Assert.Contains(RetentionPurgeJob.RecurringJobId, hangfire, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, hangfire, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(phoneDigits, hangfire, StringComparison.Ordinal);
    }

    /// <summary>Triggers the recurring job and waits (bounded) for Hangfire's worker to finish it.</summary>
    private async Task RunRetentionThroughHangfireAsync()
    {
        var storage = app.Services.GetRequiredService<JobStorage>();
        new RecurringJobManager(storage).Trigger(RetentionPurgeJob.RecurringJobId);
        using var connection = storage.GetConnection();
        for (var i = 0; i < 100; i++)
        {
            var job = connection.GetRecurringJobs([RetentionPurgeJob.RecurringJobId]).Single();
            if (job.LastJobId is { } last && connection.GetStateData(last)?.Name == "Succeeded")
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("Hangfire did not run the retention job within 10 seconds.");
    }
}
