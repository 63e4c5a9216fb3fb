using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;

namespace KdumpDebug.Target.Objects;

/// <summary>
/// Entry points from names to typed objects for one target: global variables (DWARF address,
/// relocated by KASLR; the symbol table when the DWARF has only a declaration) and types by C
/// name. What expression evaluation and the kernel helpers start from.
/// </summary>
public sealed class KernelObjects
{
    readonly KernelTarget _target;

    public KernelObjects(KernelTarget target) => _target = target;

    public TypeSystem Types => _target.Vmlinux.Types;

    /// <summary>
    /// The global variable <paramref name="name"/> as an lvalue. Throws gdb's
    /// <c>No symbol "NAME" in current context.</c> when neither DWARF nor the symbol table has it.
    /// </summary>
    public TargetObject Variable(string name)
    {
        if (TryVariable(name, out var obj)) return obj;
        throw new KdumpDebugException($"No symbol \"{name}\" in current context.");
    }

    public bool TryVariable(string name, out TargetObject obj)
    {
        obj = null!;
        var types = Types;
        if (!types.HasDebugInfo || !types.TryFindVariable(name, out var variable)) return false;
        ulong address;
        if (variable.Address is ulong link && !variable.IsDeclaration)
            address = _target.RelocateLinkAddress(link);
        else if (_target.TryLookupSymbol(name, out var symbol))
            address = symbol.Address;
        else return false;
        obj = TargetObject.AtAddress(_target, types, variable.Type, address);
        return true;
    }

    /// <summary>A type by C name ("struct task_struct", "unsigned long", "task_struct", "int *").</summary>
    public CType Type(string name)
    {
        if (Types.TryFindType(name, out var type)) return type;
        throw new KdumpDebugException($"No struct type named {name}.");
    }

    /// <summary>An object of type <paramref name="typeName"/> at <paramref name="address"/>.</summary>
    public TargetObject At(string typeName, ulong address) => TargetObject.AtAddress(_target, Types, Type(typeName), address);
}
