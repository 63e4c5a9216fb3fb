namespace KdumpDebug.Lsp.KdumpConf;

/// <summary>
/// One makedumpfile command-line option: its spelling (<c>-d</c>, <c>--message-level</c>),
/// whether it takes an argument, and its help. The table is makedumpfile 1.7's own: the getopt
/// string <c>"b:cDd:eEFfg:hi:lL:pRvXx:z"</c> and the <c>longopts</c> array of makedumpfile.c, with
/// the wording of <c>makedumpfile --help</c>.
/// </summary>
public sealed record MakedumpfileOption(string Name, bool TakesArgument, string Help, bool UsefulInKdumpConf = true)
{
    public static readonly IReadOnlyList<MakedumpfileOption> All =
    [
        new("-c", false, "Compress each page with zlib (a kdump-compressed dump readable by crash, drgn, kdumpdebug)."),
        new("-l", false, "Compress each page with lzo (fast; the RHEL/Fedora default)."),
        new("-p", false, "Compress each page with snappy (if makedumpfile was built with it)."),
        new("-z", false, "Compress each page with zstd (if makedumpfile was built with it)."),
        new("-E", false, "Write an ELF dump instead of the kdump-compressed format (no compression; needed by some older tools)."),
        new("-d", true, "Dump level 0..31: the sum of the page types to exclude (1 zero pages, 2 cache pages, 4 cache private, 8 user data, 16 free pages)."),
        new("-e", false, "Exclude the page structures (vmemmap) of excluded pages too (needs -d including free pages and a vmlinux)."),
        new("-x", true, "Read the kernel's debug information from this vmlinux (for --config/--eppic filtering).", false),
        new("-i", true, "Read VMCOREINFO from this file (not needed in kdump.conf: the initramfs has it).", false),
        new("-g", true, "Generate a VMCOREINFO file from a vmlinux and exit (not a dump option).", false),
        new("-F", false, "Write the flattened format to standard output (for ssh and raw targets); rearrange it later with `makedumpfile -R`."),
        new("-R", false, "Rearrange flattened data from standard input into a dump file (not a capture option).", false),
        new("-b", true, "Cache 2^order pages in memory before writing (order)."),
        new("-L", true, "Limit the dump file's size (SIZE); the dump is incomplete beyond it."),
        new("-X", false, "Exclude Xen user domain pages (Xen dumps)."),
        new("-D", false, "Print debugging messages."),
        new("-f", false, "Overwrite an existing dump file; allow -x with a vmlinux of another kernel."),
        new("-v", false, "Print the version and exit.", false),
        new("-h", false, "Print the help and exit.", false),
        new("--help", false, "Print the help and exit.", false),
        new("--message-level", true, "Message level 0..31: the sum of the messages to print (1 progress indicator, 2 common messages, 4 error messages, 16 report messages, 8 debug messages)."),
        new("--split", false, "Split the dump into several files written in parallel (needs several output files)."),
        new("--reassemble", false, "Join files made by --split into one dump (not a capture option).", false),
        new("--num-threads", true, "Read and compress pages with this many threads."),
        new("--cyclic-buffer", true, "Size in KiB of the buffer holding the page bitmap in cyclic mode."),
        new("--splitblock-size", true, "Size of the blocks --split hands out."),
        new("--work-dir", true, "Folder for temporary bitmap files."),
        new("--non-mmap", false, "Read /proc/vmcore with read() instead of mmap()."),
        new("--config", true, "Erase kernel data described by this filter configuration file (needs -x)."),
        new("--eppic", true, "Erase kernel data with this eppic macro (needs -x)."),
        new("--xen-syms", true, "The xen-syms file (Xen dumps).", false),
        new("--xen-vmcoreinfo", true, "VMCOREINFO of Xen (Xen dumps).", false),
        new("--xen_phys_start", true, "Physical start address of Xen (Xen dumps).", false),
        new("--diskset", true, "A VMCORE of a sadump diskset (repeatable).", false),
        new("--vtop", true, "Translate a virtual address to physical and exit.", false),
        new("--dump-dmesg", false, "Extract only the kernel log into the output file."),
        new("--partial-dmesg", false, "With --dump-dmesg: only the part of the log not yet read."),
        new("--mem-usage", false, "Show how many pages each dump level would keep, on the running system (not a capture option).", false),
        new("--dry-run", false, "Do everything but write the dump."),
        new("--show-stats", false, "Print page statistics at the end."),
        new("--check-params", false, "Only check the options and exit.", false),
    ];

    /// <summary>The option of this spelling (<c>--diskset=X</c> matches <c>--diskset</c>), or null.</summary>
    public static MakedumpfileOption? Find(string word)
    {
        var eq = word.StartsWith("--", StringComparison.Ordinal) ? word.IndexOf('=') : -1;
        var name = eq > 0 ? word[..eq] : word;
        return All.FirstOrDefault(o => o.Name == name);
    }
}
