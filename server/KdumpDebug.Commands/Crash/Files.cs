using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Fs;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>files</c>: the root and current directory of the context task (or of each task
/// named by PID or address) and every open fd with its file, dentry, inode, crash's type and the
/// path as the kernel's <c>d_path()</c> names it (<see cref="OpenFiles"/>: mount points crossed,
/// " (deleted)" for unlinked files, <c>pipe:[ino]</c>/<c>socket:[ino]</c>/<c>anon_inode:[...]</c>
/// for pseudo files). <c>-d dentry</c> shows one dentry. An fd whose file cannot be read gets one
/// line saying why; the others follow.
/// </summary>
public sealed class FilesCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "files",
        Aliases: [],
        Summary: "open files",
        Synopsis: "files [-d dentry] [pid | taskp] ...",
        Description: """
            Display the open files of the current context, or of the tasks given by PID or
            task_struct address: the root and current working directories, then for each
            open file descriptor its file, dentry and inode addresses, file type and path.
            Paths are what the kernel's d_path() gives (as /proc/PID/fd shows them): mount
            points are crossed, unlinked files end in " (deleted)", and pipes, sockets and
            anon inodes read pipe:[ino], socket:[ino] and anon_inode:[name].

               -d dentry  given a hexadecimal dentry address, display its inode,
                          super block, file type, and full pathname.
                     pid  a process PID.
                   taskp  a hexadecimal task_struct pointer.
            """,
        Examples: """
              crash> files
              PID: 68       TASK: ffffa0f7c0a9a880  CPU: 0    COMMAND: "sh"
              ROOT: /    CWD: /
               FD       FILE            DENTRY           INODE       TYPE PATH
                0 ffffa0f7c09b3000 ffffa0f7c0410d80 ffffa0f7c0190b80 CHR  /dev/console
                1 ffffa0f7c031d000 ffffa0f7c04519c0 ffffa0f7c04647e0 REG  /proc/sysrq-trigger
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "d:");
        var kernel = context.Kernel();
        var target = kernel.Target;
        foreach (var option in parsed.Options)
        {
            if (option.Name == 'd')
            {
                var dentry = CrashNumber.ParseHex(option.Argument!);
                WriteDentry(context.Out, kernel, context, dentry);
                return;
            }
        }
        if (parsed.Operands.Count == 0)
        {
            var task = context.CurrentTask();
            context.Out.Write(KernelContext.TaskHeader(task) + "\n");
            WriteOpenFiles(context.Out, target, task);
            return;
        }
        var subsequent = false;
        foreach (var operand in parsed.Operands)
        {
            IReadOnlyList<KernelTask> tasks;
            bool byPid;
            try
            {
                (tasks, byPid) = KernelContext.ResolveTasks(context, operand);
            }
            catch (CommandException e)
            {
                context.Out.Write($"files: {e.Message}\n");
                continue;
            }
            foreach (var task in tasks)
            {
                if (subsequent) context.Out.Write("\n");
                context.Out.Write(KernelContext.TaskHeader(task) + "\n");
                WriteOpenFiles(context.Out, target, task);
                // crash's cmd_files ends each task named by PID with a blank line.
                if (byPid) context.Out.Write("\n");
                subsequent = true;
            }
        }
    }

    /// <summary>
    /// crash's open_files_dump: <c>ROOT: ...    CWD: ...</c>, then the fd table (or "No open
    /// files"). A task whose tables cannot be read gets a <c>files:</c> line saying why.
    /// </summary>
    internal static void WriteOpenFiles(TextWriter output, KernelTarget target, KernelTask task)
    {
        TaskFiles files;
        try
        {
            files = OpenFiles.Read(target, task.Address);
        }
        catch (KdumpDebugException e)
        {
            output.Write($"files: task {task.Address:x}: {e.Message}\n");
            return;
        }
        if (files.Root is not null) output.Write($"ROOT: {files.Root}    CWD: {files.Cwd}\n");
        foreach (var problem in files.Problems) output.Write($"files: {problem}\n");
        if (files.Files.Count == 0)
        {
            output.Write("No open files\n");
            return;
        }
        output.Write(Header);
        foreach (var file in files.Files) output.Write(FormatLine(file) + "\n");
    }

    /// <summary>crash's files_header: " FD" and the FILE/DENTRY/INODE columns centered in 16.</summary>
    static readonly string Header =
        $" FD {CrashColumns.MkString("FILE", 16, Justify.Center | Justify.Left)} {CrashColumns.MkString("DENTRY", 16, Justify.Center | Justify.Left)} {CrashColumns.MkString("INODE", 16, Justify.Center | Justify.Left)} TYPE PATH\n";

    static string Hex(ulong value) => CrashColumns.MkString(value.ToString("x"), 16, Justify.Center | Justify.Right);

    internal static string FormatLine(OpenFile file)
    {
        if (file.Error is not null)
            return $"{file.Fd,3} {Hex(file.File)} (cannot read: {file.Error})";
        if (file.Dentry == 0)
            return $"{file.Fd,3} {Hex(file.File)} {0UL:x16} {CrashColumns.MkString("?", 16, Justify.Center)} ?    ?";
        if (file.Inode == 0)
            return $"{file.Fd,3} {Hex(file.File)} {Hex(file.Dentry)} {0UL:x16} ?    ?";
        return $"{file.Fd,3} {Hex(file.File)} {Hex(file.Dentry)} {Hex(file.Inode)} {file.Type} {file.Path}";
    }

    /// <summary>
    /// crash's display_dentry_info: the dentry, its inode and superblock, type and path; the path
    /// goes through the last mount of the superblock in PID 1's namespace (crash's choice), else
    /// the dentry's own filesystem.
    /// </summary>
    static void WriteDentry(TextWriter output, LinuxKernel kernel, CommandContext context, ulong dentry)
    {
        var target = kernel.Target;
        output.Write($"{CrashColumns.MkString("DENTRY", 16, Justify.Center | Justify.Left)} {CrashColumns.MkString("INODE", 16, Justify.Center | Justify.Left)} {CrashColumns.MkString("SUPERBLK", 16, Justify.Center | Justify.Left)} TYPE PATH\n");
        var inode = KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(target, "dentry", "d_inode"));
        ulong sb = 0;
        var type = "N/A";
        var path = "";
        if (inode != 0)
        {
            sb = KernelMemory.ReadU64(target, inode + KernelMemory.Offset(target, "inode", "i_sb"));
            type = InodeType.Of(target, inode);
            ulong vfsmount = 0;
            var namespaceTask = kernel.Tasks.FindByPid(1).FirstOrDefault() ?? context.CurrentTask();
            var ns = MountNamespace.TaskMountNamespace(target, namespaceTask.Address);
            if (ns != 0)
                foreach (var mount in MountNamespace.Mounts(target, ns, []))
                    if (mount.Superblock == sb) vfsmount = mount.Vfsmount;
            path = DPath.Path(target, vfsmount, dentry);
        }
        output.Write($"{Hex(dentry)} {Hex(inode)} {CrashColumns.MkString(sb.ToString("x"), 16, Justify.Center)} {type} {path}\n");
    }
}
