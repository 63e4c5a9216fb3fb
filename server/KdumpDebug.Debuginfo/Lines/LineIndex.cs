namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// The sequences of a whole <c>.debug_line</c> sorted by start address, and the rows of each
/// sequence decoded on demand into <see cref="SequenceLines"/> (see <see cref="LineTable"/> for the
/// design). Thread-safe.
/// </summary>
internal sealed class LineIndex
{
    /// <summary>One sequence: [Start, End) and where its opcodes begin.</summary>
    public readonly record struct Sequence(ulong Start, ulong End, int Unit, int OpcodeOffset);

    readonly ReadOnlyMemory<byte> _data;
    readonly string _path;
    readonly string _sectionName;
    readonly SequenceLines?[] _lines;
    // _maxEnd[i] = max End of Sequences[0..i]: lets a lookup stop scanning back early.
    readonly ulong[] _maxEnd;
    readonly ulong[] _starts;

    public LineProgramHeader[] Units { get; }
    public Sequence[] Sequences { get; }

    LineIndex(string path, string sectionName, ReadOnlyMemory<byte> data, LineProgramHeader[] units, Sequence[] sequences)
    {
        _path = path;
        _sectionName = sectionName;
        _data = data;
        Units = units;
        Sequences = sequences;
        _lines = new SequenceLines?[sequences.Length];
        _starts = new ulong[sequences.Length];
        _maxEnd = new ulong[sequences.Length];
        ulong max = 0;
        for (var i = 0; i < sequences.Length; i++)
        {
            _starts[i] = sequences[i].Start;
            max = Math.Max(max, sequences[i].End);
            _maxEnd[i] = max;
        }
    }

    /// <summary>Runs every line program once, recording sequences only.</summary>
    /// <param name="compilationDirectories">Produces DW_AT_comp_dir by line-program offset; called
    /// only when a DWARF 2-4 line table is found (DWARF 5 headers carry the directory).</param>
    public static LineIndex Build(string path, string sectionName, ReadOnlyMemory<byte> data, LineStrings strings, bool skipZeroSequences,
        Func<Dictionary<ulong, string>>? compilationDirectories = null)
    {
        Dictionary<ulong, string>? compDirs = null;
        var span = data.Span;
        var units = new List<LineProgramHeader>();
        var sequences = new List<Sequence>();
        var position = 0;
        while (span.Length - position >= 4)
        {
            var header = ReadProgram(span, path, sectionName, strings, skipZeroSequences, position, units.Count, sequences);
            if (header.Version < 5 && compilationDirectories is not null)
            {
                compDirs ??= compilationDirectories();
                if (compDirs.TryGetValue((ulong)header.UnitOffset, out var compDir)) header.CompilationDirectory = compDir;
            }
            units.Add(header);
            position = header.UnitEnd;
        }
        return Create(path, sectionName, data, units, sequences);
    }

    /// <summary>
    /// The index of the one line program at <paramref name="programOffset"/> (a unit's
    /// DW_AT_stmt_list): what a lookup needs when <c>.debug_aranges</c> names the unit, at the cost
    /// of that program only. <paramref name="compilationDirectory"/> is the unit's DW_AT_comp_dir
    /// (used by DWARF 2-4 headers).
    /// </summary>
    public static LineIndex BuildOne(string path, string sectionName, ReadOnlyMemory<byte> data, LineStrings strings, bool skipZeroSequences,
        int programOffset, string? compilationDirectory)
    {
        var sequences = new List<Sequence>();
        var header = ReadProgram(data.Span, path, sectionName, strings, skipZeroSequences, programOffset, 0, sequences);
        if (header.Version < 5 && compilationDirectory is not null) header.CompilationDirectory = compilationDirectory;
        return Create(path, sectionName, data, [header], sequences);
    }

    static LineProgramHeader ReadProgram(ReadOnlySpan<byte> span, string path, string sectionName, LineStrings strings,
        bool skipZeroSequences, int position, int unit, List<Sequence> sequences)
    {
        var cursor = new LineCursor(span, path, sectionName, position, span.Length);
        var header = LineProgramHeader.Parse(ref cursor, strings);
        var machine = new LineStateMachine(span, path, sectionName, header, header.ProgramOffset);
        var sequenceStart = header.ProgramOffset;
        var first = true;
        ulong firstAddress = 0, low = 0;
        while (machine.Next(out var row))
        {
            if (first)
            {
                firstAddress = low = row.Address;
                first = false;
            }
            else if (row.Address < low) low = row.Address;
            if (!row.EndSequence) continue;
            if (row.Address > low && !(skipZeroSequences && firstAddress == 0))
                sequences.Add(new Sequence(low, row.Address, unit, sequenceStart));
            sequenceStart = machine.Position;
            first = true;
        }
        return header;
    }

    static LineIndex Create(string path, string sectionName, ReadOnlyMemory<byte> data, List<LineProgramHeader> units, List<Sequence> sequences)
    {
        var sorted = sequences.ToArray();
        Array.Sort(sorted, (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        return new LineIndex(path, sectionName, data, units.ToArray(), sorted);
    }

    /// <summary>Index of a sequence with Start &lt;= address &lt; End, or -1.</summary>
    public int FindSequence(ulong address)
    {
        int lo = 0, hi = _starts.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_starts[mid] <= address) lo = mid + 1; else hi = mid;
        }
        for (var i = lo - 1; i >= 0 && _maxEnd[i] > address; i--)
            if (address < Sequences[i].End) return i;
        return -1;
    }

    /// <summary>The gdb-style file tables of sequence <paramref name="index"/>, decoded on first use.</summary>
    public SequenceLines Lines(int index)
    {
        var lines = Volatile.Read(ref _lines[index]);
        if (lines is not null) return lines;
        var sequence = Sequences[index];
        lines = SequenceLines.Build(_data.Span, _path, _sectionName, Units[sequence.Unit], sequence.OpcodeOffset);
        return Interlocked.CompareExchange(ref _lines[index], lines, null) ?? lines;
    }
}
