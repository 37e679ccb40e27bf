using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Security;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>DESIGN invariant 6 at rest and in logs: what a person typed is nowhere in plaintext.</summary>
[Collection(Api.Name)]
public sealed class PhiAtRestTests(ApiFixture app)
{
    private static readonly string[] Tables =
        ["clients", "intake_requests", "consent_records", "app_secrets", "data_protection_keys"];

    [Fact]
    public async Task RawRows_HoldNoPlaintext_ButTheAppCanStillReadItBack()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var form = Marked(marker);
        using var client = app.CreateClient();

        var response = await client.SendAsync(IntakeForms.Post(form));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dump = await RawRows.DumpAsync(app.ConnectionString, Tables);
        Assert.DoesNotContain(marker, dump, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(PhoneFor(marker), dump, StringComparison.Ordinal);

        var intakeId = (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
        var phi = app.Services.GetRequiredService<PhiProtector>();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>().CreateDbContextAsync();
        var stored = await db.IntakeRequests.Include(r => r.Client).SingleAsync(r => r.Id == intakeId);
        Assert.Equal($"Name{marker}", phi.Unseal(stored.Client!.NameSealed));
        Assert.Equal($"mail{marker}@example.org", phi.Unseal(stored.Client.EmailSealed));
        Assert.Equal(PhoneFor(marker), phi.Unseal(stored.Client.PhoneSealed));
        Assert.Equal($"I have been pulling away from everyone {marker}.", phi.Unseal(stored.MessageSealed));
    }

    [Fact]
    public async Task Logs_HoldNoPlaintext_AfterSubmissionsRefusalsAndRetries()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        using var client = app.CreateClient();
        var key = Guid.NewGuid().ToString();

        await client.SendAsync(IntakeForms.Post(Marked(marker), key));
        await client.SendAsync(IntakeForms.Post(Marked(marker), key));
        var reused = Marked(marker);
        reused["pace"] = "when-ready";
        await client.SendAsync(IntakeForms.Post(reused, key));
        var invalid = Marked(marker);
        invalid["pace"] = $"pace{marker}";
        await client.SendAsync(IntakeForms.Post(invalid));
        await client.SendAsync(IntakeForms.Post($"{{\"email\": \"mail{marker}@example.org\", \"consent\": ", "application/json"));

        var logs = app.Logs.All;
        Assert.Contains("accepted intake", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(PhoneFor(marker), logs, StringComparison.Ordinal);
    }

    private static JsonObject Marked(string marker)
    {
        var form = IntakeForms.Valid($"mail{marker}@example.org");
        form["name"] = $"Name{marker}";
        form["phone"] = PhoneFor(marker);
        form["message"] = $"I have been pulling away from everyone {marker}.";
        return form;
    }

    /// <summary>Phones hold digits only, so their marker is the hex marker's digits spelled out.</summary>
    private static string PhoneFor(string marker) =>
        "+1 " + string.Concat(marker.Select(c => ((int)c % 10).ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
