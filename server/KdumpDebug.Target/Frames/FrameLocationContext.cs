using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target.Objects;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Target.Frames;

/// <summary>
/// Answers a location expression's questions for one logical frame of an unwound stack: registers
/// the unwinder recovered for its physical frame, the CFA the unwind row computed, the function's
/// DW_AT_frame_base, memory through the target, and DW_OP_entry_value through the caller's call
/// site (DW_AT_call_value evaluated in the caller's frame, which may itself need its caller's, at
/// most <see cref="MaxEntryDepth"/> levels). Not thread-safe by itself; <see cref="FrameVariables"/>
/// evaluates each value once under a lock.
/// </summary>
internal sealed class FrameLocationContext : ILocationContext
{
    const int MaxEntryDepth = 8;

    readonly KernelTarget _target;
    readonly IReadOnlyList<LogicalFrame> _frames;
    readonly int _index;
    readonly int _depth;
    readonly Lock _lock = new();
    ulong? _frameBase;
    string? _frameBaseError;

    public FrameLocationContext(KernelTarget target, IReadOnlyList<LogicalFrame> frames, int index, int depth)
    {
        _target = target;
        _frames = frames;
        _index = index;
        _depth = depth;
    }

    LogicalFrame Frame => _frames[_index];

    public bool TryReadRegister(ulong dwarfRegister, out ulong value)
    {
        value = 0;
        return UnwindRegisters.TryFromDwarf(dwarfRegister, out var register) && Frame.Physical.Registers.TryGet(register, out value);
    }

    public bool TryReadMemory(ulong address, Span<byte> buffer, out string? error)
    {
        try
        {
            _target.ReadVirtual(address, buffer);
            error = null;
            return true;
        }
        catch (KdumpDebugException e)
        {
            error = e.Message;
            return false;
        }
    }

    public bool TryGetCfa(out ulong cfa)
    {
        if (Frame.Physical.Cfa is ulong c)
        {
            cfa = c;
            return true;
        }
        // The outermost frame has no row: its caller's sp is unknown.
        cfa = 0;
        return false;
    }

    public bool TryGetFrameBase(out ulong frameBase, out string? error)
    {
        lock (_lock)
        {
            if (_frameBase is null && _frameBaseError is null)
            {
                var subprogram = Frame.Subprogram;
                if (subprogram.IsNull || !subprogram.TryGetAttribute(DwAt.FrameBase, out var attribute)
                    || attribute.Class is not (AttributeClass.ExprLoc or AttributeClass.Block))
                    _frameBaseError = "the function has no DW_AT_frame_base";
                else if (LocationEvaluator.TryEvaluateValue(attribute.Memory, subprogram.Unit.AddressSize, subprogram.Unit.OffsetSize, this, out var value, out var e))
                    _frameBase = value;
                else _frameBaseError = $"frame base: {e}";
            }
            frameBase = _frameBase ?? 0;
            error = _frameBaseError;
            return _frameBase is not null;
        }
    }

    /// <summary>
    /// The vmlinux's DWARF has link-time addresses (slid by KASLR); a module's DWARF was relocated to
    /// the module's run-time section addresses when it was read (<see cref="Modules.ModuleDebugInfo"/>).
    /// </summary>
    public ulong RelocateAddress(ulong dwarfAddress) =>
        Frame.Subprogram.IsNull || ReferenceEquals(Frame.Subprogram.Unit.Dwarf, _target.Vmlinux.Dwarf)
            ? _target.RelocateLinkAddress(dwarfAddress)
            : dwarfAddress;

    public bool TryGetEntryValue(ReadOnlyMemory<byte> expression, out ulong value, out string? error)
    {
        value = 0;
        error = "optimized out (entry value: ";
        var physical = Frame.Physical;
        var caller = _index + 1;
        while (caller < _frames.Count && ReferenceEquals(_frames[caller].Physical, physical)) caller++;
        if (caller >= _frames.Count) { error += "no caller frame)"; return false; }
        var callerFrame = _frames[caller];
        // A frame below an interrupt or exception was not called: there is no call site.
        if (physical.RowKind is UnwindRowKind.Regs or UnwindRowKind.RegsPartial || callerFrame.Physical.IsInterrupted)
        {
            error += "the caller was interrupted, not calling)";
            return false;
        }
        if (_depth >= MaxEntryDepth) { error += "too many nested entry values)"; return false; }
        // The caller's DWARF may be a module's: its addresses, like its DwarfAddress, are run-time ones.
        if (callerFrame.Subprogram.IsNull)
        {
            error += "no DWARF for the caller)";
            return false;
        }
        // The caller's DwarfAddress is its return address - 1.
        if (!CallSites.TryFind(callerFrame.Subprogram, callerFrame.DwarfAddress + 1, out var site))
        {
            error += "the caller's call site is not described)";
            return false;
        }
        var callerContext = new FrameLocationContext(_target, _frames, caller, _depth + 1);
        if (!CallReachesThisFunction(site, callerContext, out var why))
        {
            error += why + ")";
            return false;
        }
        if (!CallSites.TryFindParameterValue(site, expression.Span, out var callValue) || callValue.Class is not (AttributeClass.ExprLoc or AttributeClass.Block))
        {
            error += "the call site does not record this parameter)";
            return false;
        }
        if (LocationEvaluator.TryEvaluateValue(callValue.Memory, site.Unit.AddressSize, site.Unit.OffsetSize, callerContext, out value, out var e, site.Unit.Dwarf.Path))
        {
            error = null;
            return true;
        }
        error += $"in the caller, {e})";
        return false;
    }

    /// <summary>
    /// False when the call site names its callee (DW_AT_call_origin, or a DW_AT_call_target address
    /// computed in the caller) and that is not this frame's function: the caller called another
    /// function that tail-called this one (do_syscall_64 calls x64_sys_call, whose jump lands in
    /// ksys_write), so the call site's values are that function's arguments, not ours. gdb makes the
    /// same check (dwarf2/loc.c, call_site_find_chain). A call site naming no callee (an indirect
    /// call through a clobbered register) is trusted, as gdb does for DW_AT_call_all_calls callers.
    /// </summary>
    bool CallReachesThisFunction(Die site, FrameLocationContext callerContext, out string why)
    {
        why = "";
        var callee = Frame.Subprogram;
        if (site.TryGetAttribute(DwAt.CallOrigin, out var origin) || site.TryGetAttribute(DwAt.AbstractOrigin, out origin))
        {
            var target = origin.AsDie();
            var targetName = target.TryGetAttributeFollowingOrigins(DwAt.Name, out var n) ? n.AsString() : null;
            var calleeName = callee.TryGetAttributeFollowingOrigins(DwAt.Name, out var m) ? m.AsString() : null;
            if (targetName is not null && targetName == calleeName) return true;
            why = $"the call site calls {targetName ?? "another function"}, which reached {calleeName ?? "this function"} by a tail call";
            return false;
        }
        if (site.TryGetAttribute(DwAt.CallTarget, out var target2) || site.TryGetAttribute(DwAt.GnuCallSiteTarget, out target2))
        {
            if (target2.Class is not (AttributeClass.ExprLoc or AttributeClass.Block)
                || !LocationEvaluator.TryEvaluateValue(target2.Memory, site.Unit.AddressSize, site.Unit.OffsetSize, callerContext, out var address, out _))
            {
                why = "the call site's target cannot be computed in the caller, so the callee is not known";
                return false;
            }
            var physical = Frame.Physical;
            if (physical.Symbol is { } symbol && address == symbol.Address) return true;
            why = $"the call site calls 0x{address:x}, not this function";
            return false;
        }
        return true;
    }

    /// <summary>
    /// A typed object for a location: an lvalue for one memory piece, bytes for registers, computed
    /// and implicit values and composites (memory pieces read now), absent when a piece is.
    /// </summary>
    public static TargetObject ToObject(KernelTarget target, TypeSystem types, CType type, DwarfLocation location)
    {
        var pieces = location.Pieces;
        if (location.IsSingleMemory) return TargetObject.AtAddress(target, types, type, pieces[0].Address);
        var absent = pieces.FirstOrDefault(p => p.Kind == LocationPieceKind.Absent);
        if (absent is not null)
        {
            var reason = absent.Reason ?? "optimized out";
            return TargetObject.Absent(target, types, type, pieces.Count > 1 && pieces.Any(p => p.Kind != LocationPieceKind.Absent) ? $"{reason} (in part)" : reason);
        }
        var size = (int)Math.Min(type.Unqualified().Size ?? 8, 1 << 20);
        var bytes = new byte[Math.Max(size, 8)];
        var at = 0;
        foreach (var piece in pieces)
        {
            var length = piece.Size == 0 ? size : (int)Math.Min(piece.Size, (ulong)(bytes.Length - Math.Min(at, bytes.Length)));
            if (at >= bytes.Length) break;
            length = Math.Min(length, bytes.Length - at);
            var destination = bytes.AsSpan(at, length);
            if (piece.Kind == LocationPieceKind.Memory) target.ReadVirtual(piece.Address, destination);
            else if (piece.Value is { } v) v.AsSpan(0, Math.Min(v.Length, length)).CopyTo(destination);
            at += length;
        }
        return TargetObject.FromBytes(target, types, type, bytes);
    }
}
