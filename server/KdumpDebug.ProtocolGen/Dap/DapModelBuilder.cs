using System.Text;
using System.Text.Json.Nodes;

namespace KdumpDebug.ProtocolGen.Dap;

/// <summary>
/// Turns the DAP JSON schema (draft-04 <c>definitions</c>) plus the custom fragment into a
/// <see cref="DapModel"/>.
/// </summary>
/// <remarks>
/// Design. Every definition is flattened first: <c>allOf</c> parts are merged in order (a
/// <c>$ref</c> part contributes the flattened target), later properties replacing earlier ones in
/// place. A definition whose <c>allOf</c> names <c>Request</c>, <c>Response</c> or <c>Event</c>
/// is a message: only its <c>arguments</c> / <c>body</c> become types, the discriminator comes from
/// the one-value <c>command</c>/<c>event</c> enum. Other object definitions become classes,
/// <c>enum</c> strings C# enums, <c>_enum</c> strings (open sets) constants. Inline objects and
/// inline enums take the name owner + property (<c>StackTraceResponse.body</c> ->
/// <c>StackTraceResponseBody</c>, <c>StackFrame.presentationHint</c> -> <c>StackFramePresentationHint</c>).
/// Integers use the 1.71 <c>format</c>: int32 -> int, every other format -> long.
/// The four envelope definitions (ProtocolMessage, Request, Response, Event) are left to the
/// hand-written transport.
/// </remarks>
public sealed class DapModelBuilder
{
    private static readonly HashSet<string> Envelopes = ["ProtocolMessage", "Request", "Response", "Event"];
    private static readonly HashSet<string> AnyType = ["array", "boolean", "integer", "null", "number", "object", "string"];

    private readonly JsonObject _definitions = new();
    private readonly HashSet<string> _customNames = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, DapClass> _classes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, DapEnum> _enums = new(StringComparer.Ordinal);
    private readonly List<DapRequest> _requests = [];
    private readonly List<DapEvent> _events = [];
    private readonly string _source;

    private DapModelBuilder(string source) => _source = source;

    /// <summary>
    /// Builds the model from the official schema text and an optional custom fragment of the same
    /// shape (<c>{"definitions": {...}}</c>) whose names must not clash with the official ones.
    /// Throws <see cref="SchemaException"/> for a construct the generator does not translate.
    /// </summary>
    public static DapModel Build(string schemaJson, string? customJson, string schemaName = "debugAdapterProtocol.json")
    {
        var b = new DapModelBuilder(schemaName);
        b.AddDefinitions(schemaJson, schemaName, custom: false);
        if (customJson is not null) b.AddDefinitions(customJson, "custom.json", custom: true);
        return b.Run();
    }

    private void AddDefinitions(string json, string file, bool custom)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new SchemaException($"{file}: the root is not a JSON object");
        if (root["definitions"] is not JsonObject defs)
        {
            if (custom && root["definitions"] is null) return;
            throw new SchemaException($"{file}: 'definitions' is missing or not an object");
        }
        foreach (var (name, node) in defs)
        {
            if (_definitions.ContainsKey(name))
                throw new SchemaException($"{file}: definitions/{name} is already defined by the official schema (custom definitions must add new names)");
            if (node is not JsonObject)
                throw new SchemaException($"{file}: definitions/{name} is not an object");
            _definitions[name] = node.DeepClone();
            if (custom) _customNames.Add(name);
        }
    }

    private DapModel Run()
    {
        var requestBodies = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in _definitions.Select(d => d.Key).Order(StringComparer.Ordinal))
        {
            if (Envelopes.Contains(name)) continue;
            var def = (JsonObject)_definitions[name]!;
            var custom = _customNames.Contains(name);
            var flat = Flatten(def, $"definitions/{name}");
            if (flat.Bases.Contains("Request"))
                _requests.Add(new DapRequest(Discriminator(flat, "command", name), name, flat.Description,
                    ArgumentsOrBody(flat, name, "arguments", custom ? DapFileKind.Custom : DapFileKind.Requests), null, custom));
            else if (flat.Bases.Contains("Response"))
                requestBodies[name] = ArgumentsOrBody(flat, name, "body", custom ? DapFileKind.Custom : DapFileKind.Requests);
            else if (flat.Bases.Contains("Event"))
                _events.Add(new DapEvent(Discriminator(flat, "event", name), name, flat.Description,
                    ArgumentsOrBody(flat, name, "body", custom ? DapFileKind.Custom : DapFileKind.Events), custom));
            else
                // `XArguments` definitions belong with their requests, whatever refers to them.
                AddNamedType(name, def, flat, custom ? DapFileKind.Custom
                    : name.EndsWith("Arguments", StringComparison.Ordinal) ? DapFileKind.Requests : DapFileKind.Types);
        }
        // Pair XRequest with XResponse (the schema's naming convention) to know each response body.
        var requests = _requests
            .Select(r => r with { BodyType = requestBodies.GetValueOrDefault(r.DefinitionName[..^"Request".Length] + "Response") })
            .OrderBy(r => r.Command, StringComparer.Ordinal).ToList();
        return new DapModel(_classes.Values.ToList(), _enums.Values.ToList(), requests,
            _events.OrderBy(e => e.EventName, StringComparer.Ordinal).ToList());
    }

    private sealed class Flat
    {
        public List<KeyValuePair<string, JsonObject>> Properties { get; } = [];
        public HashSet<string> Required { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Bases { get; } = new(StringComparer.Ordinal);
        public string? Description { get; set; }
        public JsonObject? AdditionalOwner { get; set; }
    }

    private Flat Flatten(JsonObject schema, string path)
    {
        var flat = new Flat();
        FlattenInto(flat, schema, path, depth: 0);
        return flat;
    }

    private void FlattenInto(Flat flat, JsonObject schema, string path, int depth)
    {
        if (depth > 16) throw new SchemaException($"{_source}: {path}: allOf/$ref nesting deeper than 16 (a cycle?)");
        if (schema["$ref"] is JsonValue r)
        {
            var target = RefName(r, path);
            flat.Bases.Add(target);
            FlattenInto(flat, (JsonObject)_definitions[target]!, $"definitions/{target}", depth + 1);
            return;
        }
        if (schema["allOf"] is JsonArray parts)
        {
            for (var i = 0; i < parts.Count; i++)
                FlattenInto(flat, parts[i] as JsonObject ?? throw new SchemaException($"{_source}: {path}/allOf/{i} is not an object"), $"{path}/allOf/{i}", depth + 1);
            return;
        }
        if (schema["description"] is JsonValue d) flat.Description = (string?)d;
        if (schema["properties"] is JsonObject props)
            foreach (var (key, value) in props)
            {
                var p = value as JsonObject ?? throw new SchemaException($"{_source}: {path}/properties/{key} is not an object");
                var at = flat.Properties.FindIndex(kv => kv.Key == key);
                // A later part refines an inherited property (e.g. `body`): keep the base description
                // when the refinement has none.
                if (at >= 0)
                {
                    if (p["description"] is null && flat.Properties[at].Value["description"] is JsonValue baseDoc)
                    {
                        p = (JsonObject)p.DeepClone();
                        p["description"] = baseDoc.DeepClone();
                    }
                    flat.Properties[at] = new(key, p);
                }
                else flat.Properties.Add(new(key, p));
            }
        if (schema["required"] is JsonArray req)
            foreach (var n in req) flat.Required.Add((string?)n ?? "");
    }

    private string RefName(JsonValue r, string path)
    {
        var text = (string?)r ?? "";
        const string prefix = "#/definitions/";
        if (!text.StartsWith(prefix, StringComparison.Ordinal) || !_definitions.ContainsKey(text[prefix.Length..]))
            throw new SchemaException($"{_source}: {path}: $ref '{text}' does not name a definition");
        return text[prefix.Length..];
    }

    private string Discriminator(Flat flat, string property, string name)
    {
        var p = flat.Properties.FirstOrDefault(kv => kv.Key == property).Value;
        if (p?["enum"] is JsonArray { Count: 1 } e && (string?)e[0] is { Length: > 0 } v) return v;
        throw new SchemaException($"{_source}: definitions/{name}: '{property}' is not an enum of one value");
    }

    /// <summary>The type of a message's <c>arguments</c> or <c>body</c>; null when it has none.</summary>
    private string? ArgumentsOrBody(Flat flat, string owner, string property, DapFileKind file)
    {
        var p = flat.Properties.FirstOrDefault(kv => kv.Key == property).Value;
        if (p is null) return null;
        // The envelope's own `arguments`/`body` (any JSON) is what remains when the message does not refine it.
        if (p["type"] is JsonArray) return null;
        return TypeOf(owner, property, p, file, $"definitions/{owner}/{property}").Text;
    }

    private void AddNamedType(string name, JsonObject def, Flat flat, DapFileKind file)
    {
        var type = (string?)(def["type"] as JsonValue);
        if (type == "string")
        {
            AddEnum(name, def, flat.Description, file, $"definitions/{name}");
            return;
        }
        if (type is not "object" && def["allOf"] is null)
            throw new SchemaException($"{_source}: definitions/{name}: type '{type}' is not translated (only object and string enums)");
        AddClass(name, flat, file, $"definitions/{name}");
    }

    private void AddClass(string name, Flat flat, DapFileKind file, string path)
    {
        if (_classes.ContainsKey(name) || _enums.ContainsKey(name))
            throw new SchemaException($"{_source}: {path}: generated name '{name}' is used twice");
        // Reserve the name first: properties may define nested types.
        _classes[name] = new DapClass(name, flat.Description, file, []);
        var props = new List<DapProperty>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (json, schema) in flat.Properties)
        {
            var cs = Pascal(json);
            // C# forbids a member named like its class (CS0542): `Checksum.checksum` -> ChecksumValue.
            if (cs == name) cs += "Value";
            if (!used.Add(cs)) throw new SchemaException($"{_source}: {path}: properties map to the same C# name '{cs}'");
            var t = TypeOf(name, json, schema, file, $"{path}/properties/{json}");
            props.Add(new DapProperty(json, cs, t, flat.Required.Contains(json), PropertyDoc(schema)));
        }
        _classes[name] = new DapClass(name, flat.Description, file, props);
    }

    private static string? PropertyDoc(JsonObject schema)
    {
        var doc = (string?)(schema["description"] as JsonValue);
        if (schema["_enum"] is JsonArray open)
        {
            var descriptions = schema["enumDescriptions"] as JsonArray;
            var sb = new StringBuilder(doc);
            sb.Append(doc is null ? "" : "\n").Append("Known values (an open set, other strings may appear):");
            for (var i = 0; i < open.Count; i++)
            {
                sb.Append("\n\"").Append((string?)open[i]).Append('"');
                if (descriptions is not null && i < descriptions.Count) sb.Append(": ").Append((string?)descriptions[i]);
            }
            doc = sb.ToString();
        }
        return doc;
    }

    private DapTypeRef TypeOf(string owner, string property, JsonObject schema, DapFileKind file, string path)
    {
        if (schema["$ref"] is JsonValue r)
        {
            var target = RefName(r, path);
            var def = (JsonObject)_definitions[target]!;
            if ((string?)(def["type"] as JsonValue) == "string")
                return def["enum"] is JsonArray ? new(target, true) : new("string", false);
            return new(target, false);
        }
        if (schema["oneOf"] is not null || schema["anyOf"] is not null) return new("JsonElement", true);
        switch (schema["type"])
        {
            case JsonArray types:
            {
                var set = types.Select(t => (string?)t ?? "").ToHashSet();
                if (set.SetEquals(AnyType)) return new("JsonElement", true);
                if (set.SetEquals(["string", "null"])) return new("string", false);
                if (set.SetEquals(["integer", "string"])) return new("IntegerOrString", true);
                throw new SchemaException($"{_source}: {path}: type list [{string.Join(", ", set)}] is not translated");
            }
            case JsonValue v:
                switch ((string?)v)
                {
                    case "string":
                        if (schema["enum"] is JsonArray)
                        {
                            var enumName = owner + Pascal(property);
                            AddEnum(enumName, schema, (string?)(schema["description"] as JsonValue), file, path);
                            return new(enumName, true);
                        }
                        return new("string", false);
                    case "integer":
                        return (string?)(schema["format"] as JsonValue) == "int32" ? new("int", true) : new("long", true);
                    case "number": return new("double", true);
                    case "boolean": return new("bool", true);
                    case "array":
                    {
                        var items = schema["items"] as JsonObject ?? throw new SchemaException($"{_source}: {path}: array without 'items'");
                        var item = TypeOf(owner, property + "Item", items, file, path + "/items");
                        return new($"List<{item.Text}>", false);
                    }
                    case "object":
                        if (schema["additionalProperties"] is JsonObject values)
                        {
                            var value = TypeOf(owner, property + "Value", values, file, path + "/additionalProperties");
                            var nullable = values["type"] is JsonArray va && va.Any(t => (string?)t == "null");
                            return new($"Dictionary<string, {value.Text}{(nullable ? "?" : "")}>", false);
                        }
                        if (schema["additionalProperties"] is JsonValue any && (bool?)any == true && schema["properties"] is null)
                            return new("Dictionary<string, JsonElement>", false);
                        if (schema["properties"] is JsonObject)
                        {
                            var className = owner + Pascal(property);
                            AddClass(className, Flatten(schema, path), file, path);
                            return new(className, false);
                        }
                        return new("JsonElement", true);
                }
                break;
        }
        throw new SchemaException($"{_source}: {path}: no 'type' or '$ref' to translate");
    }

    private void AddEnum(string name, JsonObject schema, string? doc, DapFileKind file, string path)
    {
        if (_classes.ContainsKey(name) || _enums.ContainsKey(name))
            throw new SchemaException($"{_source}: {path}: generated name '{name}' is used twice");
        var closed = schema["enum"] is JsonArray;
        var values = (schema["enum"] ?? schema["_enum"]) as JsonArray
            ?? throw new SchemaException($"{_source}: {path}: a string type with neither 'enum' nor '_enum'");
        var descriptions = schema["enumDescriptions"] as JsonArray;
        var members = new List<DapEnumValue>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            var value = (string?)values[i] ?? throw new SchemaException($"{_source}: {path}: enum value {i} is not a string");
            var cs = Pascal(value);
            if (!used.Add(cs)) throw new SchemaException($"{_source}: {path}: enum values map to the same C# name '{cs}'");
            members.Add(new DapEnumValue(value, cs, descriptions is not null && i < descriptions.Count ? (string?)descriptions[i] : null));
        }
        _enums[name] = new DapEnum(name, doc, file, closed, members);
    }

    /// <summary>
    /// C# name of a JSON name: leading underscores dropped, words split at non-alphanumerics,
    /// each word's first letter upper-cased (<c>function breakpoint</c> -> <c>FunctionBreakpoint</c>,
    /// <c>__restart</c> -> <c>Restart</c>, <c>MD5</c> stays).
    /// </summary>
    public static string Pascal(string json)
    {
        var sb = new StringBuilder();
        var upper = true;
        foreach (var c in json)
        {
            if (!char.IsAsciiLetterOrDigit(c)) { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (sb.Length == 0 || char.IsAsciiDigit(sb[0])) sb.Insert(0, '_');
        return sb.ToString();
    }
}
