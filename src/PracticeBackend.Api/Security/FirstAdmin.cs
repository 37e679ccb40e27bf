using Microsoft.AspNetCore.Identity;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Staff;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Creates the first admin from <c>PRACTICE_ADMIN_EMAIL</c> and <c>PRACTICE_ADMIN_PASSWORD</c> when no
/// admin exists yet; otherwise does nothing. Runs after migrations (both in the Starting phase, in order).
/// </summary>
internal sealed partial class FirstAdmin(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<FirstAdmin> logger)
    : StartingPhaseTask
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

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        foreach (var role in StaffRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole<Guid>(role));
            }
        }

        if ((await users.GetUsersInRoleAsync(StaffRoles.Admin)).Count > 0)
        {
            return;
        }

        var admin = new StaffUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true, CreatedAt = DateTime.UtcNow };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
        {
            // Identity's error codes name the rule (e.g. PasswordTooShort), never the password.
            throw new InvalidOperationException(
                $"{EmailVariable}/{PasswordVariable} could not create the first admin: {string.Join(", ", created.Errors.Select(e => e.Code))}");
        }

        await users.AddToRoleAsync(admin, StaffRoles.Admin);
        LogCreated(logger, admin.Id);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "First admin {UserId} created from the environment")]
    private static partial void LogCreated(ILogger logger, Guid userId);
}
