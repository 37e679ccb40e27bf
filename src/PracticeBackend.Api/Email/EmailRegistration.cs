namespace PracticeBackend.Api.Email;

internal static class EmailRegistration
{
    public static IServiceCollection AddPracticeEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>()
            .Bind(configuration.GetSection(EmailOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.FromAddress.Contains('@', StringComparison.Ordinal), "Email:FromAddress must be an email address.")
            .ValidateOnStart();
        services.AddSingleton<ContactLinks>();
        var mode = configuration.GetValue($"{EmailOptions.Section}:Mode", EmailMode.Pickup);
        if (mode == EmailMode.Smtp)
        {
            services.AddSingleton<IMailTransport, SmtpTransport>();
        }
        else
        {
            services.AddSingleton<IMailTransport, PickupTransport>();
        }

        return services;
    }
}
