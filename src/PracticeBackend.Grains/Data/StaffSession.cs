namespace PracticeBackend.Grains.Data;

/// <summary>
/// A signed-in session kept on the server: the cookie carries only its id, so signing out (or
/// an admin disabling someone) ends it everywhere at once.
/// </summary>
public sealed class StaffSession
{
    public string Id { get; set; } = "";

    public Guid UserId { get; set; }

    public byte[] Ticket { get; set; } = [];

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }
}
