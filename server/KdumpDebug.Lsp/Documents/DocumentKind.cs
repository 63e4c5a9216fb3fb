namespace KdumpDebug.Lsp.Documents;

/// <summary>The kinds of document the server has features for.</summary>
public enum DocumentKind
{
    /// <summary>Not served: requests answer empty.</summary>
    Other,

    /// <summary>kexec-tools' /etc/kdump.conf (RHEL, Fedora, CentOS...).</summary>
    KdumpConf,

    /// <summary>GRUB configuration: /etc/default/grub or grub.cfg (the crashkernel= parameter).</summary>
    Grub,

    /// <summary>A crash command script (*.crash), as run by <c>crash -i</c> or <c>kdumpdebug -i</c>.</summary>
    CrashScript,

    /// <summary>Kernel C source or header.</summary>
    CSource,
}
