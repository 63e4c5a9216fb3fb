using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Target.Modules;

/// <summary>
/// Walks the kernel's <c>modules</c> list (kernel/module/main.c) and reads each module's name,
/// core allocation and kallsyms symbol table (<c>mod->kallsyms</c>: an Elf64_Sym array, its string
/// table and, since v5.2, a parallel table of nm type letters). Struct layouts come from DWARF
/// through <see cref="ITypeLayouts"/>; Elf64_Sym is the ELF ABI. Cost: one read per module plus
/// its symbol and string tables; done once per target. A corrupt list (a loop, a bad pointer)
/// ends the walk with what was read so far, reported in <see cref="Problems"/>.
/// </summary>
public sealed class ModuleListReader
{
    /// <summary>No kernel loads more modules than this; a longer list is corrupt.</summary>
    const int MaxModules = 1 << 14;
    const int MaxSymbolsPerModule = 1 << 20;
    const int MaxSymbolName = 1024;
    const int Elf64SymSize = 24;

    readonly IKernelTarget _target;
    readonly ITypeLayouts _layouts;
    readonly List<string> _problems = [];

    public ModuleListReader(IKernelTarget target, ITypeLayouts layouts)
    {
        _target = target;
        _layouts = layouts;
    }

    /// <summary>What stopped or skipped part of the walk (one line each), for the caller to show.</summary>
    public IReadOnlyList<string> Problems => _problems;

    public IReadOnlyList<KernelModule> ReadAll()
    {
        var modules = new List<KernelModule>();
        if (!_target.TryLookupSymbol("modules", out var head)) return modules; // CONFIG_MODULES=n
        if (!_layouts.TryGetMemberOffset("module", "list", out var listOffset)
            || !_layouts.TryGetMemberOffset("module", "name", out var nameOffset)
            || !_layouts.TryGetMemberSize("module", "name", out var nameSize))
        {
            _problems.Add("modules: struct module has no list/name members in the debug info");
            return modules;
        }
        var visited = new HashSet<ulong>();
        ulong next;
        try
        {
            next = ReadU64(head.Address);
        }
        catch (KdumpDebugException e)
        {
            _problems.Add($"modules: cannot read the list head: {e.Message}");
            return modules;
        }
        while (next != head.Address)
        {
            if (modules.Count >= MaxModules || !visited.Add(next))
            {
                _problems.Add($"modules: list loops at {next:x}; stopped after {modules.Count} modules");
                break;
            }
            var module = next - listOffset;
            try
            {
                modules.Add(ReadModule(module, nameOffset, (int)Math.Min(nameSize, 256)));
                next = ReadU64(next);
            }
            catch (KdumpDebugException e)
            {
                _problems.Add($"modules: module at {module:x}: {e.Message}");
                break;
            }
        }
        return modules;
    }

    KernelModule ReadModule(ulong module, ulong nameOffset, int nameSize)
    {
        var nameBytes = new byte[nameSize];
        _target.ReadVirtual(module + nameOffset, nameBytes);
        var end = Array.IndexOf(nameBytes, (byte)0);
        var name = Encoding.UTF8.GetString(nameBytes, 0, end < 0 ? nameBytes.Length : end);
        var (baseAddress, size) = ReadCoreExtent(module);
        var symbols = ReadKallsyms(module, name);
        return new KernelModule(name, module, baseAddress, size, symbols);
    }

    /// <summary>Start and size of the module's core allocation, by the layout this kernel has.</summary>
    (ulong Base, ulong Size) ReadCoreExtent(ulong module)
    {
        // Since v6.4 (commit ac3b43283923 "module: replace module_layout with module_memory")
        // a module has mem[MOD_MEM_NUM_TYPES]; mem[MOD_TEXT = 0] starts the module.
        if (_layouts.TryGetMemberOffset("module", "mem", out var mem)
            && _layouts.TryGetMemberOffset("module_memory", "base", out var memBase)
            && _layouts.TryGetMemberOffset("module_memory", "size", out var memSize))
            return (ReadU64(module + mem + memBase), ReadU32(module + mem + memSize));
        // v4.5..v6.3: struct module_layout core_layout (commit 7523e4dc5057).
        if (_layouts.TryGetMemberOffset("module", "core_layout.base", out var layoutBase)
            && _layouts.TryGetMemberOffset("module", "core_layout.size", out var layoutSize))
            return (ReadU64(module + layoutBase), ReadU32(module + layoutSize));
        // Before v4.5: module_core / core_size.
        if (_layouts.TryGetMemberOffset("module", "module_core", out var core)
            && _layouts.TryGetMemberOffset("module", "core_size", out var coreSize))
            return (ReadU64(module + core), ReadU32(module + coreSize));
        return (0, 0);
    }

    IReadOnlyList<KernelSymbol> ReadKallsyms(ulong module, string moduleName)
    {
        if (!_layouts.TryGetMemberOffset("module", "kallsyms", out var kallsymsOffset)
            || !_layouts.TryGetMemberOffset("mod_kallsyms", "symtab", out var symtabOffset)
            || !_layouts.TryGetMemberOffset("mod_kallsyms", "num_symtab", out var countOffset)
            || !_layouts.TryGetMemberOffset("mod_kallsyms", "strtab", out var strtabOffset))
            return [];
        var kallsyms = ReadU64(module + kallsymsOffset);
        if (kallsyms == 0) return [];
        var symtab = ReadU64(kallsyms + symtabOffset);
        var count = ReadU32(kallsyms + countOffset);
        var strtab = ReadU64(kallsyms + strtabOffset);
        // typetab: one nm letter per symbol, since v5.2 (commit 1c7651f43777).
        var typetab = _layouts.TryGetMemberOffset("mod_kallsyms", "typetab", out var typeOffset) ? ReadU64(kallsyms + typeOffset) : 0;
        if (count > MaxSymbolsPerModule)
        {
            _problems.Add($"modules: {moduleName}: kallsyms num_symtab {count} is past the limit {MaxSymbolsPerModule}");
            return [];
        }
        var table = new byte[count * Elf64SymSize];
        _target.ReadVirtual(symtab, table);
        byte[]? types = null;
        if (typetab != 0)
        {
            types = new byte[count];
            _target.ReadVirtual(typetab, types);
        }
        var strings = new StringTableReader(_target, strtab);
        var symbols = new List<KernelSymbol>((int)count);
        for (var i = 0; i < count; i++)
        {
            var sym = table.AsSpan(i * Elf64SymSize, Elf64SymSize);
            var nameIndex = BinaryPrimitives.ReadUInt32LittleEndian(sym);
            var info = sym[4];
            var shndx = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(sym[8..]);
            var size = BinaryPrimitives.ReadUInt64LittleEndian(sym[16..]);
            var kind = info & 0xf;
            // Skip the null symbol, undefined symbols, and STT_SECTION (3) / STT_FILE (4).
            if (nameIndex == 0 || shndx == 0 || kind is 3 or 4) continue;
            var name = strings.Read(nameIndex);
            if (name.Length == 0) continue;
            var type = types is not null ? (char)types[i] : ElfTypeLetter(info);
            symbols.Add(new KernelSymbol(name, value, size, type, moduleName));
        }
        symbols.Sort(static (a, b) => a.Address.CompareTo(b.Address));
        return symbols;
    }

    /// <summary>The nm letter for kernels without typetab: text or data, upper case when global.</summary>
    static char ElfTypeLetter(byte info)
    {
        var letter = (info & 0xf) == 2 ? 't' : 'd';
        return info >> 4 == 1 ? char.ToUpperInvariant(letter) : letter;
    }

    ulong ReadU64(ulong address)
    {
        Span<byte> b = stackalloc byte[8];
        _target.ReadVirtual(address, b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    uint ReadU32(ulong address)
    {
        Span<byte> b = stackalloc byte[4];
        _target.ReadVirtual(address, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    /// <summary>Reads NUL-terminated names from a string table in memory, one page at a time.</summary>
    sealed class StringTableReader(IKernelTarget target, ulong start)
    {
        readonly Dictionary<ulong, byte[]> _pages = new();

        public string Read(uint offset)
        {
            var bytes = new List<byte>(32);
            var address = start + offset;
            while (bytes.Count < MaxSymbolName)
            {
                var page = address & ~0xfffUL;
                if (!_pages.TryGetValue(page, out var data))
                {
                    data = new byte[4096];
                    target.ReadVirtual(page, data);
                    _pages[page] = data;
                }
                var b = data[address & 0xfff];
                if (b == 0) break;
                bytes.Add(b);
                address++;
            }
            return Encoding.UTF8.GetString(bytes.ToArray());
        }
    }
}
