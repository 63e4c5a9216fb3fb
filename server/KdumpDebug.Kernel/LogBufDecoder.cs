using System.Text;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Kernel;

/// <summary>
/// The v3.5-v5.9 kernel log format (commit 7ff9554bb578 "printk: convert byte-buffer to
/// variable-length record buffer"): <c>log_buf</c> holds <c>struct printk_log</c> headers, each
/// followed by its text (and dictionary), <c>len</c> bytes per record in all; a record with
/// <c>len</c> 0 marks the wrap back to offset 0. The header layout (with or without
/// <c>caller_id</c>, packed or not) comes from the vmlinux's DWARF, so every variant decodes the same
/// way. Pure: works on a copy of the buffer, one pass from <c>log_first_idx</c> to <c>log_next_idx</c>.
/// </summary>
public static class LogBufDecoder
{
    // Upper bound on records, so a corrupt len chain cannot spin: a 1 GiB buffer of minimal
    // 16-byte records has 2^26.
    const int MaxRecords = 1 << 26;

    /// <summary>
    /// The records of <paramref name="buffer"/> (the whole <c>log_buf</c>), oldest first, numbered
    /// from <paramref name="firstSeq"/>. Where the chain breaks (a header past the end, a length
    /// that does not fit), decoding stops and says so in <paramref name="problems"/>.
    /// </summary>
    public static IReadOnlyList<PrintkRecord> Decode(IKernelTarget target, TypeSystem types, CType printkLog, byte[] buffer,
        long first, long next, ulong firstSeq, List<string> problems)
    {
        var size = buffer.Length;
        if (first == next) return []; // log_first_idx == log_next_idx: nothing logged (or all cleared)
        var headerSize = (long)(printkLog.Size ?? 16);
        var hasCaller = printkLog.TryFindMember("caller_id", out _);
        var records = new List<PrintkRecord>();
        var index = first;
        var wrapped = false;
        while (records.Count < MaxRecords)
        {
            if (index == next && wrapped) break;
            if (index < 0 || index + headerSize > size)
            {
                problems.Add($"log_buf: record header at offset {index} is outside the {size}-byte buffer");
                break;
            }
            var header = TargetObject.FromBytes(target, types, printkLog, buffer.AsSpan((int)index, (int)headerSize).ToArray());
            var length = (long)header.Member("len").ReadUnsigned();
            if (length == 0)
            {
                // printk.c log_next(): a zero len is the wrap marker.
                if (index == 0 || wrapped)
                {
                    problems.Add($"log_buf: empty record at offset {index}");
                    break;
                }
                wrapped = true;
                index = 0;
                continue;
            }
            if (length < headerSize || index + length > size)
            {
                problems.Add($"log_buf: record at offset {index} has len {length}, past the {size}-byte buffer");
                break;
            }
            var textLength = (int)Math.Min((long)header.Member("text_len").ReadUnsigned(), length - headerSize);
            var text = Encoding.UTF8.GetString(buffer, (int)(index + headerSize), textLength);
            var caller = hasCaller ? (uint)header.Member("caller_id").ReadUnsigned() : 0;
            records.Add(new PrintkRecord(firstSeq + (ulong)records.Count, header.Member("ts_nsec").ReadUnsigned(),
                (int)header.Member("level").ReadUnsigned(), (int)header.Member("facility").ReadUnsigned(), caller, text));
            index += length;
            if (index == next) break;
        }
        return records;
    }
}
