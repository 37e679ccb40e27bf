using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PracticeBackend.Grains.Data;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>A practice whose own site embeds the form: <c>Practice:Embedding:FrameAncestors</c> names it.</summary>
public sealed class EmbeddingApp : PracticeAppFactory
{
    /// <summary>The practice's site and another one, each a real web server on this machine.</summary>
    public ArticleSite PracticeSite { get; } = new();

    public ArticleSite Elsewhere { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:Embedding:FrameAncestors:0", PracticeSite.Origin);
    }

    public override async ValueTask DisposeAsync()
    {
        PracticeSite.Dispose();
        Elsewhere.Dispose();
        await base.DisposeAsync();
    }
}

/// <summary>A site serving one article, with a page of the app in a frame, as a practice would publish it: /articles?frame={address}.</summary>
public sealed class ArticleSite : IDisposable
{
    private readonly HttpListener _listener = new();

    public ArticleSite()
    {
        Origin = $"http://localhost:{FreePorts.Next()}";
        _listener.Prefixes.Add(Origin + "/");
        _listener.Start();
        _ = ServeAsync();
    }

    public string Origin { get; }

    public string Article(Uri framed) => $"{Origin}/articles?frame={Uri.EscapeDataString(framed.ToString())}";

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var framed = WebUtility.HtmlEncode(context.Request.QueryString["frame"] ?? "");
            var body = Encoding.UTF8.GetBytes($"""
                <!doctype html><html lang="en"><head><title>Avoidant attachment</title></head><body>
                <h1>Avoidant attachment</h1><p>Interested in exploring this in therapy?</p>
                <iframe src="{framed}" title="Write to the practice" width="600" height="900"></iframe>
                </body></html>
                """);
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}

/// <summary>
/// The form inside an article on the practice's site, in Debian's Chromium: it shows in the frame and is sent
/// from there (no cookie is needed, so a browser's third-party rules don't matter); another site's frame stays
/// empty, and the practice's site may frame no other page.
/// </summary>
public sealed class EmbeddedIntakeTests(EmbeddingApp app) : InBrowser, IClassFixture<EmbeddingApp>
{
    [Fact(Timeout = 120_000)]
    public async Task OnThePracticesSite_TheFormShowsInItsFrameAndIsSent_ElsewhereTheFrameStaysEmpty()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.PracticeSite.Article(App("/intake")));
        var form = page.FrameLocator("iframe");
        await form.Locator("#email").FillAsync($"embedded.{Guid.NewGuid():N}@example.org");
        await form.Locator("#consent").CheckAsync();
        await form.Locator("#send").ClickAsync();
        await Assertions.Expect(form.GetByRole(AriaRole.Heading, new() { Name = "Thank you for writing" })).ToBeVisibleAsync();
        Assert.Equal(1, await RequestsAsync());

        foreach (var article in new[] { app.Elsewhere.Article(App("/intake")), app.PracticeSite.Article(App("/dashboard/sign-in")) })
        {
            var framed = await context.NewPageAsync();
            await framed.GotoAsync(article, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            Assert.Equal(0, await framed.FrameLocator("iframe").Locator("form").CountAsync());
            Assert.Contains(framed.Frames, f => f.Url.StartsWith("chrome-error:", StringComparison.Ordinal)); // refused by the browser, not merely slow
        }
    }

    private Uri App(string path) => new(app.ClientOptions.BaseAddress, path);

    private async Task<int> RequestsAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>().CreateDbContextAsync();
        return await db.IntakeRequests.CountAsync();
    }
}
