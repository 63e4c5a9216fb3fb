using KdumpDebug.Commands.Crash;
using KdumpDebug.Kernel.Fs;

namespace KdumpDebug.Commands.Tests;

/// <summary>The fd lines of files: crash's columns, and one line for an fd whose file could not be read.</summary>
public class FilesLineTests
{
    [Fact]
    public void AReadableFileHasCrashsColumns() =>
        Assert.Equal("  1 ffffa0f7c031d000 ffffa0f7c04519c0 ffffa0f7c04647e0 REG  /proc/sysrq-trigger",
            FilesCommand.FormatLine(new OpenFile(1, 0xffffa0f7c031d000, 0xffffa0f7c04519c0, 0xffffa0f7c04647e0, "REG ", "/proc/sysrq-trigger")));

    [Fact]
    public void AnUnreadableFileIsOneLineWithItsFdAndPointer() =>
        Assert.Equal(" 12 ffffa0f7c0afd200 (cannot read: page excluded: virtual address ffffa0f7c0afd200, PFN afd (dump level 31))",
            FilesCommand.FormatLine(new OpenFile(12, 0xffffa0f7c0afd200, 0, 0, "", "",
                "page excluded: virtual address ffffa0f7c0afd200, PFN afd (dump level 31)")));

    [Fact]
    public void AFileWithoutDentryShowsQuestionMarksAsCrashDoes() =>
        Assert.Equal("  3 ffffa0f7c0afd200 0000000000000000        ?         ?    ?",
            FilesCommand.FormatLine(new OpenFile(3, 0xffffa0f7c0afd200, 0, 0, "?   ", "?")));
}
