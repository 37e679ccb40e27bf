using System.Net;

namespace PracticeBackend.Api.Security;

/// <summary>
/// The proxies listed in <c>Practice:Network:KnownProxies</c>: single addresses ("10.0.0.5") or networks
/// ("10.0.0.0/24"). Only their X-Forwarded-For/-Proto are believed; with none listed, nobody's are.
/// </summary>
internal sealed record KnownProxies(IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Networks)
{
    public bool IsEmpty => Addresses.Count == 0 && Networks.Count == 0;

    public static KnownProxies Parse(IEnumerable<string> entries)
    {
        var addresses = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        foreach (var entry in entries.Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            if (IPAddress.TryParse(entry, out var address))
            {
                addresses.Add(address);
            }
            else if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else
            {
                throw new InvalidOperationException(
                    $"Practice:Network:KnownProxies: \"{entry}\" is neither an IP address (10.0.0.5) nor a network (10.0.0.0/24).");
            }
        }

        return new KnownProxies(addresses, networks);
    }
}
