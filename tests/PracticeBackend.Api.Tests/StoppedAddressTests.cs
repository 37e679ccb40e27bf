using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimeKit;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// DESIGN "a stopped address writes again": the request is stored, the answer is the one anyone gets, the
/// address's owner is asked once (at most once per 30 days) whether it was them, and nothing of theirs is
/// overwritten or reopened until they say yes.
/// </summary>
[Collection(FollowUps.Name)]
public sealed class StoppedAddressTests(FollowUpApp app)
{
    private const string AddressConfirmation = "Did you write to us?";
    private const string Acknowledgement = "We received your message";
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task AStoppedAddressWritingAgain_GetsTheSameAnswerAsAnyone_OnlyAnAddressConfirmation_AndNothingOverwritten()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await StoppedAsync();
        app.Clock.Advance(Day);

        var again = await app.PostIntakeAsync(Form(email, "Robin", "+1 312 555 0199"));
        var anyone = await app.PostIntakeAsync(Form($"anyone.{Guid.NewGuid():N}@example.org", "Robin", "+1 312 555 0199"));
        await app.DeliverDueAsync();

        await AssertSameAnswerAsync(anyone, again);
        var mail = app.MailTo(email);
        Assert.Equal([Acknowledgement, AddressConfirmation], Subjects(mail));
        var export = await app.ExportAsync(email);
        Assert.Equal("Marisol", export.GetProperty("name").GetString());
        Assert.Equal("+1 312 555 0100", export.GetProperty("phone").GetString());
        Assert.Equal("stopped", export.GetProperty("contactStatus").GetString());
        Assert.Equal(2, export.GetProperty("requests").GetArrayLength());
    }

    [Fact]
    public async Task ConfirmingFromTheAddress_ReopensContact_TakesTheNewDetails_AndTheCheckInFollowsAWeekLater()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await StoppedAsync();
        app.Clock.Advance(Day);
        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(Form(email, "Robin", "+1 312 555 0199"))).StatusCode);
        await app.DeliverDueAsync();
        var confirmation = app.MailTo(email)[^1];
        Assert.Equal(AddressConfirmation, confirmation.Subject);

        app.Clock.Advance(Day);
        var confirmedAt = app.Clock.GetUtcNow();
        using var owner = new HttpClient();
        var confirmed = await owner.PostAsync(app.Link(confirmation, "Yes, it was me, please reply"), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var export = await app.ExportAsync(email);
        Assert.Equal("Robin", export.GetProperty("name").GetString());
        Assert.Equal("+1 312 555 0199", export.GetProperty("phone").GetString());
        Assert.Equal("open", export.GetProperty("contactStatus").GetString());
        await app.AdvanceAsync(6 * Day, TimeSpan.FromHours(6));
        app.Clock.Set(confirmedAt + 7 * Day - TimeSpan.FromMinutes(1));
        await app.DeliverDueAsync();
        Assert.Equal([Acknowledgement, AddressConfirmation], Subjects(app.MailTo(email)));
        app.Clock.Set(confirmedAt + 7 * Day);
        await app.DeliverDueAsync();
        var checkIn = app.MailTo(email)[^1];
        Assert.Equal("Just checking in", checkIn.Subject);
        Assert.Equal(confirmedAt + 7 * Day, checkIn.Date);
        Assert.Contains("Hello Robin", checkIn.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondRequestWithinThirtyDays_SendsNoSecondAddressConfirmation()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await StoppedAsync();
        app.Clock.Advance(Day);
        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(Form(email, "Robin", "+1 312 555 0199"))).StatusCode);
        await app.DeliverDueAsync();

        app.Clock.Advance(20 * Day);
        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(Form(email, "Robin", "+1 312 555 0199"))).StatusCode);
        await app.AdvanceAsync(15 * Day, TimeSpan.FromHours(6));

        Assert.Equal([Acknowledgement, AddressConfirmation], Subjects(app.MailTo(email)));
        Assert.Equal("Marisol", (await app.ExportAsync(email)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task APausedAddressWritingAgain_GetsTheAddressConfirmation_NotTheAcknowledgement()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = $"paused.{Guid.NewGuid():N}@example.org";
        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(Form(email, "Marisol", "+1 312 555 0100"))).StatusCode);
        await app.DeliverDueAsync();
        using var person = new HttpClient();
        var paused = await person.PostAsync(app.Link(app.MailTo(email)[0], "Pause these emails"), new FormUrlEncodedContent([new("days", "30")]));
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        app.Clock.Advance(2 * Day);

        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(Form(email, "Robin", "+1 312 555 0199"))).StatusCode);
        await app.DeliverDueAsync();

        Assert.Equal([Acknowledgement, AddressConfirmation], Subjects(app.MailTo(email)));
        Assert.Equal("Marisol", (await app.ExportAsync(email)).GetProperty("name").GetString());
    }

    /// <summary>Marisol writes in, gets her acknowledgement and stops emails by its link; returns her address.</summary>
    [Fact]
    public async Task ConfirmingAfterASecondRequest_ReopensContact_TakesTheNewestDetails_AndTheCheckInFollows()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await StoppedAsync();
        app.Clock.Advance(Day);
        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(Form(email, "Robin", "+1 312 555 0199"))).StatusCode);
        await app.DeliverDueAsync();
        var confirmation = app.MailTo(email)[^1];
        app.Clock.Advance(3 * Day);
        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(Form(email, "Robin Q.", "+1 312 555 0198"))).StatusCode);
        await app.DeliverDueAsync();

        app.Clock.Advance(Day);
        using var owner = new HttpClient();
        var confirmed = await owner.PostAsync(app.Link(confirmation, "Yes, it was me, please reply"), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal([Acknowledgement, AddressConfirmation], Subjects(app.MailTo(email)));
        var export = await app.ExportAsync(email);
        Assert.Equal("open", export.GetProperty("contactStatus").GetString());
        Assert.Equal("Robin Q.", export.GetProperty("name").GetString());

        // Confirmed on a Saturday: a week later is the weekend, so the check-in goes in Monday's window.
        await app.AdvanceAsync(10 * Day, TimeSpan.FromHours(6));
        Assert.Equal([Acknowledgement, AddressConfirmation, "Just checking in"], Subjects(app.MailTo(email)));
    }

    private async Task<string> StoppedAsync()
    {
        var email = $"stopped.{Guid.NewGuid():N}@example.org";
        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(Form(email, "Marisol", "+1 312 555 0100"))).StatusCode);
        await app.DeliverDueAsync();
        using var person = new HttpClient();
        var stopped = await person.PostAsync(app.Link(Assert.Single(app.MailTo(email)), "Stop these emails"), new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        return email;
    }

    private static JsonObject Form(string email, string name, string phone)
    {
        var form = IntakeForms.Valid(email);
        form["name"] = name;
        form["phone"] = phone;
        return form;
    }

    /// <summary>The form never tells who has written before: same status, same headers, same fields and values but the new id.</summary>
    private static async Task AssertSameAnswerAsync(HttpResponseMessage anyone, HttpResponseMessage stoppedAddress)
    {
        Assert.Equal(HttpStatusCode.Created, anyone.StatusCode);
        Assert.Equal(anyone.StatusCode, stoppedAddress.StatusCode);
        Assert.Equal(anyone.Content.Headers.ContentType?.ToString(), stoppedAddress.Content.Headers.ContentType?.ToString());
        Assert.Equal(HeaderNames(anyone), HeaderNames(stoppedAddress));
        var expected = await anyone.JsonAsync();
        var actual = await stoppedAddress.JsonAsync();
        Assert.Equal(Fields(expected).Select(f => f.Name), Fields(actual).Select(f => f.Name));
        Assert.Equal(Fields(expected).Where(f => f.Name != "intakeId"), Fields(actual).Where(f => f.Name != "intakeId"));
        Assert.Equal($"/api/intake/{actual.GetProperty("intakeId").GetGuid()}", stoppedAddress.Headers.Location?.OriginalString);
    }

    private static string[] HeaderNames(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers).Select(h => h.Key).Where(h => h is not ("Date" or "Content-Length")).Order(StringComparer.OrdinalIgnoreCase)];

    private static (string Name, string Value)[] Fields(JsonElement body) =>
        [.. body.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText()))];

    private static string[] Subjects(IReadOnlyList<MimeMessage> mail) => [.. mail.Select(m => m.Subject ?? "")];
}
