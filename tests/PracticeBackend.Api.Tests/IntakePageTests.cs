using System.Net;
using System.Text.RegularExpressions;
using Npgsql;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The intake form as a browser without JavaScript uses it: a page served by the app, a normal POST, a
/// server-rendered thank-you that says what happens next; mistakes shown next to their field in plain words
/// with what was typed kept; a resubmit of one rendering stores one request; a form the app did not render,
/// or a filled honeypot, stores nothing.
/// </summary>
[Collection(Api.Name)]
public sealed partial class IntakePageTests(ApiFixture app)
{
    [Fact]
    public async Task TheForm_IsServedCalmly_WithCrisisResourcesAndThePaceInPlainWords_AndNoInlineScript()
    {
        using var browser = app.CreateClient();
        var page = await browser.GetAsync(new Uri("/intake", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Interested in exploring this in therapy?", html, StringComparison.Ordinal);
        Assert.Contains("If you are in crisis", html, StringComparison.Ordinal);
        Assert.Contains("We won&#x27;t write again unless you do.", html, StringComparison.Ordinal);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/css/site.css\">", html, StringComparison.Ordinal);

        // Scripts only from our own files: every <script> has a src on this site and no body.
        Assert.All(System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*>(.*?)</script>", System.Text.RegularExpressions.RegexOptions.Singleline),
            script => Assert.Matches("^<script src=\"/js/[a-z-]+\\.js\" defer></script>$", script.Value));
        Assert.Contains("<script src=\"/js/intake.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri("/css/site.css", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri("/js/intake.js", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task ASentForm_ThanksThePersonAndSaysWhatHappensNext_AndSendingItTwiceStoresOneRequest()
    {
        using var browser = app.CreateClient();
        var token = await TokenAsync(browser);
        var email = $"page.{Guid.NewGuid():N}@example.org";
        var before = await CountAsync();

        var first = await PostAsync(browser, token, email, consent: true);
        var second = await PostAsync(browser, token, email, consent: true);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var thanks = await first.Content.ReadAsStringAsync();
        Assert.Contains("Thank you for writing", thanks, StringComparison.Ordinal);
        Assert.Contains("once a week, and only a couple of times", thanks, StringComparison.Ordinal);
        Assert.Contains("not watched for emergencies", thanks, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(before + 1, await CountAsync());
    }

    [Fact]
    public async Task Mistakes_AreNamedNextToTheirField_InPlainWords_AndWhatWasTypedIsKept()
    {
        using var browser = app.CreateClient();
        var token = await TokenAsync(browser);
        var before = await CountAsync();

        var answer = await PostAsync(browser, token, "", consent: false, name: "Robin <b>", message: "Something I'd like to talk about.");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Contains("<p class=\"error\" id=\"email-error\">Please give an email address so the practice can reply.</p>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"consent-error\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Robin &lt;b&gt;\"", html, StringComparison.Ordinal);
        Assert.Contains("Something I&#x27;d like to talk about.</textarea>", html, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AFormTheAppDidNotRender_OrAFilledHoneypot_StoresNothing()
    {
        using var browser = app.CreateClient();
        var before = await CountAsync();

        var forged = await PostAsync(browser, "not-a-token", $"forged.{Guid.NewGuid():N}@example.org", consent: true);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("send it again", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var bot = await PostAsync(browser, await TokenAsync(browser), $"bot.{Guid.NewGuid():N}@example.org", consent: true, website: "https://spam.example");
        Assert.Equal(HttpStatusCode.OK, bot.StatusCode);
        Assert.Contains("Thank you for writing", await bot.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync());
    }

    private static async Task<string> TokenAsync(HttpClient browser)
    {
        var html = await browser.GetStringAsync(new Uri("/intake", UriKind.Relative));
        return WebUtility.HtmlDecode(FormToken().Match(html).Groups[1].Value);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient browser, string token, string email, bool consent, string name = "Sam", string message = "A short note.", string website = "") =>
        browser.PostAsync(new Uri("/intake", UriKind.Relative), new FormUrlEncodedContent(
        [
            new("formToken", token),
            new("Form.Name", name),
            new("Form.Email", email),
            new("Form.Pace", "gentle"),
            new("Form.PreferredFormat", "either"),
            new("Form.Message", message),
            new("Form.Website", website),
            .. consent ? [new KeyValuePair<string, string>("Form.Consent", "true")] : Array.Empty<KeyValuePair<string, string>>(),
        ]));

    private async Task<long> CountAsync()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM intake_requests", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [GeneratedRegex("name=\"formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
