using KdumpDebug.Commands.Parsing;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Devices;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>dev</c>: the character devices (dev.c dump_chrdevs: major, name, cdev, operations)
/// and the block majors (dump_blkdevs_v3: major, name, gendisk, operations), in crash's layout.
/// Operations are named by symbol (<c>memory_fops</c>); a device without one prints
/// <c>(none)</c>. The other dev options (-i, -p, -d, -D) are not supported.
/// </summary>
public sealed class DevCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "dev",
        Aliases: [],
        Summary: "device data",
        Synopsis: "dev",
        Description: """
            Display the character device table (major, name, struct cdev and its
            file_operations) and the block device majors (major, name, struct gendisk
            and its block_device_operations).
            """,
        Examples: """
              crash> dev
              CHRDEV    NAME                 CDEV        OPERATIONS
                 1      mem            ffffa0f7c0258900  memory_fops
                 5      /dev/tty       ffffffff82b587c0  tty_fops

              BLKDEV    NAME                GENDISK      OPERATIONS
               259      blkext              (none)
               254      virtblk        ffffa0f7c09a6400  virtblk_fops
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "");
        if (parsed.Operands.Count > 0) throw CommandException.Usage();
        var target = context.Kernel().Target;
        var problems = new List<string>();
        var chr = CharDevices.Read(target, problems);
        context.Out.Write("CHRDEV    NAME                 CDEV        OPERATIONS      \n");
        foreach (var d in chr) context.Out.Write(Row(context, d.Major, d.Name, d.Cdev, d.Fops));
        context.Out.Write("\n");
        var blk = BlockDevices.Read(target, problems);
        context.Out.Write("BLKDEV    NAME                GENDISK      OPERATIONS      \n");
        foreach (var d in blk) context.Out.Write(Row(context, d.Major, d.Name.Length > 0 ? d.Name : "(unknown)", d.Gendisk, d.Fops));
        foreach (var p in problems) context.Out.Write($"dev: {p}\n");
    }

    /// <summary>
    /// <c>" %3d      %-13s "</c> then <c>" %16lx  symbol"</c>, or <c>" "</c> and "(none)" centred in 16
    /// columns when there are no operations (dev.c).
    /// </summary>
    static string Row(CommandContext context, int major, string name, ulong device, ulong fops)
    {
        var head = $" {major,3}      {name,-13} ";
        if (fops == 0) return head + "      (none)     \n";
        var ops = context.Target.TryFindSymbol(fops, out var symbol, out var offset)
            ? offset == 0 ? symbol.Name : $"{symbol.Name}+{offset}"
            : fops.ToString("x");
        return head + $" {device,16:x}  {ops}\n";
    }
}
