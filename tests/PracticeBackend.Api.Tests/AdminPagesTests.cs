using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The dashboard's admin pages as an admin uses them, over HTTP with the forms' anti-forgery tokens: only admins
/// open them; an invitation's token is shown once and accepted as the API's is; a profile's mistake is shown by
/// its field; erasing a person is confirmed and their export then holds nothing of them; two-factor is turned on
/// from the account page. Then each page in Chromium, scanned by axe.
/// </summary>
[Collection(Api.Name)]
public sealed class AdminPagesTests(ApiFixture app)
{
    private static readonly string[] AdminPages = ["/dashboard/admin/pulse", "/dashboard/admin/therapists", "/dashboard/admin/staff", "/dashboard/admin/audit"];

    [Fact]
    public async Task AdminPages_AnswerForbidden_ToATherapist_AndOpenForAnAdmin()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Not An Admin");
        var client = await ClientIdAsync(admin, await app.SubmitIntakeAsync());
        string[] pages = [.. AdminPages, $"/dashboard/admin/clients/{client}"];

        foreach (var page in pages)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await therapist.Client.GetAsync(new Uri(page, UriKind.Relative))).StatusCode);
            var opened = await admin.GetAsync(new Uri(page, UriKind.Relative));
            Assert.True(opened.StatusCode == HttpStatusCode.OK, $"{page} answered {(int)opened.StatusCode} to an admin");
            Assert.DoesNotContain("style=", await opened.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(HttpStatusCode.OK, (await therapist.Client.GetAsync(new Uri("/dashboard/account", UriKind.Relative))).StatusCode);
        therapist.Client.Dispose();
    }

    [Fact]
    public async Task AnInvitedMember_IsListed_AndTheTokenShownOnce_AcceptsTheInvitationAsTheApiDoes()
    {
        using var admin = await app.SignInAsAdminAsync();
        var email = $"invited.admin.{Guid.NewGuid():N}@practice.test";

        var invited = await PostFormAsync(admin, "/dashboard/admin/staff", "/dashboard/admin/staff", ("email", email), ("role", "Admin"), ("therapistId", ""));

        Assert.Equal(HttpStatusCode.OK, invited.StatusCode);
        var answer = await TextAsync(invited);
        Assert.Contains($"{email} is invited", answer, StringComparison.Ordinal);
        Assert.Contains("Pass this invitation token to them yourself", answer, StringComparison.Ordinal);
        var token = Regex.Match(answer, "id=\"invitation-token\">([^<]+)<").Groups[1].Value;
        Assert.NotEmpty(token);

        var list = await TextAsync(await admin.GetAsync(new Uri("/dashboard/admin/staff", UriKind.Relative)));
        Assert.Matches($"<th scope=\"row\">{Regex.Escape(email)}</th>\\s*<td>Admin</td>\\s*<td>None</td>\\s*<td>Off</td>\\s*<td>Invited, not yet accepted</td>", list);
        Assert.DoesNotContain(token, list, StringComparison.Ordinal);

        using var anonymous = app.CreateClient();
        var accepted = await anonymous.PostAsJsonAsync("/api/auth/accept-invitation", new { email, invitationToken = token, password = "a long enough passphrase " + Guid.NewGuid().ToString("N")[..6] });
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        Assert.Matches($"<th scope=\"row\">{Regex.Escape(email)}</th>\\s*<td>Admin</td>\\s*<td>None</td>\\s*<td>Off</td>\\s*<td>Can sign in</td>",
            await TextAsync(await admin.GetAsync(new Uri("/dashboard/admin/staff", UriKind.Relative))));
    }

    [Fact]
    public async Task AProfileWithAnUnknownTimeZone_IsRefusedByThatField_WithWhatWasTypedKept_ThenSavedOnceCorrected()
    {
        using var admin = await app.SignInAsAdminAsync();
        var name = $"Zone Test {Guid.NewGuid():N}"[..20];
        (string, string)[] form = [("displayName", name), ("specialties", "grief, anxiety"), ("formats", "video"), ("acceptingNewClients", "true"), ("videoLink", "")];

        var refused = await PostFormAsync(admin, "/dashboard/admin/therapists", "/dashboard/admin/therapists", [.. form, ("timeZone", "Mars/Olympus_Mons")]);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var page = await TextAsync(refused);
        Assert.Contains("<p class=\"error\" id=\"timeZone-error\">An IANA time zone such as \"America/Chicago\".</p>", page, StringComparison.Ordinal);
        Assert.Contains("value=\"Mars/Olympus_Mons\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"grief, anxiety\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"displayName-error\"", page, StringComparison.Ordinal);

        var saved = await PostFormAsync(admin, "/dashboard/admin/therapists", "/dashboard/admin/therapists", [.. form, ("timeZone", "Europe/Berlin")]);

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var list = await TextAsync(saved);
        Assert.Contains($"{name}'s profile is created.", list, StringComparison.Ordinal);
        Assert.Matches($"<th scope=\"row\">{Regex.Escape(name)}</th>\\s*<td>grief, anxiety</td>\\s*<td>By video</td>\\s*<td>Accepting</td>\\s*<td>Europe/Berlin</td>", list);
    }

    [Fact]
    public async Task Erasing_IsConfirmedInASentence_AndTheExportThenHoldsNothingOfThePerson()
    {
        using var admin = await app.SignInAsAdminAsync();
        var email = $"erase.me.{Guid.NewGuid():N}@example.org";
        var form = IntakeForms.Valid(email);
        form["name"] = "Robin Erasable";
        form["message"] = "Words that should not outlive erasure.";
        var client = await ClientIdAsync(admin, await app.SubmitIntakeAsync(form));
        var path = $"/dashboard/admin/clients/{client}";

        var before = await TextAsync(await admin.GetAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("Robin Erasable", before, StringComparison.Ordinal);
        Assert.Contains(email, before, StringComparison.Ordinal);
        Assert.Contains("Words that should not outlive erasure.", before, StringComparison.Ordinal);
        Assert.Contains("it cannot be undone", before, StringComparison.Ordinal);
        var download = await admin.GetAsync(new Uri(path + "?handler=download", UriKind.Relative));
        Assert.Equal("application/json", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(email, (await download.JsonAsync()).GetProperty("email").GetString());

        var erased = await PostFormAsync(admin, path + "?handler=erase", path);

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(path, erased.RequestMessage!.RequestUri!.AbsolutePath);
        var after = await TextAsync(erased);
        Assert.Contains("Their details are erased: name, contact details and every word are gone", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Robin Erasable", after, StringComparison.Ordinal);
        Assert.DoesNotContain(email, after, StringComparison.Ordinal);
        Assert.DoesNotContain("Words that should not outlive erasure.", after, StringComparison.Ordinal);
        Assert.Contains("<dt>Email</dt><dd>Erased</dd>", after, StringComparison.Ordinal);
        Assert.Contains("Withdrew", after, StringComparison.Ordinal);
        Assert.DoesNotContain("<button type=\"submit\" class=\"danger\"", after, StringComparison.Ordinal);
        var exported = await (await admin.GetAsync(new Uri(path + "?handler=download", UriKind.Relative))).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, exported.GetProperty("email").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, exported.GetProperty("name").ValueKind);
    }

    [Fact]
    public async Task TwoFactor_IsTurnedOnFromTheAccountPage_WithTheKeyShownAsText()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Account Page");
        Assert.Contains("Off: signing in asks only for your password.", await TextAsync(await therapist.Client.GetAsync(new Uri("/dashboard/account", UriKind.Relative))), StringComparison.Ordinal);

        var setup = await TextAsync(await PostFormAsync(therapist.Client, "/dashboard/account?handler=setup", "/dashboard/account"));
        var key = Regex.Match(setup, "id=\"shared-key\">([A-Z2-7 ]+)<").Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
        Assert.NotEmpty(key);
        Assert.Contains($"otpauth://totp/", setup, StringComparison.Ordinal);
        Assert.Contains($"secret={key}", setup, StringComparison.Ordinal);

        var wrong = await PostFormAsync(therapist.Client, "/dashboard/account?handler=enable", "/dashboard/account", ("code", "000000"), ("sharedKey", key), ("authenticatorUri", "otpauth://x"));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("id=\"code-error\"", await TextAsync(wrong), StringComparison.Ordinal);

        var enabled = await PostFormAsync(therapist.Client, "/dashboard/account?handler=enable", "/dashboard/account", ("code", StaffClients.Totp(key, DateTimeOffset.UtcNow)));

        var page = await TextAsync(enabled);
        Assert.Contains("Two-factor sign-in is on: from now on, signing in asks for a code from your authenticator app.", page, StringComparison.Ordinal);
        Assert.Contains("On: signing in asks for a code from your authenticator app.", page, StringComparison.Ordinal);
        using var anonymous = app.CreateClient();
        var withoutCode = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = therapist.Email, password = therapist.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, withoutCode.StatusCode);
        therapist.Client.Dispose();
    }

    [Fact]
    public async Task TheAuditTrail_ListsWhatWasDone_ForOneSubject()
    {
        using var admin = await app.SignInAsAdminAsync();
        var client = await ClientIdAsync(admin, await app.SubmitIntakeAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(new Uri($"/dashboard/admin/clients/{client}", UriKind.Relative))).StatusCode);

        var trail = await TextAsync(await admin.GetAsync(new Uri($"/dashboard/admin/audit?subject={client}", UriKind.Relative)));

        Assert.Contains("<code>client.export</code>", trail, StringComparison.Ordinal);
        Assert.Contains(ApiFixture.AdminEmail, trail, StringComparison.Ordinal);
        var bad = await admin.GetAsync(new Uri("/dashboard/admin/audit?subject=not-an-id", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("id=\"subject-error\"", await TextAsync(bad), StringComparison.Ordinal);
    }

    /// <summary>Every admin page and the account page in Chromium, signed in at the dashboard's own sign-in: no serious or critical axe finding.</summary>
    [Fact(Timeout = 120_000)]
    public async Task EveryAdminPage_AndTheAccountPage_PassAnAccessibilityScan()
    {
        using var admin = await app.SignInAsAdminAsync();
        var client = await ClientIdAsync(admin, await app.SubmitIntakeAsync());
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        await page.GotoAsync(Url("/dashboard/sign-in"));
        await page.Locator("#email").FillAsync(ApiFixture.AdminEmail);
        await page.Locator("#password").FillAsync(ApiFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Intake queue" })).ToBeVisibleAsync();

        foreach (var path in (string[])[.. AdminPages, $"/dashboard/admin/clients/{client}", "/dashboard/account"])
        {
            var answer = await page.GotoAsync(Url(path));
            Assert.True(answer?.Status == 200, $"{path} answered {answer?.Status}");
            await Browser.AssertAccessibleAsync(page);
            await Browser.ShotAsync(page, "dashboard" + path.Replace("/dashboard", "", StringComparison.Ordinal).Replace('/', '-').Split("-clients-")[0] + (path.Contains("/clients/", StringComparison.Ordinal) ? "-client" : ""));
        }

        // A page with its mistakes shown, and the invitation's answer.
        await page.GotoAsync(Url("/dashboard/admin/therapists"));
        await page.Locator("#displayName").FillAsync("Axe Scan");
        await page.Locator("#timeZone").FillAsync("Nowhere/Special");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the profile" }).ClickAsync();
        await Assertions.Expect(page.Locator("#timeZone-error")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
        await page.GotoAsync(Url("/dashboard/admin/staff"));
        await page.Locator("#email").FillAsync($"axe.{Guid.NewGuid():N}@practice.test");
        await page.Locator("input[name='role'][value='Admin']").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await Assertions.Expect(page.Locator("#invitation-token")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
    }

    private string Url(string path) => new Uri(app.ClientOptions.BaseAddress, path).ToString();

    private static async Task<Guid> ClientIdAsync(HttpClient admin, Guid intakeId) =>
        (await (await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative))).JsonAsync()).GetProperty("clientId").GetGuid();

    /// <summary>As a browser posts a dashboard form: the anti-forgery token from the rendered page (its cookie is in the client's jar), same-origin.</summary>
    internal static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string action, string formPage, params (string Name, string Value)[] fields)
    {
        var rendered = await client.GetAsync(new Uri(formPage, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, rendered.StatusCode);
        var token = AntiForgeryToken().Match(await rendered.Content.ReadAsStringAsync());
        Assert.True(token.Success, $"no anti-forgery token on {formPage}");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(action, UriKind.Relative))
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]),
        };
        request.Headers.Add("Origin", client.BaseAddress!.GetLeftPart(UriPartial.Authority));
        return await client.SendAsync(request);
    }

    /// <summary>The page's HTML with entities decoded (the encoder writes "–" and "'" as entities).</summary>
    internal static async Task<string> TextAsync(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    private static readonly Regex AntiForgery = new("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"", RegexOptions.Compiled);

    private static Regex AntiForgeryToken() => AntiForgery;
}

/// <summary>
/// The pulse page on a host of its own (its own database, a clock the test turns), so that its counts are exactly
/// the requests made here: ages from under a day to over a week, two first replies 2 and 4 hours after their
/// requests, one booked, one closed as not a fit.
/// </summary>
public sealed class AdminPagesPulseTests(AdminPagesPulseApp app) : IClassFixture<AdminPagesPulseApp>
{
    [Fact]
    public async Task Pulse_ShowsOpenRequestsByAge_TheMedianTimeToAFirstPersonalReply_AndWhereRequestsStand()
    {
        // The clock starts on a Monday at 09:00 in Chicago, the people's zone: personal messages go at once.
        var started = app.Clock.GetUtcNow();
        var waitedLongest = await SubmitAsync();
        app.Clock.Advance(TimeSpan.FromHours(1));
        var notAFit = await SubmitAsync();
        var booked = await SubmitAsync();

        app.Clock.Advance(TimeSpan.FromHours(1));
        using (var admin = await app.SignInAsAdminAsync())
        {
            await WriteToThemAsync(admin, waitedLongest);
            var therapistId = (await (await admin.PostAsJsonAsync("/api/staff/therapists", new
            {
                displayName = "Pulse Booking", specialties = Array.Empty<string>(), formats = new[] { "video" }, acceptingNewClients = true, timeZone = "America/Chicago",
            })).JsonAsync()).GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/staff/intake/{booked}/assign", new { therapistId })).StatusCode);
            var clientId = (await app.StaffDetailAsync(booked)).GetProperty("clientId").GetGuid();
            var start = started.AddDays(3).AddHours(1).ToOffset(TimeSpan.FromHours(-6)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            var session = await admin.PostAsJsonAsync("/api/staff/appointments", new { therapistId, clientId, intakeId = booked, start, format = "video" });
            Assert.Equal(HttpStatusCode.Created, session.StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromHours(3));
        using (var admin = await app.SignInAsAdminAsync())
        {
            await WriteToThemAsync(admin, notAFit);
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/staff/intake/{notAFit}/close", new { reason = "not-a-fit" })).StatusCode);
        }

        app.Clock.Set(started.AddDays(5));
        await SubmitAsync();
        app.Clock.Set(started.AddDays(7));
        await SubmitAsync();
        app.Clock.Set(started.AddDays(9).AddHours(-1));
        await SubmitAsync();
        await SubmitAsync();
        app.Clock.Set(started.AddDays(9));
        Assert.Equal("booked", (await app.StaffDetailAsync(booked)).GetProperty("status").GetString());

        using var viewer = await app.SignInAsAdminAsync();
        var answer = await viewer.GetAsync(new Uri("/dashboard/admin/pulse", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var page = await AdminPagesTests.TextAsync(answer);
        Assert.Equal(2, Row(page, "Under a day"));
        Assert.Equal(1, Row(page, "1–3 days"));
        Assert.Equal(1, Row(page, "3–7 days"));
        Assert.Equal(1, Row(page, "Over a week"));
        Assert.Contains("5 requests are open", page, StringComparison.Ordinal);
        Assert.Contains("had a first personal reply within <strong>3 hours</strong> of writing.", page, StringComparison.Ordinal);
        Assert.Contains("The median over 2 first replies", page, StringComparison.Ordinal);
        Assert.Equal(1, Row(page, "Booked"));
        Assert.Equal(1, Row(page, "Closed: Not a fit"));
        Assert.Equal(0, Row(page, "Closed: Withdrew"));
        Assert.Equal(5, Row(page, "Still open"));
        Assert.Contains("7 requests came in the last 90 days: 1 booked, 1 closed, 5 still open.", page, StringComparison.Ordinal);
        Assert.Contains("<svg role=\"img\" aria-labelledby=\"ages-title ages-desc\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script>", page, StringComparison.OrdinalIgnoreCase); // no inline script; the charts are drawn on the server
        Assert.DoesNotContain("Sam", page, StringComparison.Ordinal);
        Assert.DoesNotContain("@example.org", page, StringComparison.Ordinal);
    }

    private async Task<Guid> SubmitAsync()
    {
        var email = await app.SubmitAsync("gentle");
        return (await app.IntakesAsync([email]))[0];
    }

    private async Task WriteToThemAsync(HttpClient admin, Guid intakeId)
    {
        var written = await admin.PostAsJsonAsync($"/api/staff/intake/{intakeId}/messages", new { body = "Thank you for writing; I'd be glad to talk." });
        Assert.Equal(HttpStatusCode.NoContent, written.StatusCode);
        await app.DeliverDueAsync();
        Assert.Equal(1, await app.ScalarAsync("SELECT count(*) FROM outbox_messages WHERE intake_request_id = @id AND kind = 'Personal' AND status = 'Sent'", ("id", intakeId)));
    }

    private static int Row(string page, string label)
    {
        var match = Regex.Match(page, $"<tr><th scope=\"row\">{Regex.Escape(label)}</th><td>(\\d+)</td></tr>");
        Assert.True(match.Success, $"no row \"{label}\" in the pulse's tables");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}

/// <summary>A host for the pulse alone: a fresh database and a clock the test turns.</summary>
public sealed class AdminPagesPulseApp : FollowUpApp;
