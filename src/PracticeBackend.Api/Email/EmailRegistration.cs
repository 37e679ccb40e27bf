using Microsoft.Extensions.Options;

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
        services.AddSingleton<IValidateOptions<EmailOptions>, DkimValidation>();
        services.AddSingleton<ContactLinks>();
        var mode = configuration.GetValue($"{EmailOptions.Section}:Mode", EmailMode.Pickup);
        if (mode == EmailMode.Smtp)
        {
            services.AddSingleton<SmtpTransport>();
        }
        else
        {
            services.AddSingleton<PickupTransport>();
        }

        var signs = configuration.GetSection($"{EmailOptions.Section}:Dkim").Get<DkimSettings>()?.IsConfigured == true;
        if (signs)
        {
            // Reading the options' value validates them (DkimValidation) before the signer reads the key.
            services.AddSingleton(sp => DkimSigning.Create(sp.GetRequiredService<IOptions<EmailOptions>>().Value.Dkim));
            services.AddHostedService<DkimSigningAtStart>();
        }

        services.AddSingleton<IMailTransport>(sp =>
        {
            IMailTransport transport = mode == EmailMode.Smtp ? sp.GetRequiredService<SmtpTransport>() : sp.GetRequiredService<PickupTransport>();
            return signs ? new SigningMailTransport(transport, sp.GetRequiredService<DkimSigning>()) : transport;
        });
        return services;
    }
}
