using Microsoft.Playwright;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The intake form in a real browser (Debian's Chromium): sent without JavaScript, by keyboard alone;
/// a mistake shown next to its field; no serious or critical accessibility violation on the form, on its
/// mistakes, or on its thank-you (axe runs as JavaScript, so the scans are made in a page that has it).
/// </summary>
public sealed class IntakePageBrowserTests(FollowUpApp app) : InBrowser, IClassFixture<FollowUpApp>
{
    [Fact(Timeout = 120_000)]
    public async Task WithoutJavaScript_AMistakeIsShownByItsField_ThenTheFormIsSent_AndThankYouSaysWhatFollows()
    {
        await using var context = await Chromium.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(app.ClientOptions.BaseAddress, "/intake").ToString());

        await page.Locator("#name").FillAsync("Sam");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(page.Locator("#email-error")).ToHaveTextAsync("Please give an email address so the practice can reply.");
        await Assertions.Expect(page.Locator("#name")).ToHaveValueAsync("Sam");

        await page.Locator("#email").FillAsync($"browser.form.{Guid.NewGuid():N}@example.org");
        await page.Locator("input[name='Form.Pace'][value='when-ready']").CheckAsync();
        await page.Locator("#consent").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank you for writing" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("We won't write again unless you do.")).ToBeVisibleAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task TheForm_ItsMistakes_AndItsThankYou_PassAnAccessibilityScan_AndItCanBeSentByKeyboardAlone()
    {
        var page = await Chromium.NewPageAsync();
        await page.GotoAsync(new Uri(app.ClientOptions.BaseAddress, "/intake").ToString());
        await Browser.AssertAccessibleAsync(page);
        await page.Locator("#send").ClickAsync();
        await Assertions.Expect(page.Locator("#email-error")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        await page.GotoAsync(new Uri(app.ClientOptions.BaseAddress, "/intake").ToString());
        var email = $"keyboard.{Guid.NewGuid():N}@example.org";

        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Robin");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(email);
        await page.Keyboard.PressAsync("Tab"); // phone
        await page.Keyboard.PressAsync("Tab"); // pace
        await page.Keyboard.PressAsync("Tab"); // format
        await page.Keyboard.PressAsync("Tab"); // message
        await page.Keyboard.TypeAsync("Hello.");
        await page.Keyboard.PressAsync("Tab"); // consent
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("Tab"); // send
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank you for writing" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
        await page.CloseAsync();
    }
}
