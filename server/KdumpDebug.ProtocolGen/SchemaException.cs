namespace KdumpDebug.ProtocolGen;

/// <summary>A protocol definition the generator cannot translate; the message names the file and the JSON path.</summary>
public sealed class SchemaException(string message) : Exception(message);
