import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';

/** The sysrq fixture's files (the kdump-zlib dump: what crash's goldens were made from). */
export function sysrqFiles(fixtures: string) {
    return {
        vmcore: path.join(fixtures, 'sysrq', 'vmcore.kdump-zlib'),
        vmlinux: path.join(fixtures, 'kernel', 'vmlinux.xz'),
        dir: path.join(fixtures, 'sysrq'),
    };
}

/**
 * A DebugClient driving `SERVER dap` (DebugClient spawns `runtime executable`, so the server is
 * the runtime and the verb the "program"), launched on a dump and stopped on the panic.
 */
export async function startStopped(server: string, launch: Record<string, unknown>): Promise<{ dc: DebugClient; stopped: DebugProtocol.StoppedEvent }> {
    const dc = new DebugClient(server, 'dap', 'kdump', { env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } }, true);
    dc.defaultTimeout = 60_000;
    await dc.start();
    const stopped = dc.waitForEvent('stopped', 120_000) as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([
        dc.waitForEvent('initialized', 120_000).then(() => dc.configurationDoneRequest()),
        dc.initializeRequest({
            adapterID: 'kdump', clientID: 'kdumpdebug-tests', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path',
            supportsVariableType: true, supportsVariablePaging: true, supportsMemoryReferences: true, supportsProgressReporting: true,
        }).then(() => dc.launchRequest(launch as DebugProtocol.LaunchRequestArguments)),
    ]);
    return { dc, stopped: await stopped };
}

/** Runs `kdumpdebug VMLINUX VMCORE -s -c CMD` and returns its standard output (the command-line text). */
export function commandLine(server: string, vmlinux: string, vmcore: string, command: string): string {
    const result = spawnSync(server, [vmlinux, vmcore, '-s', '-c', command], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    if (result.status !== 0) throw new Error(`kdumpdebug -c ${command}: exit ${result.status}: ${result.stderr}`);
    return result.stdout;
}

/** Function names of crash's `bt` output (`#N [sp] FUNC at pc`), in order. */
export function btFunctions(bt: string): string[] {
    return [...bt.matchAll(/^\s*#\d+ \[[0-9a-f]+\] (\S+) at [0-9a-f]+/gm)].map((m) => m[1]);
}

/** Function names of the kernel console's first Call Trace (reliable entries only: no `? ` guesses). */
export function consoleCallTrace(console: string): string[] {
    const lines = console.split(/\r?\n/);
    const start = lines.findIndex((l) => /\] Call Trace:$/.test(l));
    const result: string[] = [];
    for (const line of lines.slice(start + 1)) {
        const m = /^\[[\s\d.]+\]\s+(\?\s+)?([\w.]+)\+0x[0-9a-f]+\/0x[0-9a-f]+/.exec(line);
        if (m) {
            if (!m[1]) result.push(m[2]);
            continue;
        }
        if (/^\[[\s\d.]+\]\s+<\/?\w+>$/.test(line)) continue;
        break;
    }
    return result;
}

/** True when `needle` appears in `haystack` in order (other items may lie between). */
export function isSubsequence(needle: readonly string[], haystack: readonly string[]): boolean {
    let i = 0;
    for (const item of haystack) if (i < needle.length && item === needle[i]) i++;
    return i === needle.length;
}

/** A function name without a compiler suffix (`__handle_sysrq.cold` -> `__handle_sysrq`). */
export function baseFunction(name: string): string {
    return name.replace(/\.(cold|isra|constprop|part)(\.\d+)?$/, '').replace(/\+0x[0-9a-f]+(\/0x[0-9a-f]+)?$/, '');
}
