using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Grains.Clients;

namespace PracticeBackend.Api.Email;

/// <summary>The person's one-click links, from the tokens the person's grain issued for a message (LinkTokens).</summary>
public sealed class ContactLinks(IOptions<PracticeOptions> practice)
{
    public const string RoutePrefix = "/email";

    /// <summary>Where an offer's link opens its page (pick a time, none work, not now).</summary>
    public const string OfferRoutePrefix = "/offers";

    /// <summary>Where a session's manage link opens its page (as it stands now; cancel, or ask for another time).</summary>
    public const string ManageRoutePrefix = "/sessions";

    public MessageLinks For(IssuedLinks tokens)
    {
        Uri Link(string token) => new(practice.Value.PublicBaseUrl!, $"{RoutePrefix}/{token}");

        return new MessageLinks(
            Stop: Link(tokens.Stop),
            Pause: Link(tokens.Pause),
            ChangePace: Link(tokens.ChangePace),
            NotNow: Link(tokens.NotNow),
            EraseMyData: Link(tokens.Erase),
            ConfirmAddress: tokens.ConfirmAddress is { } confirm ? Link(confirm) : null,
            Offer: tokens.Offer is { } offer ? new Uri(practice.Value.PublicBaseUrl!, $"{OfferRoutePrefix}/{offer}") : null,
            Manage: tokens.Manage is { } manage ? new Uri(practice.Value.PublicBaseUrl!, $"{ManageRoutePrefix}/{manage}") : null,
            Reminders: tokens.Reminders is { } reminders ? Link(reminders) : null);
    }
}
