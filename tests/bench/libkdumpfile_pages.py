#!/usr/bin/python3
"""Page-read throughput baseline: read every dumpable page of a vmcore with libkdumpfile.

The reference half of the "page-read throughput" row of tests/bench/run.sh; the other
half is `kdumpdebug bench pages VMCORE`. Run it with Debian's /usr/bin/python3, which
has python3-libkdumpfile (`import kdumpfile`).

"Dumpable page" = a PFN whose bit is set in libkdumpfile's `file.pagemap` attribute:
the pages the file stores. For a kdump-compressed (diskdump) file this is the second
bitmap that makedumpfile wrote (after -d filtering); `memory.pagemap` is the first
(all RAM) and is not used. Each page is read with
`kdumpfile.read(KDUMP_MACHPHYSADDR, pfn * page_size, page_size)`, which decompresses
it (zlib/lzo/snappy/zstd as the page descriptor says). Machine-physical addresses need
no address translation, so neither vmlinux nor page tables are involved.

Only the reading loop is timed (time.perf_counter around the loop); opening the file,
importing the module and walking the bitmap are reported separately. The caller
measures the process's total wall time and peak RSS (/usr/bin/time).

Output, one `key=value` line (run.sh parses it; MB = 10^6 bytes):
    tool=libkdumpfile-<version> pages=N bytes=B seconds=S MB/s=X open_s=O bitmap_s=T errors=E
"""

import argparse
import sys
import time


def dumpable_pfns(bitmap, max_pfn):
    """All PFNs below max_pfn whose bit is set in a kdumpfile bmp, in ascending order.

    Uses bmp.get_bits(first, last), which returns the raw bitmap (bit i of byte j is
    PFN 8*j + i, the kernel's little-endian bit order), in chunks so a multi-TiB
    max_pfn does not need one huge buffer.
    """
    pfns = []
    chunk = 1 << 24  # PFNs per get_bits call: 2 MiB of bitmap
    first = 0
    while first < max_pfn:
        last = min(first + chunk, max_pfn) - 1
        raw = bitmap.get_bits(first, last)
        for j, byte in enumerate(raw):
            if byte == 0:
                continue
            base = first + 8 * j
            for i in range(8):
                if byte >> i & 1 and base + i <= last:
                    pfns.append(base + i)
        first = last + 1
    return pfns


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vmcore", help="dump file that libkdumpfile can open (kdump-compressed, ELF, ...)")
    ap.add_argument("--pagemap", default="file.pagemap",
                    help="bitmap attribute that lists the dumpable PFNs (default: file.pagemap)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    try:
        import kdumpfile
    except ImportError as e:
        sys.exit(f"libkdumpfile_pages.py: cannot import kdumpfile ({e}); "
                 "install python3-libkdumpfile and run with /usr/bin/python3")
    try:
        ctx = kdumpfile.kdumpfile(args.vmcore)
    except Exception as e:  # libkdumpfile raises its own exception classes
        sys.exit(f"libkdumpfile_pages.py: {args.vmcore}: cannot open: {e}")
    attrs = ctx.attr
    page_size = attrs["arch.page_size"]
    max_pfn = attrs["max_pfn"]
    fmt = attrs["file.format"] if "file.format" in attrs else "?"
    t1 = time.perf_counter()

    if args.pagemap not in attrs:
        sys.exit(f"libkdumpfile_pages.py: {args.vmcore}: no attribute {args.pagemap} (format {fmt})")
    pfns = dumpable_pfns(attrs[args.pagemap], max_pfn)
    t2 = time.perf_counter()

    # The timed loop: one read call per page, as a debugger reading pages one at a time does.
    read = ctx.read
    space = kdumpfile.KDUMP_MACHPHYSADDR
    nbytes = 0
    errors = 0
    first_error = None
    start = time.perf_counter()
    for pfn in pfns:
        try:
            nbytes += len(read(space, pfn * page_size, page_size))
        except Exception as e:  # count and go on: one bad page must not hide the figure
            errors += 1
            if first_error is None:
                first_error = f"pfn {pfn:#x}: {e}"
    seconds = time.perf_counter() - start

    try:
        from importlib.metadata import version
        tool = "libkdumpfile-" + version("libkdumpfile")
    except Exception:
        tool = "libkdumpfile"
    mbps = nbytes / 1e6 / seconds if seconds > 0 else float("inf")
    print(f"tool={tool} format={fmt} pages={len(pfns)} bytes={nbytes} seconds={seconds:.3f} "
          f"MB/s={mbps:.1f} open_s={t1 - t0:.3f} bitmap_s={t2 - t1:.3f} errors={errors}")
    if first_error:
        print(f"libkdumpfile_pages.py: first read error: {first_error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
