namespace KdumpDebug.Dump.Compression;

/// <summary>Outcome of <see cref="Lzo1xDecompressor.TryDecompress"/> (liblzo's LZO_E_* codes).</summary>
public enum Lzo1xResult
{
    /// <summary>LZO_E_OK: the stream ended with its end marker exactly at the end of the input.</summary>
    Ok,
    /// <summary>LZO_E_INPUT_OVERRUN: the input ended inside an instruction or before the end marker.</summary>
    InputOverrun,
    /// <summary>LZO_E_OUTPUT_OVERRUN: the data does not fit the output buffer.</summary>
    OutputOverrun,
    /// <summary>LZO_E_LOOKBEHIND_OVERRUN: a match refers to bytes before the start of the output.</summary>
    LookbehindOverrun,
    /// <summary>LZO_E_INPUT_NOT_CONSUMED: bytes follow the end marker.</summary>
    InputNotConsumed,
}
