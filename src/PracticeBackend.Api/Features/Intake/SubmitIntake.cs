using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.IntakeRequests;
using PracticeBackend.Grains.Security;

namespace PracticeBackend.Api.Features.Intake;

/// <summary>
/// "Interested in exploring this in therapy?" — the public form posts here. No account, no login.
/// The request is sealed here, at the edge, and reaches the grains (and the database) only sealed.
/// </summary>
public static partial class SubmitIntake
{
    public const string IdempotencyKeyHeader = IdempotencyKeys.Header;
    public const int IdempotencyKeyMaxLength = IdempotencyKeys.MaxLength;

    /// <summary>The form's JSON, names and values as the website sends them.</summary>
    public sealed record Command(
        string? Name,
        string? Email,
        string? Phone,
        string? TimeZone,
        string? Pace,
        string? PreferredFormat,
        string? Message,
        ConsentAnswer? Consent,
        string? Website) : IRequest<Result>
    {
        [JsonIgnore]
        public string? IdempotencyKey { get; init; }

        /// <summary>A filled honeypot means a bot: answer like a success, store nothing.</summary>
        [JsonIgnore]
        public bool IsFromBot => !string.IsNullOrEmpty(Website);
    }

    public sealed record ConsentAnswer(bool? Contact, string? Version);

    public sealed record Response(Guid IntakeId, string Status, string Pace);

    public sealed record Result(SubmitIntakeOutcome Outcome, Response Response);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.IdempotencyKey)
                .Must(BeAUsableIdempotencyKey!)
                .When(c => c.IdempotencyKey is not null)
                .OverridePropertyName(IdempotencyKeyHeader)
                .WithMessage($"An Idempotency-Key is 1 to {IdempotencyKeyMaxLength} visible ASCII characters; a new UUID per form works well.");

            // A bot that fills the honeypot gets a success-shaped answer, never a list of what to fix.
            // Each condition guards only its own rule: FluentValidation's When covers the whole chain before it.
            When(c => !c.IsFromBot, () =>
            {
                RuleFor(c => c.Email)
                    .NotEmpty()
                    .WithMessage("Please give an email address so the practice can reply.");
                RuleFor(c => c.Email)
                    .Must(EmailAddress.IsValid)
                    .When(c => !string.IsNullOrWhiteSpace(c.Email))
                    .WithMessage("This doesn't look like an email address we can write to.");
                RuleFor(c => c.Name)
                    .Must(n => n!.Length <= IntakeLimits.NameMaxLength && !n.Any(char.IsControl))
                    .When(c => c.Name is not null)
                    .WithMessage($"Please keep the name to {IntakeLimits.NameMaxLength} letters, without control characters.");
                RuleFor(c => c.Phone)
                    .Must(BeAPhoneNumber!)
                    .When(c => !string.IsNullOrWhiteSpace(c.Phone))
                    .WithMessage($"A phone number may hold digits, spaces, + ( ) - . and be up to {IntakeLimits.PhoneMaxLength} characters.");
                RuleFor(c => c.TimeZone)
                    .Must(IanaTimeZone.IsValid)
                    .When(c => !string.IsNullOrWhiteSpace(c.TimeZone))
                    .WithMessage("Use an IANA time zone such as \"America/Chicago\", or leave it out.");
                RuleFor(c => c.Pace)
                    .Must(p => WireNames.TryParsePace(p, out _))
                    .When(c => c.Pace is not null)
                    .WithMessage($"Pace is one of: {string.Join(", ", WireNames.PaceNames)}.");
                RuleFor(c => c.PreferredFormat)
                    .Must(f => WireNames.TryParseFormat(f, out _))
                    .When(c => c.PreferredFormat is not null)
                    .WithMessage($"Preferred format is one of: {string.Join(", ", WireNames.FormatNames)}.");
                RuleFor(c => c.Message)
                    .MaximumLength(IntakeLimits.MessageMaxLength)
                    .WithMessage($"Please keep the message to {IntakeLimits.MessageMaxLength} characters; there will be room to say more later.");
                RuleFor(c => c.Consent)
                    .NotNull()
                    .WithMessage("Please confirm that the practice may contact you about this request.");
                RuleFor(c => c.Consent!.Contact)
                    .Equal(true)
                    .When(c => c.Consent is not null)
                    .WithMessage("We can only reply if you agree to be contacted about this request.");
                RuleFor(c => c.Consent!.Version)
                    .Must(BeAConsentVersion!)
                    .When(c => c.Consent is not null)
                    .WithMessage("The consent text version is missing or malformed; please reload the form.");
            });
        }

        private static bool BeAConsentVersion(string? version) =>
            version is { Length: > 0 and <= IntakeLimits.ConsentVersionMaxLength }
            && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

        private static bool BeAUsableIdempotencyKey(string key) => IdempotencyKeys.IsUsable(key);

        private static bool BeAPhoneNumber(string phone) =>
            phone.Length <= IntakeLimits.PhoneMaxLength
            && phone.Any(char.IsAsciiDigit)
            && phone.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '(' or ')' or '-' or '.');
    }

    internal sealed partial class Handler(
        IGrainFactory grains,
        PhiProtector phi,
        BlindIndex blindIndex,
        IOptions<PracticeOptions> practice,
        IntakeMetrics metrics,
        Jobs.OutboxSignal outbox,
        ILogger<Handler> logger) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command command, CancellationToken cancellationToken)
        {
            var pace = WireNames.TryParsePace(command.Pace, out var chosen) ? chosen : Domain.Intake.Pace.Gentle;
            if (command.IsFromBot)
            {
                metrics.HoneypotFilled.Add(1);
                LogHoneypot(logger);
                return new Result(SubmitIntakeOutcome.Created, new Response(Guid.CreateVersion7(), IntakeStatus.Submitted.ToWire(), pace.ToWire()));
            }

            var format = WireNames.TryParseFormat(command.PreferredFormat, out var preferred) ? preferred : Domain.Intake.PreferredFormat.Either;
            var timeZone = string.IsNullOrWhiteSpace(command.TimeZone) ? practice.Value.TimeZone : command.TimeZone;
            var email = command.Email!.Trim();
            var keyHash = command.IdempotencyKey is { } key ? IdempotencyKeys.Hash("", key) : null; // the intake's hash predates purposes

            var submission = new Grains.IntakeRequests.SubmitIntake(
                new SealedContact(
                    await blindIndex.ForEmailAsync(EmailAddress.Normalize(email), cancellationToken),
                    phi.Seal(email)!,
                    phi.Seal(Blank(command.Name)),
                    phi.Seal(Blank(command.Phone))),
                timeZone,
                pace,
                format,
                phi.Seal(Blank(command.Message)),
                CrisisLanguage.Detect(command.Message),
                command.Consent!.Version!,
                keyHash,
                await blindIndex.ForFingerprintAsync(Canonical(command), cancellationToken));

            // With a key, the request id comes from it: every retry lands on the same grain, which
            // answers them one at a time. Without one, each submission is its own request.
            var intakeId = keyHash is null ? Guid.CreateVersion7() : IdempotencyKeys.IdFrom(keyHash);
            var result = await grains.GetGrain<IIntakeRequestGrain>(intakeId).Submit(submission);
            if (result.Outcome == SubmitIntakeOutcome.Created)
            {
                metrics.Submitted.Add(1);

                // The acknowledgement is committed in the outbox already; this only makes it go now, off the request's path.
                outbox.Nudge();
            }

            return new Result(result.Outcome, new Response(result.IntakeId, result.Status.ToWire(), result.Pace.ToWire()));
        }

        private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

        private static string Canonical(Command command) => JsonSerializer.Serialize(command with { IdempotencyKey = null });

        [LoggerMessage(Level = LogLevel.Information, Message = "Intake honeypot was filled; answered as a success and stored nothing")]
        private static partial void LogHoneypot(ILogger logger);
    }

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/", async Task<Results<Created<Response>, ProblemHttpResult>> (
                Command form,
                [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
                IMediator mediator,
                CancellationToken cancellationToken) =>
            {
                var result = await mediator.Send(form with { IdempotencyKey = idempotencyKey }, cancellationToken);
                return result.Outcome == SubmitIntakeOutcome.KeyReusedForDifferentRequest
                    ? TypedResults.Problem(
                        title: "This Idempotency-Key was already used for a different request",
                        detail: "Send a new key with a new form; resend the same form to repeat the first answer.",
                        statusCode: StatusCodes.Status422UnprocessableEntity,
                        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [IdempotencyKeyHeader] = ["Already used for a different request."] } })
                    : TypedResults.Created($"/api/intake/{result.Response.IntakeId}", result.Response);
            })
            .WithName("SubmitIntake")
            .WithSummary("Send an intake request from the public form")
            .WithDescription("No account needed. 201 means the request, the person's consent and the acknowledgement email are stored together. " +
                "Resending the same body with the same Idempotency-Key answers the first 201 again and stores nothing new.")
            .RequireRateLimiting(Security.WebHardening.IntakePolicy)
            .WithMetadata(new RequestSizeLimitAttribute(IntakeLimits.BodyMaxBytes))
            .Accepts<Command>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}

/// <summary>Counts for operators; no labels that could identify anyone.</summary>
public sealed class IntakeMetrics
{
    public IntakeMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("PracticeBackend.Intake");
        Submitted = meter.CreateCounter<long>("practice.intake.submitted", description: "Intake requests stored.");
        HoneypotFilled = meter.CreateCounter<long>("practice.intake.honeypot_filled", description: "Submissions with the honeypot field filled: answered as success, not stored.");
    }

    public Counter<long> Submitted { get; }

    public Counter<long> HoneypotFilled { get; }
}
