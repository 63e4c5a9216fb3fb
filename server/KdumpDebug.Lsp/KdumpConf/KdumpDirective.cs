namespace KdumpDebug.Lsp.KdumpConf;

/// <summary>What a kdump.conf directive is, for the checks kdumpctl makes.</summary>
public enum DirectiveRole
{
    /// <summary>An ordinary option (one per file, kdumpctl's "Duplicated kdump config value").</summary>
    Option,

    /// <summary>A dump target: at most one per file ("More than one dump targets specified").</summary>
    Target,

    /// <summary>Removed: kdumpctl refuses the file ("Deprecated kdump config option").</summary>
    Removed,
}

/// <summary>
/// One kdump.conf directive as kexec-tools documents it (kdump.conf(5), the commented default
/// file): its name, argument synopsis, role, the closed set of values when there is one, and the
/// help text shown on hover and completion.
/// </summary>
public sealed record KdumpDirective(string Name, string Synopsis, DirectiveRole Role, string Help, IReadOnlyList<string>? Values = null)
{
    /// <summary>The failure actions kdump's capture initramfs knows (kdump.conf(5) failure_action).</summary>
    public static readonly IReadOnlyList<string> FailureActions = ["reboot", "halt", "poweroff", "shell", "dump_to_rootfs"];

    /// <summary>File systems a dump target may name (kdumpctl check_config: ext[234], minix, btrfs, xfs; virtiofs takes a tag).</summary>
    public static readonly IReadOnlyList<string> FileSystems = ["ext2", "ext3", "ext4", "xfs", "btrfs", "minix"];

    /// <summary>
    /// Every directive kdumpctl accepts or names as removed, in kdump.conf(5) order. Sources:
    /// kexec-tools/kdump-utils kdump.conf(5), gen-kdump-conf.sh and kdumpctl's check_config.
    /// </summary>
    public static readonly IReadOnlyList<KdumpDirective> All = Build();

    private static List<KdumpDirective> Build()
    {
        var list = new List<KdumpDirective>
        {
            new("auto_reset_crashkernel", "auto_reset_crashkernel <yes|no>", DirectiveRole.Option,
                "Whether kdumpctl resets the kernel's crashkernel= to the new default when kexec-tools updates its default value (for kernels still using the old default). Default: yes.",
                ["yes", "no"]),
            new("raw", "raw <partition>", DirectiveRole.Target,
                "Dump target: `dd` /proc/vmcore onto a raw partition. Use a persistent device name (/dev/vg/lv_kdump, /dev/disk/by-id/...). The core collector must write the flattened format (`makedumpfile -F`); read it back with `makedumpfile -R`. `path` is ignored."),
            new("nfs", "nfs <host:/export>", DirectiveRole.Target,
                "Dump target: mount the NFS export and copy /proc/vmcore to <mnt>/<path>/%HOST-%DATE/. DNS names and [IPv6]:/path are accepted."),
            new("ssh", "ssh <user@server>", DirectiveRole.Target,
                "Dump target: save /proc/vmcore to <user@server>:<path>/%HOST-%DATE/ over ssh (the user needs write permission there). makedumpfile must use `-F` (flattened output to stdout); `kdumpctl propagate` installs the key."),
            new("sshkey", "sshkey <path>", DirectiveRole.Option,
                "The ssh private key used for an ssh dump. Default: /root/.ssh/kdump_id_rsa."),
            new("virtiofs", "virtiofs <tag>", DirectiveRole.Target,
                "Dump target: mount the virtiofs share with this tag and copy /proc/vmcore to <mnt>/<path>/%HOST-%DATE/."),
            new("path", "path <path>", DirectiveRole.Option,
                "The directory the vmcore is saved in, relative to the dump target's root when a target is given, else an absolute path on the running system (the target is then found from what is mounted there). Ignored for raw dumps. Default: /var/crash."),
            new("core_collector", "core_collector <command> <options>", DirectiveRole.Option,
                "The command that copies the vmcore. Default: `makedumpfile -l --message-level 7 -d 31` (with `-F` for raw and ssh targets). makedumpfile filters pages (`-d`) and compresses (`-c` zlib, `-l` lzo, `-p` snappy, `-z` zstd); `cp`, `scp` and `dd`-like commands copy everything. `-i`/`-g` are not needed: the initramfs carries the kernel's VMCOREINFO."),
            new("kdump_post", "kdump_post <binary | script>", DirectiveRole.Option,
                "An executable run after the dump, with the dump's exit status as its first argument; /etc/kdump/post.d/* run before it, in lexical order."),
            new("kdump_pre", "kdump_pre <binary | script>", DirectiveRole.Option,
                "An executable run before the dump. Exit status 0: dump as usual; non-zero: run the final action (reboot/poweroff/halt) without dumping. /etc/kdump/pre.d/* run after it."),
            new("extra_bins", "extra_bins <binaries | shell scripts>", DirectiveRole.Option,
                "More binaries or scripts to put in the kdump initramfs (for kdump_pre/kdump_post scripts that need them)."),
            new("extra_modules", "extra_modules <module(s)>", DirectiveRole.Option,
                "More kernel modules to load in the kdump initramfs, separated by spaces; dependencies follow automatically."),
            new("failure_action", "failure_action <reboot | halt | poweroff | shell | dump_to_rootfs>", DirectiveRole.Option,
                "What to do when the dump fails. Default: reboot.", FailureActions),
            new("default", "default <reboot | halt | poweroff | shell | dump_to_rootfs>", DirectiveRole.Option,
                "Obsolete spelling of `failure_action` (same values); cannot be combined with it.", FailureActions),
            new("final_action", "final_action <reboot | halt | poweroff>", DirectiveRole.Option,
                "What to do after a successful dump, and after the `shell`/`dump_to_rootfs` failure actions finish. Default: reboot.",
                ["reboot", "halt", "poweroff"]),
            new("force_rebuild", "force_rebuild <0 | 1>", DirectiveRole.Option,
                "1: rebuild the kdump initramfs every time the kdump service starts. Exclusive with force_no_rebuild 1.", ["0", "1"]),
            new("force_no_rebuild", "force_no_rebuild <0 | 1>", DirectiveRole.Option,
                "1: never rebuild the kdump initramfs. Exclusive with force_rebuild 1.", ["0", "1"]),
            new("override_resettable", "override_resettable <0 | 1>", DirectiveRole.Option,
                "1: dump to a block device even when it cannot be reset (by default such a target is refused, as the dump would likely fail).", ["0", "1"]),
            new("dracut_args", "dracut_args <arg(s)>", DirectiveRole.Option,
                "Extra dracut options for building the kdump initramfs (e.g. --omit-drivers \"cfg80211 snd\"). `--mount` is not allowed: give the target as a directive."),
            new("fence_kdump_args", "fence_kdump_args <arg(s)>", DirectiveRole.Option,
                "Arguments for fence_kdump_send (any except the nodes to notify)."),
            new("fence_kdump_nodes", "fence_kdump_nodes <node(s)>", DirectiveRole.Option,
                "Cluster nodes (not localhost), separated by spaces, to send fence_kdump notifications to; required to enable fence_kdump."),
        };
        foreach (var fs in FileSystems)
        {
            list.Insert(list.FindIndex(d => d.Name == "virtiofs"), new(fs, $"{fs} <partition>", DirectiveRole.Target,
                $"Dump target: `mount -t {fs} <partition> <mnt>` and copy /proc/vmcore to <mnt>/<path>/%HOST_IP-%DATE/. The partition is a device node (prefer a persistent name such as /dev/vg/lv_kdump), LABEL=<label> or UUID=<uuid>."));
        }
        foreach (var (name, instead) in new[]
                 {
                     ("net", "use `nfs host:/export` or `ssh user@host`"),
                     ("options", "use extra_modules, and module options on the kernel command line (KDUMP_COMMANDLINE_APPEND in /etc/sysconfig/kdump)"),
                     ("link_delay", "the network is waited for by dracut (rd.net.timeout.*)"),
                     ("disk_timeout", "dracut waits for the target device (rd.timeout)"),
                     ("debug_mem_level", "add rd.memdebug=N to KDUMP_COMMANDLINE_APPEND"),
                     ("blacklist", "add rd.driver.blacklist=<module> to KDUMP_COMMANDLINE_APPEND"),
                 })
        {
            list.Add(new(name, $"{name} ...", DirectiveRole.Removed, $"Removed from kexec-tools: kdumpctl refuses a file that uses it; {instead}."));
        }
        return list;
    }

    /// <summary>The directive of this name, or null.</summary>
    public static KdumpDirective? Find(string name) => All.FirstOrDefault(d => d.Name == name);
}
