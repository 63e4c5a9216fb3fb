using Xunit;

namespace KdumpDebug.TestSupport;

/// <summary>A [Fact] that is skipped (with the reason shown) when the real-dump fixtures are absent.</summary>
public sealed class FixtureFactAttribute : FactAttribute
{
    public FixtureFactAttribute()
    {
        if (!Fixtures.Available) Skip = "fixtures not found (../shared/fixtures or KDUMPDEBUG_FIXTURES_DIR)";
    }
}

/// <summary>A [Theory] that is skipped when the real-dump fixtures are absent.</summary>
public sealed class FixtureTheoryAttribute : TheoryAttribute
{
    public FixtureTheoryAttribute()
    {
        if (!Fixtures.Available) Skip = "fixtures not found (../shared/fixtures or KDUMPDEBUG_FIXTURES_DIR)";
    }
}
