import { KdumpLaunchConfig } from './launchConfig';

/**
 * The command line of `kdumpdebug triage` for a launch configuration (ARCHITECTURE.md "Command
 * line"): the vmlinux when given, the vmcore, then each module folder and debug-info folder. No
 * VS Code API: tested under plain node.
 */
export function triageArguments(config: KdumpLaunchConfig): string[] {
    if (typeof config.vmcore !== 'string' || config.vmcore.trim() === '') throw new Error('no vmcore to triage');
    const args = ['triage'];
    if (typeof config.vmlinux === 'string' && config.vmlinux.trim() !== '') args.push(config.vmlinux);
    args.push(config.vmcore);
    for (const dir of config.modules ?? []) args.push('--modules', dir);
    for (const dir of config.debugInfoDirs ?? []) args.push('--debuginfo-dir', dir);
    return args;
}

/** The one line to show when the server failed: its `kdumpdebug: ...` line, else the first line of its output, else the exit code. */
export function triageFailure(stderr: string, code: number | string | null): string {
    const line = stderr.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
    return line ?? `kdumpdebug triage exited with ${code ?? 'a signal'}`;
}
