using System.Text.Json.Nodes;
using KdumpDebug.ProtocolGen.Dap;

namespace KdumpDebug.ProtocolGen.Lsp;

/// <summary>
/// Turns the LSP meta model (metaModel.json) into an <see cref="LspModel"/> holding only what a
/// list of methods needs.
/// </summary>
/// <remarks>
/// Design. The whole model has 387 structures, most of them for features this server does not
/// offer; generating them all would add thousands of unused lines. The rule: start from the
/// <c>params</c> and <c>result</c> types of the methods listed in methods.json (beside the
/// output), plus its <c>types</c> list, and follow every reference transitively. Items marked
/// <c>proposed</c> (not final in the spec) are left out, properties included.
///
/// Type mapping: <c>string</c>, <c>DocumentUri</c>, <c>URI</c>, <c>RegExp</c> and string literals
/// -> string; <c>integer</c>/<c>uinteger</c> -> int (the spec bounds uinteger to 2^31-1);
/// <c>decimal</c> -> double; <c>boolean</c> -> bool; arrays -> List&lt;T&gt;; maps ->
/// Dictionary&lt;string, T&gt;; <c>LSPAny</c>/<c>LSPObject</c>/<c>LSPArray</c> -> JsonElement;
/// other type aliases are replaced by their definition. <c>T | null</c> is a nullable T; any other
/// <c>or</c> (and <c>and</c>, <c>tuple</c>) whose alternatives do not all map to one C# type is
/// <c>object</c>: the value written is the runtime type of what the server puts there, a value
/// read is a JsonElement (the doc comment lists the alternatives). An inline <c>literal</c> that
/// is a property's type becomes a class named owner + property (<c>TextDocumentClientCapabilities</c>
/// ...). Integer enumerations are C# enums (numbers on the wire), string enumerations classes of
/// constants (properties stay string, as the sets are open). Structures are flattened: the
/// properties of <c>extends</c> and <c>mixins</c> first, then their own.
/// </remarks>
public sealed class LspModelBuilder
{
    private readonly string _source;
    private readonly Dictionary<string, JsonObject> _structures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _enumerations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _aliases = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, LspClass> _classes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, LspEnum> _enums = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);

    private LspModelBuilder(string source) => _source = source;

    /// <summary>
    /// Builds the model for the methods (and extra type names) of <paramref name="methodsJson"/>
    /// (<c>{"methods": ["initialize", ...], "types": ["..."]}</c>). Throws
    /// <see cref="SchemaException"/> naming the file and item for anything not translated.
    /// </summary>
    public static LspModel Build(string metaModelJson, string methodsJson, string source = "metaModel.json")
    {
        var b = new LspModelBuilder(source);
        var root = JsonNode.Parse(metaModelJson) as JsonObject ?? throw new SchemaException($"{source}: the root is not a JSON object");
        var selection = JsonNode.Parse(methodsJson) as JsonObject ?? throw new SchemaException("methods.json: the root is not a JSON object");
        foreach (var s in Items(root, "structures", source)) b._structures[Name(s, source)] = s;
        foreach (var e in Items(root, "enumerations", source)) b._enumerations[Name(e, source)] = e;
        foreach (var a in Items(root, "typeAliases", source)) b._aliases[Name(a, source)] = a;

        var wanted = (selection["methods"] as JsonArray ?? throw new SchemaException("methods.json: 'methods' is missing"))
            .Select(m => (string?)m ?? throw new SchemaException("methods.json: a method is not a string")).ToList();
        var byMethod = new Dictionary<string, (JsonObject Node, bool Request)>(StringComparer.Ordinal);
        foreach (var r in Items(root, "requests", source)) byMethod[(string)r["method"]!] = (r, true);
        foreach (var n in Items(root, "notifications", source)) byMethod[(string)n["method"]!] = (n, false);

        var methods = new List<LspMethod>();
        foreach (var method in wanted.Distinct().Order(StringComparer.Ordinal))
        {
            if (!byMethod.TryGetValue(method, out var m))
                throw new SchemaException($"methods.json: method '{method}' is not in {source}");
            var typeName = (string)m.Node["typeName"]!;
            var paramsType = m.Node["params"] is JsonObject p ? b.Map(p, typeName, "Params", $"{method}/params").Text : null;
            var resultType = m.Node["result"] is JsonObject r ? b.Map(r, typeName, "Result", $"{method}/result").Text : null;
            methods.Add(new LspMethod(method, typeName, m.Request, (string?)m.Node["messageDirection"] ?? "", paramsType, resultType,
                (string?)m.Node["documentation"]));
        }
        foreach (var extra in (selection["types"] as JsonArray ?? []).Select(t => (string)t!))
            b.Map(new JsonObject { ["kind"] = "reference", ["name"] = extra }, extra, "", $"types/{extra}");

        var version = (string?)root["metaData"]?["version"] ?? "?";
        return new LspModel(version, b._classes.Values.ToList(), b._enums.Values.ToList(), methods);
    }

    private static IEnumerable<JsonObject> Items(JsonObject root, string key, string source) =>
        (root[key] as JsonArray ?? throw new SchemaException($"{source}: '{key}' is missing"))
        .Select(i => i as JsonObject ?? throw new SchemaException($"{source}: an item of '{key}' is not an object"));

    private static string Name(JsonObject item, string source) =>
        (string?)item["name"] ?? throw new SchemaException($"{source}: an item has no name");

    private static bool Proposed(JsonObject node) => node["proposed"] is JsonValue v && (bool)v;

    /// <summary>A C# type: its text, whether it is a value type, and whether the meta type allowed null.</summary>
    private readonly record struct CsType(string Text, bool ValueType, bool Null = false);

    private static readonly CsType Object = new("object", false);
    private static readonly CsType Element = new("JsonElement", true);

    private CsType Map(JsonObject type, string owner, string property, string path)
    {
        var kind = (string?)type["kind"] ?? throw new SchemaException($"{_source}: {path}: a type has no kind");
        switch (kind)
        {
            case "base":
                return (string)type["name"]! switch
                {
                    "string" or "DocumentUri" or "URI" or "RegExp" => new("string", false),
                    "integer" or "uinteger" => new("int", true),
                    "decimal" => new("double", true),
                    "boolean" => new("bool", true),
                    "null" => new("object", false, Null: true),
                    var other => throw new SchemaException($"{_source}: {path}: base type '{other}' is not translated"),
                };
            case "stringLiteral": return new("string", false);
            case "integerLiteral": return new("int", true);
            case "booleanLiteral": return new("bool", true);
            case "reference": return Reference((string)type["name"]!, path);
            case "array":
            {
                var element = Map((JsonObject)type["element"]!, owner, property + "Item", path + "/element");
                return new($"List<{element.Text}>", false);
            }
            case "map":
            {
                var value = Map((JsonObject)type["value"]!, owner, property + "Value", path + "/value");
                return new($"Dictionary<string, {value.Text}>", false);
            }
            case "literal":
            {
                var name = owner + property;
                if (_structures.ContainsKey(name) || _enumerations.ContainsKey(name) || _aliases.ContainsKey(name))
                    throw new SchemaException($"{_source}: {path}: the inline type's name {name} is taken by a definition");
                if (!_classes.ContainsKey(name) && _inProgress.Add(name))
                {
                    var props = (JsonArray)type["value"]!["properties"]!;
                    _classes[name] = new LspClass(name, null, Properties(name, props.Cast<JsonObject>(), path));
                    _inProgress.Remove(name);
                }
                return new(name, false);
            }
            case "or":
            {
                var items = ((JsonArray)type["items"]!).Cast<JsonObject>().ToList();
                var mapped = new List<CsType>();
                var hasNull = false;
                foreach (var item in items)
                {
                    if ((string?)item["kind"] == "base" && (string?)item["name"] == "null") { hasNull = true; continue; }
                    // Alternatives inside a union are not generated as classes (the union is object).
                    mapped.Add(item["kind"]?.ToString() == "literal" ? Object : Map(item, owner, property, path + "/or"));
                }
                if (mapped.Count > 0 && mapped.All(m => m.Text == mapped[0].Text)) return mapped[0] with { Null = hasNull };
                return Object with { Null = hasNull };
            }
            case "and":
            case "tuple":
                foreach (var item in ((JsonArray)type["items"]!).Cast<JsonObject>())
                    if ((string?)item["kind"] != "literal") Map(item, owner, property, path + "/" + kind);
                return Object;
            default:
                throw new SchemaException($"{_source}: {path}: type kind '{kind}' is not translated");
        }
    }

    private CsType Reference(string name, string path)
    {
        if (name is "LSPAny" or "LSPObject" or "LSPArray") return Element;
        if (_aliases.TryGetValue(name, out var alias))
            return Map((JsonObject)alias["type"]!, name, "", $"typeAliases/{name}");
        if (_enumerations.TryGetValue(name, out var e))
        {
            var isString = (string?)e["type"]?["name"] == "string";
            if (!_enums.ContainsKey(name)) AddEnum(name, e, isString);
            return isString ? new("string", false) : new(name, true);
        }
        if (_structures.TryGetValue(name, out var s))
        {
            if (!_classes.ContainsKey(name) && _inProgress.Add(name))
            {
                _classes[name] = new LspClass(name, (string?)s["documentation"], Flatten(name, s, $"structures/{name}"));
                _inProgress.Remove(name);
            }
            return new(name, false);
        }
        throw new SchemaException($"{_source}: {path}: reference to unknown type '{name}'");
    }

    private void AddEnum(string name, JsonObject e, bool isString)
    {
        var values = new List<LspEnumValue>();
        foreach (var v in ((JsonArray)e["values"]!).Cast<JsonObject>())
        {
            if (Proposed(v)) continue;
            var text = isString ? $"\"{(string)v["value"]!}\"" : v["value"]!.ToJsonString();
            values.Add(new LspEnumValue(DapModelBuilder.Pascal((string)v["name"]!), text, (string?)v["documentation"]));
        }
        _enums[name] = new LspEnum(name, (string?)e["documentation"], isString, values);
    }

    private List<LspProperty> Flatten(string name, JsonObject structure, string path)
    {
        var all = new List<JsonObject>();
        void Collect(JsonObject s)
        {
            foreach (var key in new[] { "extends", "mixins" })
                foreach (var parent in (s[key] as JsonArray ?? []).Cast<JsonObject>())
                {
                    var parentName = (string)parent["name"]!;
                    if (!_structures.TryGetValue(parentName, out var p))
                        throw new SchemaException($"{_source}: {path}: {key} names unknown structure '{parentName}'");
                    Collect(p);
                }
            foreach (var prop in (s["properties"] as JsonArray ?? []).Cast<JsonObject>())
            {
                var at = all.FindIndex(x => (string?)x["name"] == (string?)prop["name"]);
                if (at >= 0) all[at] = prop; else all.Add(prop);
            }
        }
        Collect(structure);
        return Properties(name, all, path);
    }

    /// <summary>A meta type in TypeScript-like notation, for doc comments of <c>object</c> properties.</summary>
    private static string Describe(JsonObject type) => (string?)type["kind"] switch
    {
        "base" or "reference" => (string)type["name"]!,
        "array" => Describe((JsonObject)type["element"]!) + "[]",
        "map" => $"map<{Describe((JsonObject)type["key"]!)}, {Describe((JsonObject)type["value"]!)}>",
        "or" => string.Join(" | ", ((JsonArray)type["items"]!).Cast<JsonObject>().Select(Describe)),
        "and" => string.Join(" & ", ((JsonArray)type["items"]!).Cast<JsonObject>().Select(Describe)),
        "tuple" => "[" + string.Join(", ", ((JsonArray)type["items"]!).Cast<JsonObject>().Select(Describe)) + "]",
        "stringLiteral" => $"'{(string)type["value"]!}'",
        "literal" => "{ " + string.Join("; ", ((JsonArray)type["value"]!["properties"]!).Cast<JsonObject>()
            .Select(p => (string)p["name"]! + (p["optional"] is JsonValue o && (bool)o ? "?" : "") + ": " + Describe((JsonObject)p["type"]!))) + " }",
        var k => k ?? "?",
    };

    private List<LspProperty> Properties(string owner, IEnumerable<JsonObject> props, string path)
    {
        var result = new List<LspProperty>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prop in props)
        {
            if (Proposed(prop)) continue;
            var json = (string)prop["name"]!;
            var cs = DapModelBuilder.Pascal(json);
            // C# forbids a member named like its class (CS0542).
            if (cs == owner) cs += "Value";
            if (!used.Add(cs)) throw new SchemaException($"{_source}: {path}: properties map to the same C# name '{cs}'");
            var t = Map((JsonObject)prop["type"]!, owner, DapModelBuilder.Pascal(json), $"{path}/{json}");
            var doc = (string?)prop["documentation"];
            if (t.Text == "object") doc = (doc is null ? "" : doc + "\n") + "On the wire: " + Describe((JsonObject)prop["type"]!) + ".";
            var optional = prop["optional"] is JsonValue o && (bool)o;
            result.Add(new LspProperty(json, cs, t.Text, optional, t.Null, t.ValueType, doc));
        }
        return result;
    }
}
