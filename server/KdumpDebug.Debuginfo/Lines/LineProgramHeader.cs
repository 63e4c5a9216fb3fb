using System.Text;

namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// The header of one line-number program (one unit of <c>.debug_line</c>, DWARF 2-5 §6.2.4):
/// the state-machine parameters, the include directories and the file names, plus the file paths
/// as crash prints them. Parsed once per unit; the file paths are joined on first use.
/// </summary>
internal sealed class LineProgramHeader
{
    public long UnitOffset { get; private init; }
    /// <summary>Offset just past the unit (unit_length included).</summary>
    public int UnitEnd { get; private init; }
    /// <summary>Offset of the first opcode.</summary>
    public int ProgramOffset { get; private init; }
    public int Version { get; private init; }
    public bool Offset64 { get; private init; }
    public byte MinimumInstructionLength { get; private init; }
    public byte MaximumOperationsPerInstruction { get; private init; }
    public bool DefaultIsStmt { get; private init; }
    public sbyte LineBase { get; private init; }
    public byte LineRange { get; private init; }
    public byte OpcodeBase { get; private init; }
    public byte[] StandardOpcodeLengths { get; private init; } = [];
    public List<PathRef> Directories { get; } = [];
    public List<(PathRef Name, ulong Directory)> Files { get; } = [];

    /// <summary>
    /// A directory or file name: inline, or an offset into .debug_line_str / .debug_str decoded
    /// only when a lookup needs it (a unit names dozens of headers; a lookup needs one).
    /// </summary>
    public readonly record struct PathRef(string? Inline, bool InLineStr, ulong Offset)
    {
        public static PathRef Of(string value) => new(value, false, 0);
    }

    LineStrings? _strings;

    /// <summary>
    /// The compilation directory crash puts in front of relative paths (gdb's SYMTAB_DIRNAME, the
    /// CU's DW_AT_comp_dir). DWARF 5 records it as directory 0 of the line header; for DWARF 2-4 it
    /// comes from the unit's DIE, or is null when unknown.
    /// </summary>
    public string? CompilationDirectory { get; set; }

    readonly object _pathsLock = new();
    string?[] _paths = [];

    /// <summary>
    /// The path of file <paramref name="index"/> as crash 8 (gdb 10) prints it, or null for an index
    /// the header does not define.
    /// <para>
    /// gdb names a line-table file <c>dir/name</c> (dwarf2_start_subfile), where <c>dir</c> is the
    /// entry's include directory (DWARF 5: directory[i]; DWARF 2-4: directory[i-1], none for 0) unless
    /// the name is absolute; crash's gdb_get_line_number then prints <c>comp_dir/that</c> for a
    /// relative path. With comp_dir "." this gives <c>./drivers/tty/sysrq.c</c> (directory
    /// "drivers/tty") and <c>././include/linux/list.h</c> (directory "./include/linux").
    /// </para>
    /// </summary>
    public string? FilePath(uint index)
    {
        var slot = Version >= 5 ? (long)index : (long)index - 1;
        if (slot < 0 || slot >= Files.Count) return null;
        lock (_pathsLock)
        {
            if (_paths.Length != Files.Count) Array.Resize(ref _paths, Files.Count);
            return _paths[slot] ??= JoinPath(Files[(int)slot]);
        }
    }

    string JoinPath((PathRef Name, ulong Directory) file)
    {
        var name = Resolve(file.Name);
        if (!IsAbsolute(name))
        {
            var dirSlot = Version >= 5 ? (long)file.Directory : (long)file.Directory - 1;
            if (dirSlot >= 0 && dirSlot < Directories.Count) name = Resolve(Directories[(int)dirSlot]) + "/" + name;
        }
        if (!IsAbsolute(name) && CompilationDirectory is { } compDir) name = compDir + "/" + name;
        return name;
    }

    static bool IsAbsolute(string path) => path.StartsWith('/');

    /// <summary>Parses the header at <paramref name="cursor"/>.Position, leaving the cursor at the first opcode.</summary>
    public static LineProgramHeader Parse(ref LineCursor cursor, LineStrings strings)
    {
        var unitOffset = cursor.Position;
        cursor.UnitOffset = unitOffset;
        var sectionEnd = cursor.End;
        var offset64 = false;
        ulong unitLength = cursor.U32("unit_length");
        if (unitLength == 0xffffffff)
        {
            offset64 = true;
            unitLength = cursor.U64("unit_length (64-bit)");
        }
        else if (unitLength >= 0xfffffff0)
            throw cursor.Error("unit_length", $"0x{unitLength:x} is a reserved value");
        if (unitLength > (ulong)(sectionEnd - cursor.Position))
            throw cursor.Error("unit_length", $"0x{unitLength:x} runs past the end of the section (0x{sectionEnd:x})");
        var unitEnd = cursor.Position + (int)unitLength;
        cursor.End = unitEnd;

        var version = cursor.U16("version");
        if (version is < 2 or > 5)
            throw cursor.Error("version", $"is {version}, only DWARF line tables versions 2-5 are supported");
        if (version >= 5)
        {
            var addressSize = cursor.U8("address_size");
            if (addressSize is not (4 or 8))
                throw cursor.Error("address_size", $"is {addressSize}, expected 4 or 8");
            cursor.U8("segment_selector_size");
        }
        var headerLength = offset64 ? cursor.U64("header_length") : cursor.U32("header_length");
        if (headerLength > (ulong)(unitEnd - cursor.Position))
            throw cursor.Error("header_length", $"0x{headerLength:x} runs past the end of the unit");
        var programOffset = cursor.Position + (int)headerLength;

        var minInst = cursor.U8("minimum_instruction_length");
        var maxOps = version >= 4 ? cursor.U8("maximum_operations_per_instruction") : (byte)1;
        var defaultIsStmt = cursor.U8("default_is_stmt") != 0;
        var lineBase = (sbyte)cursor.U8("line_base");
        var lineRange = cursor.U8("line_range");
        if (lineRange == 0) throw cursor.Error("line_range", "is 0 (special opcodes would divide by zero)");
        var opcodeBase = cursor.U8("opcode_base");
        if (opcodeBase == 0) throw cursor.Error("opcode_base", "is 0, expected at least 1");
        var lengths = new byte[opcodeBase - 1];
        for (var i = 0; i < lengths.Length; i++) lengths[i] = cursor.U8("standard_opcode_lengths");

        var header = new LineProgramHeader
        {
            UnitOffset = unitOffset,
            UnitEnd = unitEnd,
            ProgramOffset = programOffset,
            Version = version,
            Offset64 = offset64,
            MinimumInstructionLength = minInst,
            // DWARF 4 §6.2.4 item 5: 0 is invalid; treat as 1 (VLIW-only feature).
            MaximumOperationsPerInstruction = maxOps == 0 ? (byte)1 : maxOps,
            DefaultIsStmt = defaultIsStmt,
            LineBase = lineBase,
            LineRange = lineRange,
            OpcodeBase = opcodeBase,
            StandardOpcodeLengths = lengths,
        };

        // The tables end at programOffset; reading past it is a format error.
        cursor.End = programOffset;
        if (version >= 5)
        {
            ReadEntries(ref cursor, strings, header, directories: true);
            ReadEntries(ref cursor, strings, header, directories: false);
            header._strings = strings;
            if (header.Directories.Count > 0) header.CompilationDirectory = header.Resolve(header.Directories[0]);
        }
        else
        {
            while (true)
            {
                var dir = cursor.CString("include_directories");
                if (dir.Length == 0) break;
                header.Directories.Add(PathRef.Of(dir));
            }
            while (true)
            {
                var name = cursor.CString("file_names");
                if (name.Length == 0) break;
                var dir = cursor.Uleb("file_names directory index");
                cursor.Uleb("file_names modification time");
                cursor.Uleb("file_names length");
                header.Files.Add((PathRef.Of(name), dir));
            }
        }
        cursor.End = unitEnd;
        cursor.Position = programOffset;
        return header;
    }

    // DWARF 5 §6.2.4 items 14-21: an entry format (content type, form pairs), then the entries.
    static void ReadEntries(ref LineCursor cursor, LineStrings strings, LineProgramHeader header, bool directories)
    {
        var what = directories ? "directories" : "file_names";
        var formatCount = cursor.U8($"{what} entry format count");
        Span<(ulong Type, ulong Form)> formats = stackalloc (ulong, ulong)[formatCount];
        for (var i = 0; i < formatCount; i++)
            formats[i] = (cursor.Uleb($"{what} entry format"), cursor.Uleb($"{what} entry format"));
        var count = cursor.Uleb($"{what} count");
        // Every entry takes at least one byte when it has a format; an empty format describes nothing.
        if (count > (ulong)(cursor.End - cursor.Position) && (formatCount > 0 || count > 0))
            throw cursor.Error($"{what} count", $"{count} entries cannot fit in the 0x{cursor.End - cursor.Position:x} header bytes left");
        for (ulong e = 0; e < count; e++)
        {
            var name = PathRef.Of("");
            ulong dir = 0;
            foreach (var (type, form) in formats)
            {
                switch ((DwLnct)type)
                {
                    case DwLnct.Path:
                        name = ReadString(ref cursor, strings, header, form, what);
                        break;
                    case DwLnct.DirectoryIndex:
                        dir = ReadUnsigned(ref cursor, form, what);
                        break;
                    default:
                        SkipForm(ref cursor, header, form, what);
                        break;
                }
            }
            if (directories) header.Directories.Add(name);
            else header.Files.Add((name, dir));
        }
    }

    static PathRef ReadString(ref LineCursor cursor, LineStrings strings, LineProgramHeader header, ulong form, string what)
    {
        switch ((DwLineForm)form)
        {
            case DwLineForm.String:
                return PathRef.Of(cursor.CString($"{what} path"));
            case DwLineForm.LineStrp:
            case DwLineForm.Strp:
            {
                var offset = header.Offset64 ? cursor.U64($"{what} path") : cursor.U32($"{what} path");
                var inLineStr = (DwLineForm)form == DwLineForm.LineStrp;
                if (offset >= (ulong)(inLineStr ? strings.LineStrLength : strings.StrLength))
                    throw cursor.Error($"{what} path", $"offset 0x{offset:x} is past the end of {(inLineStr ? ".debug_line_str" : ".debug_str")}");
                return new PathRef(null, inLineStr, offset);
            }
            default:
                // DW_FORM_strx*/strp_sup need .debug_str_offsets or a supplementary file: not used
                // by GCC or Clang for line tables; keep going with an unknown name.
                SkipForm(ref cursor, header, form, what);
                return PathRef.Of("?");
        }
    }

    string Resolve(PathRef path) =>
        path.Inline ?? _strings!.Read(path.InLineStr, path.Offset, UnitOffset);

    static ulong ReadUnsigned(ref LineCursor cursor, ulong form, string what) => (DwLineForm)form switch
    {
        DwLineForm.Data1 => cursor.U8($"{what} directory index"),
        DwLineForm.Data2 => cursor.U16($"{what} directory index"),
        DwLineForm.Data4 => cursor.U32($"{what} directory index"),
        DwLineForm.Data8 => cursor.U64($"{what} directory index"),
        DwLineForm.Udata => cursor.Uleb($"{what} directory index"),
        _ => throw cursor.Error($"{what} directory index", $"form 0x{form:x} is not a constant form"),
    };

    static void SkipForm(ref LineCursor cursor, LineProgramHeader header, ulong form, string what)
    {
        var field = $"{what} entry (form 0x{form:x})";
        switch ((DwLineForm)form)
        {
            case DwLineForm.Data1 or DwLineForm.Strx1: cursor.Skip(1, field); break;
            case DwLineForm.Data2 or DwLineForm.Strx2: cursor.Skip(2, field); break;
            case DwLineForm.Strx3: cursor.Skip(3, field); break;
            case DwLineForm.Data4 or DwLineForm.Strx4: cursor.Skip(4, field); break;
            case DwLineForm.Data8: cursor.Skip(8, field); break;
            case DwLineForm.Data16: cursor.Skip(16, field); break;
            case DwLineForm.Udata or DwLineForm.Strx: cursor.Uleb(field); break;
            case DwLineForm.Sdata: cursor.Sleb(field); break;
            case DwLineForm.String: cursor.CString(field); break;
            case DwLineForm.LineStrp or DwLineForm.Strp or DwLineForm.StrpSup: cursor.Skip(header.Offset64 ? 8u : 4u, field); break;
            case DwLineForm.Block: cursor.Skip(cursor.Uleb(field), field); break;
            case DwLineForm.Block1: cursor.Skip(cursor.U8(field), field); break;
            case DwLineForm.Block2: cursor.Skip(cursor.U16(field), field); break;
            case DwLineForm.Block4: cursor.Skip(cursor.U32(field), field); break;
            default: throw cursor.Error(field, "is not a form allowed in a line table header");
        }
    }
}
