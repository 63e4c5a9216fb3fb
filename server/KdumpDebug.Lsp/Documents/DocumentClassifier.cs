namespace KdumpDebug.Lsp.Documents;

/// <summary>
/// Decides a document's <see cref="DocumentKind"/> from the language id the client gives (the ids
/// the extension declares: <c>kdump-conf</c>, <c>grub</c>, <c>crash</c>, <c>c</c>) and, for other
/// ids (a plain-text or shell-script document), from the file name: <c>kdump.conf</c> (and
/// <c>*.kdump.conf</c>), <c>grub</c> in a <c>default</c> folder and <c>grub.cfg</c>,
/// <c>*.crash</c>, <c>*.c</c>/<c>*.h</c>. Debian's /etc/default/kdump-tools is a shell-variable
/// file of another format and is not served.
/// </summary>
public static class DocumentClassifier
{
    public static DocumentKind Classify(string uri, string? languageId)
    {
        switch (languageId)
        {
            case "kdump-conf": return DocumentKind.KdumpConf;
            case "grub": return DocumentKind.Grub;
            case "crash" or "crash-script": return DocumentKind.CrashScript;
            case "c": return DocumentKind.CSource;
        }
        var path = PathOf(uri);
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (name == "kdump.conf" || name.EndsWith(".kdump.conf", StringComparison.Ordinal)) return DocumentKind.KdumpConf;
        if (name == "grub.cfg" || path.EndsWith("/default/grub", StringComparison.Ordinal)) return DocumentKind.Grub;
        if (name.EndsWith(".crash", StringComparison.Ordinal)) return DocumentKind.CrashScript;
        // C++ editors often claim headers (.h -> cpp); the file name decides for them.
        if (name.EndsWith(".c", StringComparison.Ordinal) || name.EndsWith(".h", StringComparison.Ordinal)) return DocumentKind.CSource;
        return DocumentKind.Other;
    }

    /// <summary>The path part of a URI (percent-decoded), or the string itself when it is not a URI.</summary>
    public static string PathOf(string uri)
    {
        if (System.Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.IsAbsoluteUri)
            return System.Uri.UnescapeDataString(u.AbsolutePath);
        return uri;
    }
}
