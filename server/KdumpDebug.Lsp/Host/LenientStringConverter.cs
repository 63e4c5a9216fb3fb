using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KdumpDebug.Lsp.Host;

/// <summary>
/// Reads JSON strings that System.Text.Json refuses — bytes that are not UTF-8, or a lone
/// surrogate escape (<c>"\ud800"</c>) — by decoding them with U+FFFD replacement characters, as
/// an editor shows an undecodable file. Without it, a didOpen of such a document would be dropped
/// whole. Valid strings take the normal path (<see cref="Utf8JsonReader.GetString"/>); only a
/// refused one is decoded here, in one pass over its raw bytes.
/// </summary>
public sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected a string, not {reader.TokenType}");
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
            return Decode(raw);
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>Unescapes the raw (still escaped) bytes of a JSON string, replacing invalid UTF-8 and lone surrogates with U+FFFD.</summary>
    public static string Decode(byte[] raw)
    {
        var text = new UTF8Encoding(false, false).GetString(raw); // invalid bytes -> U+FFFD
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length)
            {
                sb.Append(c);
                continue;
            }
            var e = text[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' when i + 4 < text.Length && ushort.TryParse(text.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }
        // Lone surrogates cannot be written back as UTF-8: replace them.
        for (var i = 0; i < sb.Length; i++)
        {
            if (char.IsHighSurrogate(sb[i]) && i + 1 < sb.Length && char.IsLowSurrogate(sb[i + 1])) { i++; continue; }
            if (char.IsSurrogate(sb[i])) sb[i] = '\uFFFD';
        }
        return sb.ToString();
    }
}
