namespace KdumpDebug.Kernel.Mm;

/// <summary>What a user page table says about one virtual page.</summary>
public enum UserPageKind
{
    /// <summary>Present: <see cref="UserPage.Physical"/> holds the physical address.</summary>
    Mapped,
    /// <summary>Not present, with a swap entry (<see cref="UserPage.SwapType"/>, <see cref="UserPage.SwapOffset"/>).</summary>
    Swapped,
    /// <summary>No translation (an empty entry at some level).</summary>
    NotMapped,
    /// <summary>A page-table page on the way could not be read (<see cref="UserPage.Error"/> says why).</summary>
    Unreadable,
}

/// <summary>
/// One user virtual page as its task's page tables map it. For a mapped page,
/// <see cref="Excluded"/> is true when makedumpfile left the page out of the dump (its contents
/// cannot be read, though the translation is known).
/// </summary>
public readonly record struct UserPage(ulong Virtual, UserPageKind Kind, ulong Physical = 0, bool Excluded = false,
    ulong SwapType = 0, ulong SwapOffset = 0, string? Error = null);
