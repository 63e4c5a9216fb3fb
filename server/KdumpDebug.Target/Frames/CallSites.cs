using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;

namespace KdumpDebug.Target.Frames;

/// <summary>
/// The call sites of a function (DWARF 5 §3.4: DW_TAG_call_site, and GCC's DW_TAG_GNU_call_site
/// of DWARF 4), by return address: what <c>DW_OP_entry_value</c> needs to find the values a caller
/// passed. Call sites may sit inside lexical blocks and inlined subroutines of the function; all are
/// found. Cost: one pass over the function's DIE subtree on first use, then a dictionary probe;
/// cached per subprogram DIE for the life of its DWARF. Thread-safe.
/// </summary>
public static class CallSites
{
    const int MaxDepth = 64;

    static readonly ConditionalWeakTable<DwarfInfo, ConcurrentDictionary<ulong, Dictionary<ulong, Die>>> Cache = new();

    /// <summary>The call site in <paramref name="subprogram"/> whose return address (DW_AT_call_return_pc, or DW_AT_low_pc of a GNU call site) is <paramref name="returnAddress"/>.</summary>
    public static bool TryFind(Die subprogram, ulong returnAddress, out Die callSite)
    {
        callSite = default;
        if (subprogram.IsNull) return false;
        var perFile = Cache.GetValue(subprogram.Unit.Dwarf, _ => new ConcurrentDictionary<ulong, Dictionary<ulong, Die>>());
        var sites = perFile.GetOrAdd(subprogram.Offset.Value, _ =>
        {
            var map = new Dictionary<ulong, Die>();
            try
            {
                Collect(subprogram, map, 0);
            }
            catch (KdumpDebugException)
            {
                // A corrupt subtree: the call sites before it are still usable.
            }
            return map;
        });
        return sites.TryGetValue(returnAddress, out callSite);
    }

    static void Collect(Die parent, Dictionary<ulong, Die> map, int depth)
    {
        if (depth > MaxDepth || !parent.HasChildren) return;
        foreach (var child in parent.Children)
        {
            switch (child.Tag)
            {
                case DwTag.CallSite or DwTag.GnuCallSite:
                    if (child.TryGetAttribute(DwAt.CallReturnPc, out var pc) || child.TryGetAttribute(DwAt.LowPc, out pc))
                        map.TryAdd(pc.AsAddress(), child);
                    break;
                case DwTag.LexicalBlock or DwTag.InlinedSubroutine:
                    Collect(child, map, depth + 1);
                    break;
            }
        }
    }

    /// <summary>
    /// The DW_TAG_call_site_parameter of <paramref name="callSite"/> whose DW_AT_location is the
    /// register expression <paramref name="registerExpression"/> (byte for byte: GCC writes both as
    /// one DW_OP_regN), and its DW_AT_call_value (DW_AT_GNU_call_site_value).
    /// </summary>
    public static bool TryFindParameterValue(Die callSite, ReadOnlySpan<byte> registerExpression, out AttributeValue callValue)
    {
        callValue = default;
        if (!callSite.HasChildren) return false;
        foreach (var parameter in callSite.Children)
        {
            if (parameter.Tag is not (DwTag.CallSiteParameter or DwTag.GnuCallSiteParameter)) continue;
            if (!parameter.TryGetAttribute(DwAt.Location, out var location) || location.Class is not (AttributeClass.ExprLoc or AttributeClass.Block)) continue;
            if (!location.Bytes.SequenceEqual(registerExpression)) continue;
            return parameter.TryGetAttribute(DwAt.CallValue, out callValue) || parameter.TryGetAttribute(DwAt.GnuCallSiteValue, out callValue);
        }
        return false;
    }
}
