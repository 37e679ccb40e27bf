namespace PracticeBackend.Grains.Data;

/// <summary>A key the application made for itself (e.g. the blind-index key), stored sealed by Data Protection.</summary>
public sealed class AppSecret
{
    public string Name { get; set; } = "";

    public byte[] ProtectedValue { get; set; } = [];

    public DateTime CreatedAt { get; set; }
}
