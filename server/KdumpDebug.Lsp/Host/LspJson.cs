using System.Text.Json;
using System.Text.Json.Serialization;

namespace KdumpDebug.Lsp.Host;

/// <summary>
/// The System.Text.Json options of the connection: protocol names come from the generated
/// <c>[JsonPropertyName]</c>s, absent optional properties are left out (LSP clients treat a null
/// differently from a missing property), and <c>object</c>-typed union properties are written as
/// their runtime type (read back as JsonElement). Reading is lenient: a property the protocol
/// marks required (C# <c>required</c>) may be missing from what a client sends — it is then null
/// and the handler answers empty — rather than failing the whole message.
/// </summary>
public static class LspJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create() => new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Clients add properties of newer protocol versions; unknown ones are ignored.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        Converters = { new LenientStringConverter() },
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
        {
            Modifiers = { info => { foreach (var p in info.Properties) p.IsRequired = false; } },
        },
    };

    /// <summary>Reads a union member (a JsonElement after deserialization) as <typeparamref name="T"/>; null when it is not one.</summary>
    public static T? As<T>(object? value) where T : class
    {
        try
        {
            return value switch
            {
                T t => t,
                JsonElement { ValueKind: JsonValueKind.Object } e => e.Deserialize<T>(Options),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
