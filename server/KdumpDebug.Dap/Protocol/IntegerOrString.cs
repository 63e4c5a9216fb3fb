using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KdumpDebug.Dap.Protocol;

/// <summary>
/// A DAP value typed <c>["integer", "string"]</c> in the schema (<c>Module.id</c>,
/// <c>StackFrame.moduleId</c>): either a number or a string, kept as sent. A small value type; no
/// allocation beyond the string.
/// </summary>
[JsonConverter(typeof(IntegerOrStringConverter))]
public readonly record struct IntegerOrString
{
    /// <summary>The integer form, or null when the value is a string.</summary>
    public long? Integer { get; }

    /// <summary>The string form, or null when the value is an integer.</summary>
    public string? String { get; }

    public IntegerOrString(long value) => Integer = value;

    public IntegerOrString(string value) => String = value ?? throw new ArgumentNullException(nameof(value));

    public static implicit operator IntegerOrString(long value) => new(value);

    public static implicit operator IntegerOrString(string value) => new(value);

    /// <summary>The value as text: the string, or the integer in decimal.</summary>
    public override string ToString() => String ?? Integer?.ToString(CultureInfo.InvariantCulture) ?? "";
}

/// <summary>Reads and writes <see cref="IntegerOrString"/> as a JSON number or string.</summary>
public sealed class IntegerOrStringConverter : JsonConverter<IntegerOrString>
{
    public override IntegerOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var n) => new IntegerOrString(n),
            JsonTokenType.String => new IntegerOrString(reader.GetString()!),
            _ => throw new JsonException($"expected an integer or a string, found {reader.TokenType}"),
        };

    public override void Write(Utf8JsonWriter writer, IntegerOrString value, JsonSerializerOptions options)
    {
        if (value.String is not null) writer.WriteStringValue(value.String);
        else writer.WriteNumberValue(value.Integer ?? 0);
    }
}
