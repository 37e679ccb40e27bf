using Microsoft.AspNetCore.Identity;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Creates the first admin from <c>PRACTICE_ADMIN_EMAIL</c> and <c>PRACTICE_ADMIN_PASSWORD</c> when no
/// admin exists yet; otherwise does nothing. Runs after migrations (both in the Starting phase, in order),
/// under the start-up lock, so that nodes starting together create one admin and neither fails.
/// </summary>
internal sealed partial class FirstAdmin(
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    StartUpLock startUpLock,
    PracticeClock clock,
    ILogger<FirstAdmin> logger) : StartingPhaseTask
{
    public const string EmailVariable = "PRACTICE_ADMIN_EMAIL";
    public const string PasswordVariable = "PRACTICE_ADMIN_PASSWORD";

    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        var email = configuration[EmailVariable];
        var password = configuration[PasswordVariable];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return;
        }

        await using var exclusive = await startUpLock.AcquireAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        await EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<Guid>>>());

        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        if ((await users.GetUsersInRoleAsync(StaffRoles.Admin)).Count > 0)
        {
            return;
        }

        // The account and its role together, or neither: a crash in between must not leave an
        // account that blocks the next start with "already taken".
        var db = scope.ServiceProvider.GetRequiredService<PracticeDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var admin = new StaffUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true, CreatedAt = clock.GetUtcNow().UtcDateTime };
        Require(await users.CreateAsync(admin, password));
        Require(await users.AddToRoleAsync(admin, StaffRoles.Admin));
        await transaction.CommitAsync(cancellationToken);
        LogCreated(logger, admin.Id);
    }

    private static async Task EnsureRolesAsync(RoleManager<IdentityRole<Guid>> roles)
    {
        foreach (var role in StaffRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                var created = await roles.CreateAsync(new IdentityRole<Guid>(role));
                if (!created.Succeeded && created.Errors.Any(e => e.Code != nameof(IdentityErrorDescriber.DuplicateRoleName)))
                {
                    throw new InvalidOperationException($"The staff role {role} could not be created: {Codes(created)}");
                }
            }
        }
    }

    private static void Require(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{EmailVariable}/{PasswordVariable} could not create the first admin. {Reasons(result)}");
        }
    }

    /// <summary>Password rules in words (they never quote the password); other errors by code only, since their words quote the email.</summary>
    private static string Reasons(IdentityResult result) =>
        string.Join(" ", result.Errors.Select(e => e.Code.StartsWith("Password", StringComparison.Ordinal)
            ? $"{PasswordVariable} was refused ({e.Code}): {e.Description}"
            : e.Code));

    private static string Codes(IdentityResult result) => string.Join(", ", result.Errors.Select(e => e.Code));

    [LoggerMessage(Level = LogLevel.Information, Message = "First admin {UserId} created from the environment")]
    private static partial void LogCreated(ILogger logger, Guid userId);
}
