namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>Which of the two call-frame section formats a <see cref="CfiTable"/> reads.</summary>
public enum CfiFormat
{
    /// <summary><c>.debug_frame</c> (DWARF 5 §6.4): CIE id all ones, CIE pointers are section offsets.</summary>
    DebugFrame,
    /// <summary><c>.eh_frame</c> (LSB 5.0): CIE id 0, CIE pointers relative, encoded pointers, zero terminator.</summary>
    EhFrame,
}
