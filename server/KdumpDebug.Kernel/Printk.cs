using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Kernel;

/// <summary>
/// The kernel log buffer, oldest record first. Since v5.10 (commit 896fbe20b4e2 "printk: use the
/// lockless ringbuffer") it is the lockless ring buffer <c>prb</c> (kernel/printk/printk_ringbuffer.c):
/// a descriptor ring (state + id in <c>state_var</c>, text position in <c>text_blk_lpos</c>), a
/// parallel <c>printk_info</c> array, and a text data ring whose blocks start with the descriptor
/// id. Before, <c>log_buf</c> held <c>struct printk_log</c> records back to back. Which one the
/// vmlinux has is read from its debug info. Reads the whole used part of the buffers once.
/// </summary>
public static class Printk
{
    // Descriptor states in the top two bits of state_var (printk_ringbuffer.h DESC_SV_BITS).
    const int DescCommitted = 1;
    const int DescFinalized = 2;

    /// <summary>Every readable record; records that cannot be read are skipped and named in <paramref name="problems"/>.</summary>
    public static IReadOnlyList<PrintkRecord> ReadRecords(KernelTarget target, List<string> problems)
    {
        if (target.Objects.TryVariable("prb", out var prb)) return ReadLockless(target, prb.Dereference(), problems);
        if (target.Objects.Types.TryFindType("struct printk_log", out _)) return ReadLogBuf(target, problems);
        throw new KdumpDebugException("vmlinux: neither the printk ring buffer (prb) nor log_buf with struct printk_log is in the debug info");
    }

    static IReadOnlyList<PrintkRecord> ReadLockless(KernelTarget target, TargetObject rb, List<string> problems)
    {
        var descRing = rb.Member("desc_ring");
        var countBits = (int)descRing.Member("count_bits").ReadUnsigned();
        if (countBits is < 0 or > 24) throw new KdumpDebugException($"prb: desc_ring.count_bits {countBits} is implausible");
        var count = 1UL << countBits;
        var descs = descRing.Member("descs");
        var infos = descRing.Member("infos");
        var tail = descRing.Member("tail_id").Member("counter").ReadUnsigned();
        var head = descRing.Member("head_id").Member("counter").ReadUnsigned();
        var dataRing = rb.Member("text_data_ring");
        var sizeBits = (int)dataRing.Member("size_bits").ReadUnsigned();
        if (sizeBits is < 0 or > 30) throw new KdumpDebugException($"prb: text_data_ring.size_bits {sizeBits} is implausible");
        var dataSize = 1UL << sizeBits;
        var data = new byte[dataSize];
        target.ReadVirtual(dataRing.Member("data").ReadUnsigned(), data);

        const ulong idMask = ~(3UL << 62);
        var records = new List<PrintkRecord>();
        var id = tail & idMask;
        for (ulong n = 0; n <= count; n++)
        {
            try
            {
                var desc = descs.Index((long)(id % count));
                var stateVar = desc.Member("state_var").Member("counter").ReadUnsigned();
                var state = (int)(stateVar >> 62);
                if ((stateVar & idMask) == id && state is DescCommitted or DescFinalized)
                {
                    var info = infos.Index((long)(id % count));
                    var lpos = desc.Member("text_blk_lpos");
                    var text = ReadBlockText(data, dataSize, lpos.Member("begin").ReadUnsigned(), lpos.Member("next").ReadUnsigned(),
                        (int)info.Member("text_len").ReadUnsigned());
                    records.Add(new PrintkRecord(info.Member("seq").ReadUnsigned(), info.Member("ts_nsec").ReadUnsigned(),
                        (int)info.Member("level").ReadUnsigned(), (int)info.Member("facility").ReadUnsigned(),
                        (uint)info.Member("caller_id").ReadUnsigned(), text));
                }
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"printk record id {id}: {e.Message}");
            }
            if (id == (head & idMask)) break;
            id = (id + 1) & idMask;
        }
        return records;
    }

    /// <summary>
    /// The text of a data block (printk_ringbuffer.c get_data): a block at <c>begin</c> starts with
    /// the descriptor id (one unsigned long); when <c>begin</c> and <c>next</c> are in different
    /// wraps of the ring, the block was placed at offset 0. Data-less positions (bit 0 set:
    /// FAILED_LPOS, EMPTY_LINE_LPOS) have no text.
    /// </summary>
    static string ReadBlockText(byte[] data, ulong size, ulong begin, ulong next, int textLength)
    {
        if ((begin & 1) != 0 || (next & 1) != 0) return "";
        var offset = begin & (size - 1);
        if (begin / size != next / size) offset = 0;
        var start = (long)offset + 8;
        var length = Math.Min(textLength, (int)Math.Max(0, (long)size - start));
        if (length <= 0) return "";
        return Encoding.UTF8.GetString(data, (int)start, length);
    }

    static IReadOnlyList<PrintkRecord> ReadLogBuf(KernelTarget target, List<string> problems)
    {
        var logBuf = target.Objects.Variable("log_buf").ReadUnsigned();
        var size = (long)target.Objects.Variable("log_buf_len").ReadUnsigned();
        if (size <= 0 || size > 1 << 30) throw new KdumpDebugException($"log_buf_len {size} is implausible");
        var buffer = new byte[size];
        target.ReadVirtual(logBuf, buffer);
        return LogBufDecoder.Decode(target, target.Objects.Types, target.Objects.Type("struct printk_log"), buffer,
            (long)target.Objects.Variable("log_first_idx").ReadUnsigned(),
            (long)target.Objects.Variable("log_next_idx").ReadUnsigned(),
            target.Objects.Variable("log_first_seq").ReadUnsigned(), problems);
    }
}
