namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// The rows of one line-table sequence arranged the way gdb 10 stores them, so that a lookup
/// gives what crash 8 (gdb 10.2) prints. gdb keeps one line table per source file (a "subfile")
/// rather than one matrix, and fills it in <c>lnp_state_machine::record_line</c> (dwarf2/read.c):
/// <list type="bullet">
/// <item>rows not on an instruction boundary (op_index != 0) and rows for line 0 are dropped;</item>
/// <item>a non-statement row that switches file at an address that already has a statement row
/// is dropped;</item>
/// <item>switching file (and ending the sequence) closes the previous file's table with a line-0
/// end marker at the new address, which first deletes that file's entries at the same address
/// (buildsym.c <c>record_line</c>);</item>
/// <item>a row repeating the previous row's file and line is dropped when that line carries a
/// non-zero discriminator (<c>dwarf_record_line_p</c>, PR 17276).</item>
/// </list>
/// Each file's table is then sorted by address, end markers first at equal addresses
/// (<c>lte_is_less_than</c>). <c>find_pc_sect_line</c> takes, in every file, the last entry at or
/// below the address, keeps the highest one (the first file wins a tie: the primary source file,
/// then the others in file-entry order), steps back to an is_stmt entry at the same address when
/// it landed on a non-statement one, and reports no line for an end marker.
/// Immutable once built.
/// </summary>
internal sealed class SequenceLines
{
    /// <summary>An entry of a file's table; Line 0 is an end marker.</summary>
    public readonly record struct Entry(ulong Address, uint Line, uint Column, bool IsStmt);

    readonly string[] _paths;
    readonly Entry[][] _tables;

    SequenceLines(string[] paths, Entry[][] tables)
    {
        _paths = paths;
        _tables = tables;
    }

    /// <summary>Runs the sequence starting at <paramref name="opcodeOffset"/> and files its rows.</summary>
    public static SequenceLines Build(ReadOnlySpan<byte> section, string path, string sectionName, LineProgramHeader header, int opcodeOffset)
    {
        var machine = new LineStateMachine(section, path, sectionName, header, opcodeOffset);
        var tables = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        string? lastSubfile = null;
        uint lastLine = 0;
        ulong lastAddress = 0;
        var stmtAtAddress = false;
        var setFiles = 0;
        var pathCache = new Dictionary<uint, string?>();
        string? PathOf(uint file)
        {
            if (!pathCache.TryGetValue(file, out var p)) pathCache[file] = p = header.FilePath(file);
            return p;
        }
        // Sequence start: gdb makes the current file's subfile current (dwarf_decode_lines_1).
        string? current = PathOf(1);

        while (machine.Next(out var row))
        {
            if (machine.SetFileCount != setFiles)
            {
                // handle_set_file: m_last_subfile = the subfile current before the switch.
                setFiles = machine.SetFileCount;
                lastSubfile = PathOf(machine.FileBeforeLastSetFile) ?? current;
                current = PathOf(row.File) ?? current;
            }
            if (row.EndSequence)
            {
                if (lastSubfile is not null) Finish(tables, lastSubfile, row.Address);
                break;
            }
            var file = PathOf(row.File);
            if (file is not null && row.OpIndex == 0)
            {
                current = file;
                var fileChanged = !ReferenceEquals(lastSubfile, current) && lastSubfile != current;
                var ignore = (fileChanged && lastAddress == row.Address && !row.IsStmt && stmtAtAddress) || row.Line == 0;
                if (fileChanged && !ignore && lastSubfile is not null) Finish(tables, lastSubfile, row.Address);
                if (!ignore)
                {
                    if (fileChanged || row.Line != lastLine || !machine.LineHasNonZeroDiscriminator)
                        TableOf(tables, current).Add(new Entry(row.Address, row.Line, row.Column, row.IsStmt));
                    lastSubfile = current;
                    lastLine = row.Line;
                }
            }
            if (lastAddress != row.Address)
            {
                stmtAtAddress = false;
                lastAddress = row.Address;
            }
            stmtAtAddress |= row.IsStmt;
        }

        // gdb's file order (compunit_filetabs): the primary file first, then file-entry order.
        var order = new List<string>();
        var primary = header.FilePath(header.Version >= 5 ? 0u : 1u);
        if (primary is not null && tables.ContainsKey(primary)) order.Add(primary);
        var first = header.Version >= 5 ? 0 : 1;
        for (var i = first; i < header.Files.Count + first; i++)
        {
            var p = header.FilePath((uint)i);
            if (p is not null && tables.ContainsKey(p) && !order.Contains(p)) order.Add(p);
        }
        var paths = order.ToArray();
        var result = new Entry[paths.Length][];
        for (var i = 0; i < paths.Length; i++)
        {
            var list = tables[paths[i]];
            // Stable sort by address, end markers (line 0) first among equal addresses; the rows
            // of a sequence almost always arrive in that order already.
            var sorted = true;
            for (var k = 1; k < list.Count && sorted; k++) sorted = !Before(list[k], list[k - 1]);
            result[i] = sorted ? list.ToArray()
                : list.Select((e, k) => (e, k)).OrderBy(x => x.e.Address).ThenBy(x => x.e.Line == 0 ? 0 : 1).ThenBy(x => x.k)
                    .Select(x => x.e).ToArray();
        }
        return new SequenceLines(paths, result);
    }

    // gdb's lte_is_less_than.
    static bool Before(Entry a, Entry b) =>
        a.Address != b.Address ? a.Address < b.Address : a.Line == 0 && b.Line != 0;

    static List<Entry> TableOf(Dictionary<string, List<Entry>> tables, string file)
    {
        if (!tables.TryGetValue(file, out var list)) tables[file] = list = [];
        return list;
    }

    // dwarf_finish_line + buildsym record_line for line 0.
    static void Finish(Dictionary<string, List<Entry>> tables, string file, ulong address)
    {
        var list = TableOf(tables, file);
        while (list.Count > 0 && list[^1].Address == address) list.RemoveAt(list.Count - 1);
        list.Add(new Entry(address, 0, 0, true));
    }

    /// <summary>gdb's find_pc_sect_line over this sequence's files.</summary>
    public bool TryFind(ulong address, out string file, out Entry entry)
    {
        file = "";
        entry = default;
        var bestTable = -1;
        var bestIndex = -1;
        for (var t = 0; t < _tables.Length; t++)
        {
            var rows = _tables[t];
            var i = LastAtOrBelow(rows, address);
            if (i < 0) continue;
            if (bestTable >= 0)
            {
                var best = _tables[bestTable][bestIndex];
                if (rows[i].Address < best.Address || (rows[i].Address == best.Address && (best.Line != 0 || rows[i].Line == 0))) continue;
            }
            if (!rows[i].IsStmt)
            {
                var j = i;
                while (j > 0 && rows[j - 1].Address == rows[j].Address && rows[j - 1].Line != 0 && !rows[j].IsStmt) j--;
                if (rows[j].IsStmt) i = j;
            }
            bestTable = t;
            bestIndex = i;
        }
        if (bestTable < 0) return false;
        entry = _tables[bestTable][bestIndex];
        if (entry.Line == 0) return false;
        file = _paths[bestTable];
        return true;
    }

    static int LastAtOrBelow(Entry[] rows, ulong address)
    {
        int lo = 0, hi = rows.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (rows[mid].Address <= address) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }
}
