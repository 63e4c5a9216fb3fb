using System.Text;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>
/// Assembles one DWARF line-number program (a .debug_line unit) byte by byte for the line-table
/// tests: a version 2-4 header with include directories and file names, or a version 5 header
/// with entry formats; then opcodes. line_base -5, line_range 14, opcode_base 13, as GCC emits.
/// </summary>
internal sealed class LineProgramWriter
{
    public const int LineBase = -5, LineRange = 14, OpcodeBase = 13;
    readonly MemoryStream _program = new();

    public LineProgramWriter SetAddress(ulong address)
    {
        _program.WriteByte(0);
        Uleb(_program, 9);
        _program.WriteByte(2);
        _program.Write(BitConverter.GetBytes(address));
        return this;
    }

    public LineProgramWriter EndSequence()
    {
        _program.WriteByte(0);
        Uleb(_program, 1);
        _program.WriteByte(1);
        return this;
    }

    public LineProgramWriter Discriminator(uint value)
    {
        _program.WriteByte(0);
        var operand = new MemoryStream();
        Uleb(operand, value);
        Uleb(_program, (ulong)operand.Length + 1);
        _program.WriteByte(4);
        _program.Write(operand.ToArray());
        return this;
    }

    public LineProgramWriter Copy() => Op(1);
    public LineProgramWriter AdvancePc(ulong n) { Op(2); Uleb(_program, n); return this; }
    public LineProgramWriter AdvanceLine(long n) { Op(3); Sleb(_program, n); return this; }
    public LineProgramWriter SetFile(uint n) { Op(4); Uleb(_program, n); return this; }
    public LineProgramWriter SetColumn(uint n) { Op(5); Uleb(_program, n); return this; }
    public LineProgramWriter NegateStmt() => Op(6);
    public LineProgramWriter ConstAddPc() => Op(8);
    public LineProgramWriter FixedAdvancePc(ushort n) { Op(9); _program.Write(BitConverter.GetBytes(n)); return this; }

    /// <summary>A special opcode: advance the address by <paramref name="addressDelta"/> and the line by <paramref name="lineDelta"/>, append a row.</summary>
    public LineProgramWriter Special(int addressDelta, int lineDelta)
    {
        var opcode = (lineDelta - LineBase) + LineRange * addressDelta + OpcodeBase;
        if (lineDelta < LineBase || lineDelta >= LineBase + LineRange || opcode > 255) throw new ArgumentOutOfRangeException(nameof(lineDelta));
        _program.WriteByte((byte)opcode);
        return this;
    }

    LineProgramWriter Op(byte op) { _program.WriteByte(op); return this; }

    /// <summary>The unit with a version 2, 3 or 4 header.</summary>
    public byte[] BuildV4(int version, string[] directories, (string Name, uint Dir)[] files)
    {
        var h = new MemoryStream();
        h.WriteByte(1);                       // minimum_instruction_length
        if (version >= 4) h.WriteByte(1);     // maximum_operations_per_instruction
        h.WriteByte(1);                       // default_is_stmt
        h.WriteByte(unchecked((byte)LineBase));
        h.WriteByte(LineRange);
        h.WriteByte(OpcodeBase);
        h.Write([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]);
        foreach (var d in directories) CString(h, d);
        h.WriteByte(0);
        foreach (var (name, dir) in files)
        {
            CString(h, name);
            Uleb(h, dir);
            Uleb(h, 0);
            Uleb(h, 0);
        }
        h.WriteByte(0);
        return Unit(version, h.ToArray(), addressSizeAndSegment: false);
    }

    /// <summary>
    /// The unit with a version 5 header: directories as DW_FORM_line_strp offsets into
    /// <paramref name="lineStr"/> (or DW_FORM_string when null), files with path, DW_FORM_udata
    /// directory index and a DW_FORM_data16 MD5.
    /// </summary>
    public byte[] BuildV5(string[] directories, (string Name, uint Dir)[] files, MemoryStream? lineStr)
    {
        var h = new MemoryStream();
        h.WriteByte(1);
        h.WriteByte(1);
        h.WriteByte(1);
        h.WriteByte(unchecked((byte)LineBase));
        h.WriteByte(LineRange);
        h.WriteByte(OpcodeBase);
        h.Write([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]);
        var stringForm = lineStr is null ? 0x08u : 0x1fu;
        h.WriteByte(1);
        Uleb(h, 1); Uleb(h, stringForm);                 // DW_LNCT_path
        Uleb(h, (ulong)directories.Length);
        foreach (var d in directories) Str(h, d, lineStr);
        h.WriteByte(3);
        Uleb(h, 1); Uleb(h, stringForm);                 // DW_LNCT_path
        Uleb(h, 2); Uleb(h, 0x0f);                       // DW_LNCT_directory_index, DW_FORM_udata
        Uleb(h, 5); Uleb(h, 0x1e);                       // DW_LNCT_MD5, DW_FORM_data16
        Uleb(h, (ulong)files.Length);
        foreach (var (name, dir) in files)
        {
            Str(h, name, lineStr);
            Uleb(h, dir);
            h.Write(new byte[16]);
        }
        return Unit(5, h.ToArray(), addressSizeAndSegment: true);
    }

    byte[] Unit(int version, byte[] header, bool addressSizeAndSegment)
    {
        var body = new MemoryStream();
        body.Write(BitConverter.GetBytes((ushort)version));
        if (addressSizeAndSegment) { body.WriteByte(8); body.WriteByte(0); }
        body.Write(BitConverter.GetBytes((uint)header.Length));
        body.Write(header);
        body.Write(_program.ToArray());
        var unit = new MemoryStream();
        unit.Write(BitConverter.GetBytes((uint)body.Length));
        unit.Write(body.ToArray());
        return unit.ToArray();
    }

    static void Str(MemoryStream h, string s, MemoryStream? lineStr)
    {
        if (lineStr is null) { CString(h, s); return; }
        h.Write(BitConverter.GetBytes((uint)lineStr.Length));
        CString(lineStr, s);
    }

    static void CString(Stream s, string value) => s.Write(Encoding.UTF8.GetBytes(value + "\0"));

    static void Uleb(Stream s, ulong v)
    {
        do
        {
            var b = (byte)(v & 0x7f);
            v >>= 7;
            if (v != 0) b |= 0x80;
            s.WriteByte(b);
        } while (v != 0);
    }

    static void Sleb(Stream s, long v)
    {
        while (true)
        {
            var b = (byte)(v & 0x7f);
            v >>= 7;
            var done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            if (!done) b |= 0x80;
            s.WriteByte(b);
            if (done) return;
        }
    }
}
