using System.Net;
using System.Net.Http.Json;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The dashboard's guards over HTTP: after sign-in only a dashboard page of this site is a way back; a form
/// post needs its anti-forgery token and this site's origin; a therapist's pages show and change only their own calendar.
/// </summary>
[Collection(Api.Name)]
public sealed class DashboardPagesTests(ApiFixture app)
{
    [Theory]
    [InlineData("//evil.example/dashboard", "/dashboard")]
    [InlineData("https://evil.example/dashboard", "/dashboard")]
    [InlineData("/\\evil.example", "/dashboard")]
    [InlineData("/hangfire", "/dashboard")]
    [InlineData("/dashboard/account?from=sign-in", "/dashboard/account?from=sign-in")]
    public async Task SigningIn_GoesBackOnlyToADashboardPageOfThisSite(string returnUrl, string expected)
    {
        using var browser = app.CreateClient();
        var signedIn = await AdminPagesTests.PostFormAsync(browser, "/dashboard/sign-in", "/dashboard/sign-in?returnUrl=" + Uri.EscapeDataString(returnUrl),
            ("Email", ApiFixture.AdminEmail), ("Password", ApiFixture.AdminPassword), ("returnUrl", returnUrl));

        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal(expected, signedIn.RequestMessage?.RequestUri?.PathAndQuery);
    }

    [Fact]
    public async Task AFormPost_WithoutItsToken_OrFromAnotherSite_ChangesNothing()
    {
        using var admin = await app.SignInAsAdminAsync();
        var intakeId = await app.SubmitIntakeAsync();
        var close = new Uri($"/dashboard/requests/{intakeId}?handler=close", UriKind.Relative);

        var tokenless = await admin.PostAsync(close, new FormUrlEncodedContent([new("reason", "not-a-fit")]));
        var crossSite = new HttpRequestMessage(HttpMethod.Post, close) { Content = new FormUrlEncodedContent([new("reason", "not-a-fit")]) };
        crossSite.Headers.Add("Origin", "https://evil.example");

        Assert.Equal(HttpStatusCode.BadRequest, tokenless.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync(crossSite)).StatusCode);
        var view = await (await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative))).JsonAsync();
        Assert.Equal("submitted", view.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ATherapist_SeesAndChangesOnlyTheirOwnCalendar()
    {
        using var admin = await app.SignInAsAdminAsync();
        var mine = await app.AddTherapistAsync(admin, "Mira Own");
        var theirs = await app.AddTherapistAsync(admin, "Tomas Other");
        var intakeId = await app.SubmitIntakeAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.AssignAsync(intakeId, theirs.Id)).StatusCode);
        var clientId = (await (await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative))).JsonAsync()).GetProperty("clientId").GetGuid();
        var booked = await theirs.Client.PostAsJsonAsync("/api/staff/appointments", new
        {
            therapistId = theirs.Id, clientId, intakeId, start = DateTimeOffset.UtcNow.AddDays(9).ToString("yyyy-MM-dd'T'15:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture), format = "video",
        });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var appointmentId = (await booked.JsonAsync()).GetProperty("appointmentId").GetGuid();

        var calendar = await AdminPagesTests.TextAsync(await mine.Client.GetAsync(new Uri($"/dashboard/calendar?therapist={theirs.Id}", UriKind.Relative)));
        Assert.Contains("Mira Own", calendar, StringComparison.Ordinal);
        Assert.DoesNotContain("Tomas Other", calendar, StringComparison.Ordinal);
        Assert.DoesNotContain(appointmentId.ToString(), calendar, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await mine.Client.GetAsync(new Uri($"/dashboard/appointments/{appointmentId}", UriKind.Relative))).StatusCode);
        var overwrite = await AdminPagesTests.PostFormAsync(mine.Client, "/dashboard/availability?handler=save", "/dashboard/availability",
            ("therapist", theirs.Id.ToString()), ("Input.TimeZone", "UTC"), ("Input.Days[monday]", "09:00-10:00"), ("Input.SessionMinutes", "50"),
            ("Input.BufferMinutes", "10"), ("Input.MinimumNoticeHours", "24"), ("Input.BookingWindowDays", "60"));
        Assert.Equal(HttpStatusCode.NotFound, overwrite.StatusCode);
        var theirWeek = await (await theirs.Client.GetAsync(new Uri($"/api/staff/therapists/{theirs.Id}/availability", UriKind.Relative))).JsonAsync();
        Assert.Empty(theirWeek.GetProperty("weekly").EnumerateArray());
    }

    [Theory]
    [InlineData("/dashboard/calendar?week=9999-12-31")]
    [InlineData("/dashboard/calendar?week=0001-01-01")]
    public async Task AWeekOutOfReach_IsAMistakeOnThePage_NotAnError(string path)
    {
        using var admin = await app.SignInAsAdminAsync();
        await app.AddTherapistAsync(admin, "Reach Test");

        var answer = await admin.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("Choose a week between the years 2000 and 2100.", await AdminPagesTests.TextAsync(answer), StringComparison.Ordinal);
    }
}
