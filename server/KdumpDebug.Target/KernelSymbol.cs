namespace KdumpDebug.Target;

/// <summary>
/// A vmlinux (or module) symbol at its run-time address: KASLR-relocated for kernel text and data,
/// unchanged for absolute and per-CPU symbols. <see cref="NmType"/> is the System.map letter
/// (t/T text, d/D data, b/B bss, r/R rodata, A absolute...), which crash prints as "(t)".
/// </summary>
public readonly record struct KernelSymbol(string Name, ulong Address, ulong Size, char NmType, string? Module = null);
