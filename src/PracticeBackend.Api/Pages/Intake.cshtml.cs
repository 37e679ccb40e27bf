using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Features.Intake;
using PracticeBackend.Api.Hosting;

namespace PracticeBackend.Api.Pages;

/// <summary>
/// The form behind "Interested in exploring this in therapy?", served by the app and working without
/// JavaScript: a normal POST and a server-rendered answer. It sends the same <see cref="SubmitIntake.Command"/>
/// as the JSON API (one code path). Embedded in the practice's site, the browser sends it no cookie, so no
/// anti-forgery cookie guards it: a signed, time-limited form token does, carrying the Idempotency-Key made
/// when the form was rendered, so a double click or a resubmit after an error stores one request.
/// </summary>
[IgnoreAntiforgeryToken]
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Security.WebHardening.IntakePolicy)]
public sealed class IntakeModel(IMediator mediator, IntakeFormTokens tokens, IOptions<PracticeOptions> practice) : PageModel
{
    /// <summary>The consent text this form shows; its version is stored with the request.</summary>
    public const string ConsentVersion = "2026-11";

    [BindProperty]
    public IntakeForm Form { get; set; } = new();

    public string FormToken { get; private set; } = "";

    /// <summary>What to fix, by field, in words a person would use.</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public SubmitIntake.Response? Accepted { get; private set; }

    public PracticeOptions Practice => practice.Value;

    public void OnGet() => FormToken = tokens.Issue();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var token = Request.HasFormContentType ? Request.Form["formToken"].ToString() : "";
        if (tokens.Read(token) is not { } key)
        {
            FormToken = tokens.Issue();
            Errors["form"] = "This form was open for a long time, so we couldn't send it. Your answers are still here: please look them over and send it again.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        // The same token again: a resubmit of this form keeps its key, and so stores one request.
        FormToken = token;
        var command = new SubmitIntake.Command(
            Form.Name, Form.Email, Form.Phone, Form.TimeZone, Form.Pace, Form.PreferredFormat, Form.Message,
            new SubmitIntake.ConsentAnswer(Form.Consent, ConsentVersion), Form.Website)
        {
            IdempotencyKey = key,
        };
        try
        {
            var result = await mediator.Send(command, cancellationToken);
            Accepted = result.Response;
            return Page();
        }
        catch (ValidationException invalid)
        {
            foreach (var failure in invalid.Errors)
            {
                Errors.TryAdd(failure.PropertyName.Split('.')[0], failure.ErrorMessage);
            }

            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
    }

    /// <summary>The pace choices, in plain words: what each one means the practice will do.</summary>
    public static readonly IReadOnlyList<(string Value, string Label, string Meaning)> Paces =
    [
        ("gentle", "A gentle check-in is fine", "We'll write at most once a week, and only a couple of times."),
        ("check-in-2-weeks", "Check in with me in 2 weeks", "One note, around then."),
        ("check-in-1-month", "Check in with me in 1 month", "One note, around then."),
        ("check-in-3-months", "Check in with me in 3 months", "One note, around then."),
        ("when-ready", "I'll reach out when I'm ready", "We won't write again unless you do."),
    ];

    public static readonly IReadOnlyList<(string Value, string Label)> Formats =
    [
        ("either", "Either is fine"),
        ("in-person", "In person"),
        ("video", "By video"),
    ];
}

/// <summary>The form's fields as a browser posts them.</summary>
public sealed class IntakeForm
{
    public string? Name { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? TimeZone { get; set; }

    public string? Pace { get; set; } = "gentle";

    public string? PreferredFormat { get; set; } = "either";

    public string? Message { get; set; }

    public bool? Consent { get; set; }

    /// <summary>The honeypot: hidden from people, filled by bots.</summary>
    public string? Website { get; set; }
}

/// <summary>
/// The public form's token: the Idempotency-Key made for one rendering of the form, signed and
/// time-limited (a day) with Data Protection, so that a post needs a form this app rendered, and a
/// resubmit of it is recognised as the same request.
/// </summary>
public sealed class IntakeFormTokens(IDataProtectionProvider protection, Grains.PracticeClock clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("intake-form-token").ToTimeLimitedDataProtector();

    public string Issue() => _protector.Protect(Guid.NewGuid().ToString("N"), clock.GetUtcNow() + Lifetime);

    /// <summary>The key the token carries, or null when it is missing, forged or too old.</summary>
    public string? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1000)
        {
            return null;
        }

        try
        {
            var key = _protector.Unprotect(token, out var expires);
            return expires > clock.GetUtcNow() ? key : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
