namespace KdumpDebug.Kernel;

/// <summary>
/// One kernel log record (<c>struct printk_info</c> + its text, or an old <c>struct printk_log</c>):
/// sequence number, time since boot in ns, syslog level and facility, caller id (thread or CPU,
/// 0 when not recorded), and the text (may hold newlines). Immutable.
/// </summary>
public sealed record PrintkRecord(ulong Sequence, ulong TimestampNs, int Level, int Facility, uint CallerId, string Text);
