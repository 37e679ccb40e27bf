using System.Net;
using System.Net.Sockets;

namespace PracticeBackend.Testing;

/// <summary>
/// Orleans rejects port 0 and silently shares a busy port (SO_REUSEPORT, STACK P6), so every silo in
/// a test gets ports the OS just handed out.
/// </summary>
public static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
