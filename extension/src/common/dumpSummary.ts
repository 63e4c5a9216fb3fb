/**
 * The dump's summary shown in the status bar: kernel release and panic reason, read from the
 * output of crash's `sys` command (evaluated in the repl after the stop), whose lines are
 * `     RELEASE: 6.1.192-fixture` and `       PANIC: "Kernel panic - not syncing: ..."`.
 */
export interface DumpSummary {
    readonly release?: string;
    readonly panic?: string;
    readonly nodeName?: string;
    readonly dumpFile?: string;
}

/** Parses `sys` output; fields that are missing stay undefined. */
export function parseSys(output: string): DumpSummary {
    const fields = new Map<string, string>();
    for (const line of output.split(/\r?\n/)) {
        const m = /^\s*([A-Z][A-Z ]*[A-Z]):\s?(.*)$/.exec(line);
        if (m && !fields.has(m[1])) fields.set(m[1], m[2].trim());
    }
    let panic = fields.get('PANIC');
    if (panic !== undefined) {
        panic = panic.replace(/^"(.*)"$/, '$1').trim();
        if (panic.length === 0) panic = undefined;
    }
    return {
        release: fields.get('RELEASE') || undefined,
        panic,
        nodeName: fields.get('NODENAME') || undefined,
        dumpFile: fields.get('DUMPFILE') || undefined,
    };
}

/** The panic reason without the kernel's "Kernel panic - not syncing: " prefix. */
export function shortPanic(panic: string): string {
    return panic.replace(/^Kernel panic - not syncing:\s*/, '').trim();
}

/** The status bar text: `RELEASE: REASON`, the reason cut to `max` characters. */
export function statusText(summary: DumpSummary, max = 60): string {
    const release = summary.release ?? 'unknown kernel';
    if (!summary.panic) return release;
    let reason = shortPanic(summary.panic);
    if (reason.length > max) reason = reason.slice(0, max - 1) + '…';
    return `${release}: ${reason}`;
}

/** The status bar tooltip: every field known. */
export function statusTooltip(summary: DumpSummary): string {
    const lines = [`Kernel release: ${summary.release ?? 'unknown'}`];
    if (summary.panic) lines.push(`Panic: ${summary.panic}`);
    if (summary.nodeName) lines.push(`Node: ${summary.nodeName}`);
    if (summary.dumpFile) lines.push(`Dump: ${summary.dumpFile}`);
    return lines.join('\n');
}
