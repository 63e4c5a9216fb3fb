#!/usr/bin/python3
"""Turn tests/bench/run.sh's raw.tsv into the markdown report (machine block + table).

usage: summarize.py RAW_TSV MACHINE_MD VMCORE_NAME

Per case and tool: medians over the warm reps of wall time, peak RSS and CPU time
(user + sys) from /usr/bin/time, and, for the page-read case, of the reading loop's
own seconds and MB/s as the tool printed them. The ratio is kdumpdebug / reference
(below 1 = kdumpdebug is faster or smaller). Skipped and failed tools get a row that
says why. Standard library only.
"""

import csv
import re
import statistics
import sys

CASES = {
    "a": ("startup + `rd -64 jiffies 1`", ["crash", "kdumpdebug"]),
    "b": ("read every dumpable page", ["libkdumpfile", "kdumpdebug"]),
    "c": ("debug info + `p init_task.comm`", ["crash", "drgn", "kdumpdebug-cold", "kdumpdebug"]),
    "d": ("panic task backtrace (`bt`)", ["crash", "drgn", "kdumpdebug"]),
    "e": ("every task's backtrace (`foreach bt`)", ["crash", "drgn", "kdumpdebug"]),
    "f": ("DAP: launch to first stackTrace, expand task_struct", ["kdumpdebug"]),
}
REFERENCE = {"a": "crash", "b": "libkdumpfile", "c": "crash", "d": "crash", "e": "crash", "f": "kdumpdebug"}
# cases c-f: the run printed its answer when this matches its stdout
ANSWER = {"c": re.compile(r"swapper/0"), "d": re.compile(r"sysrq_handle_crash"), "e": re.compile(r"sysrq_handle_crash"),
          "f": re.compile(r"first_stack_s=")}
RD_LINE = re.compile(r"^\s*([0-9a-f]+):\s+([0-9a-f]{16})\b", re.M)


def number(text, key):
    """The figure the page reader printed for key: 'key=N', 'key: N' or 'N key'."""
    k = re.escape(key)
    m = re.search(rf"(?i)(?<![\w/]){k}\s*[=:]\s*([0-9][0-9.,]*)", text) \
        or re.search(rf"(?i)([0-9][0-9.,]*)\s*{k}(?![\w/])", text)
    if not m:
        return None
    try:
        return float(m.group(1).replace(",", ""))
    except ValueError:
        return None


def loop_seconds(text):
    """The reading loop's seconds: 'seconds=N' / 'N seconds', else 'N s', else bytes / MB/s."""
    s = number(text, "seconds")
    if s is None:
        m = re.search(r"([0-9][0-9.]*)\s*s\b(?!/)", text)
        s = float(m.group(1)) if m else None
    if s is None:
        nbytes, mbps = number(text, "bytes"), number(text, "MB/s")
        s = nbytes / 1e6 / mbps if nbytes and mbps else None
    return s


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def first_line(path):
    for line in read(path).splitlines():
        if line.strip():
            return line.strip()[:160]
    return ""


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(rows, case, tool):
    """Stats of one (case, tool): dict with the table's figures, or a skip/failure note."""
    mine = [r for r in rows if r["case"] == case and r["tool"] == tool]
    skipped = [r for r in mine if r["kind"] == "skip"]
    if skipped:
        return {"note": "skipped: " + skipped[0]["note"]}
    if not mine:
        return {"note": "not run"}
    warm = [r for r in mine if r["kind"] == "warm"]
    failed = [r for r in mine if r["kind"] in ("warmup", "warm") and not ok(case, r)]
    if not warm:
        bad = failed[0] if failed else mine[0]
        why = first_line(bad["stderr"]) or first_line(bad["stdout"]) or "no output"
        return {"note": f"FAILED (exit {bad['rc']}): {why}"}
    s = {
        "n": len(warm),
        "wall": median(float(r["wall_s"]) for r in warm if r["wall_s"] != "NA"),
        "walls": [float(r["wall_s"]) for r in warm if r["wall_s"] != "NA"],
        "rss": median(int(r["maxrss_kb"]) / 1024 for r in warm if r["maxrss_kb"] != "NA"),
        "cpu": median(float(r["user_s"]) + float(r["sys_s"]) for r in warm if r["user_s"] != "NA"),
        "failed": len([r for r in warm if not ok(case, r)]),
    }
    cold = [r for r in mine if r["kind"] == "cold" and r["wall_s"] != "NA"]
    if cold:
        s["cold"] = float(cold[0]["wall_s"])
    out = read(warm[-1]["stdout"])
    if case == "a":
        m = RD_LINE.search(out)
        s["rd"] = m.group(2) if m else None
    elif case == "b":
        texts = [read(r["stdout"]) for r in warm]
        s["loop"] = median(loop_seconds(t) for t in texts)
        s["mbps"] = median(number(t, "MB/s") for t in texts)
        s["pages"] = number(out, "pages")
    elif case == "f":
        texts = [read(r["stdout"]) for r in warm]
        for key in ("first_stack_s", "task_struct_ms", "task_struct2_ms"):
            s[key] = median(number(t, key) for t in texts)
    return s


def ok(case, r):
    if r["rc"] != "0":
        return False
    out = read(r["stdout"])
    if case in ANSWER:
        return bool(ANSWER[case].search(out))
    return bool(RD_LINE.search(out)) if case == "a" else number(out, "MB/s") is not None


def ratio(x, ref):
    if x is None or ref is None or ref == 0:
        return None
    return x / ref


def main():
    raw, machine_md, vmcore_name = sys.argv[1:4]
    with open(raw, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))

    lines = [read(machine_md).rstrip(), ""]
    lines.append("| what | tool | wall s | peak RSS MiB | ratio | CPU s | loop s | loop MB/s | notes |")
    lines.append("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for case, (what, tools) in CASES.items():
        if not any(r["case"] == case for r in rows):
            continue
        stats = {t: summarize(rows, case, t) for t in tools}
        ref = stats[REFERENCE[case]]
        label = f"{what}, {vmcore_name}"
        for tool in tools:
            s = stats[tool]
            if "wall" not in s:
                lines.append(f"| {label} | {tool} | - | - | - | - | - | - | {s['note']} |")
                continue
            notes = [f"{s['n']} warm reps, wall {min(s['walls']):.2f}-{max(s['walls']):.2f}"]
            if "cold" in s:
                notes.append(f"cold {s['cold']:.2f} s")
            if s["failed"]:
                notes.append(f"{s['failed']} reps FAILED")
            if tool == REFERENCE[case]:
                r = "1 (reference)"
            else:
                # a: whole process (wall); b: the reading loop (loop s); both: peak RSS
                key = "loop" if case == "b" else "wall"
                rt, rr = ratio(s.get(key), ref.get(key)), ratio(s["rss"], ref.get("rss"))
                r = f"{fmt(rt)} ({key}), {fmt(rr)} (RSS)" if rt or rr else "-"
            if case == "a":
                if s.get("rd") is None:
                    notes.append("no `rd` line in output")
                else:
                    notes.append(f"jiffies={s['rd']}")
                    if tool != REFERENCE[case] and ref.get("rd") and ref["rd"] != s["rd"]:
                        notes.append(f"DIFFERS from {REFERENCE[case]} ({ref['rd']})")
            elif case == "b":
                if s.get("pages") is not None:
                    notes.append(f"{s['pages']:.0f} pages")
                    if tool != REFERENCE[case] and ref.get("pages") is not None and ref["pages"] != s["pages"]:
                        notes.append(f"page count DIFFERS from {REFERENCE[case]} ({ref['pages']:.0f})")
            elif case == "f":
                notes.append(f"launch to stackTrace {fmt(s.get('first_stack_s'), 3)} s, task_struct variables "
                             f"{fmt(s.get('task_struct_ms'), 1)} ms first / {fmt(s.get('task_struct2_ms'), 1)} ms second (medians)")
            lines.append(f"| {label} | {tool} | {fmt(s['wall'])} | {fmt(s['rss'], 0)} | {r} | "
                         f"{fmt(s['cpu'])} | {fmt(s.get('loop'), 3)} | {fmt(s.get('mbps'), 1)} | "
                         f"{'; '.join(notes)} |")
    lines.append("")
    lines.append("wall s, peak RSS, CPU s (user+sys): whole process, /usr/bin/time, median of the warm reps. "
                 "loop s / loop MB/s: the page-reading loop only, as the tool itself times it "
                 "(MB = 10^6 bytes). ratio: kdumpdebug / reference, lower is better; "
                 "page case by loop time, every other case by wall time.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
