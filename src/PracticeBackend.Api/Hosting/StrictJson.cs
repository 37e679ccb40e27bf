using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// One strict reading for every JSON body: text must not carry control characters (PostgreSQL
/// cannot store NUL, and nobody types the others into a form), and a key may appear only once
/// (otherwise the last one would silently win). Responses are written exactly as before.
/// </summary>
internal static class StrictJson
{
    public static IServiceCollection AddStrictJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.AllowDuplicateProperties = false;
            json.SerializerOptions.Converters.Add(new TextWithoutControlCharacters());
        });

    /// <summary>Words for the person about the field a refusal of ours names; null for any other read failure.</summary>
    public static string? Describe(Exception? exception) =>
        exception is ControlCharacterRefused ? ControlCharacterRefused.ForPerson : null;
}

/// <summary>Reads and writes strings as System.Text.Json does, refusing C0 controls other than tab, CR and LF.</summary>
internal sealed class TextWithoutControlCharacters : JsonConverter<string>
{
    private static readonly SearchValues<char> Refused =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(c => (char)c).Where(c => c is not ('\t' or '\r' or '\n'))]);

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(reader.GetString());

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(reader.GetString())!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value);

    private static string? Checked(string? text) =>
        text is not null && text.AsSpan().ContainsAny(Refused) ? throw new ControlCharacterRefused() : text;
}

/// <summary>
/// Says nothing about the text itself (it may be what a person wrote); System.Text.Json adds the
/// JSON path, which names the field.
/// </summary>
internal sealed class ControlCharacterRefused() : JsonException("A JSON string contains a control character.")
{
    public const string ForPerson =
        "This text contains a control character (such as NUL) that can't be stored. Please remove it and send it again.";
}
