using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Fs;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>mount</c>: the mounts of a mount namespace (PID 1's, or the task given with
/// <c>-n</c>) with their <c>struct mount</c>, superblock, filesystem type, device name and mount
/// point (<see cref="MountNamespace"/>; the mount point is the kernel's path of
/// <c>mnt_mountpoint</c> in <c>mnt_parent</c>). Operands select mounts by address, superblock,
/// device or directory name. A mount that cannot be read gives one <c>mount:</c> line.
/// </summary>
public sealed class MountCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "mount",
        Aliases: [],
        Summary: "mounted filesystem data",
        Synopsis: "mount [-n pid|task] [mount|superblock|dev|dir] ...",
        Description: """
            Display basic information about the currently-mounted filesystems: the
            mount structure, the superblock, the filesystem type, the device name and
            the directory it is mounted on.

               -n pid   show the mounts of the namespace of this process PID.
              -n task   show the mounts of the namespace of this hexadecimal task_struct.

            Specific filesystems may be selected by the hexadecimal address of their
            mount, vfsmount or super_block structure, their device name or their
            directory.
            """,
        Examples: """
              crash> mount
                   MOUNT           SUPERBLK     TYPE   DEVNAME   DIRNAME
              ffffa0f7c0164140 ffffa0f7c0180800 rootfs rootfs    /
              ffffa0f7c0164c80 ffffa0f7c02bf800 proc   proc      /proc
              ffffa0f7c0a31000 ffffa0f7c0183800 devtmpfs devtmpfs /dev
            """);

    /// <summary>strlen("DEVNAME") + 2, crash's device column.</summary>
    const int DevWidth = 9;

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "n:");
        var kernel = context.Kernel();
        var target = kernel.Target;
        KernelTask task;
        var namespaceOptions = parsed.Options.Where(o => o.Name == 'n').ToList();
        if (namespaceOptions.Count > 0) task = context.ResolveTask(namespaceOptions[^1].Argument!, "mount");
        else
        {
            // crash: the first PID from 1 up that exists (PID 1 unless it is gone).
            task = kernel.Tasks.Tasks.Where(t => t.Pid >= 1 && !t.IsKernelThread).OrderBy(t => t.Pid).FirstOrDefault()
                ?? context.CurrentTask();
        }
        var ns = MountNamespace.TaskMountNamespace(target, task.Address);
        if (ns == 0) throw new CommandException($"task {task.Address:x} (PID {task.Pid}) has no mount namespace");
        var problems = new List<string>();
        var mounts = MountNamespace.Mounts(target, ns, problems);
        var rows = new List<(Mount Mount, string Line, string Dir)>();
        foreach (var mount in mounts)
        {
            string dir;
            try
            {
                dir = DPath.PrependPath(target, mount.Parent + (mount.Vfsmount - mount.Address), mount.Mountpoint);
            }
            catch (KdumpDebugException e)
            {
                dir = $"(unreadable: {e.Message})";
            }
            rows.Add((mount, FormatLine(mount, dir), dir));
        }
        IEnumerable<(Mount Mount, string Line, string Dir)> shown = rows;
        if (parsed.Operands.Count > 0)
            shown = rows.Where(r => parsed.Operands.Any(o => Matches(r.Mount, r.Dir, o)));
        context.Out.Write(Header);
        foreach (var row in shown) context.Out.Write(row.Line + "\n");
        foreach (var problem in problems) context.Out.Write($"mount: {problem}\n");
    }

    static readonly string Header =
        $"{CrashColumns.MkString("MOUNT", 16, Justify.Center)} {CrashColumns.MkString("SUPERBLK", 16, Justify.Center)} {CrashColumns.MkString("TYPE", 6, Justify.Left)} {CrashColumns.MkString("DEVNAME", DevWidth, Justify.Left)} DIRNAME\n";

    /// <summary>
    /// crash's show_mounts line: the type ("%-6s ") and device (padded to 9, then a space) are
    /// joined, and trailing blanks beyond 17 characters squeezed so long names stay aligned.
    /// </summary>
    static string FormatLine(Mount mount, string dir)
    {
        var typeDev = $"{mount.FsType,-6} {CrashColumns.MkString(mount.DevName, DevWidth, Justify.Left)} ";
        while (typeDev.Length > 17 && typeDev[^2] == ' ') typeDev = typeDev[..^1];
        return $"{mount.Address,16:x} {mount.Superblock,16:x} {typeDev}{dir,-10}";
    }

    static bool Matches(Mount mount, string dir, string operand)
    {
        if (operand == dir || operand == mount.DevName) return true;
        var hex = operand.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? operand[2..] : operand;
        return CrashNumber.TryParseHex(hex, out var value)
            && (value == mount.Address || value == mount.Vfsmount || value == mount.Superblock);
    }
}
