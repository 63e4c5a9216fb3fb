import * as vscode from 'vscode';
import { parseSys, statusText, statusTooltip } from './common/dumpSummary';

/**
 * The status bar item with the open dump's kernel release and panic reason, filled after the
 * session stops from the server's `sys` output (an `evaluate` in the repl context, not echoed to
 * the Debug Console); hidden when no kdump session is active. Clicking it runs a crash command.
 */
export class DumpStatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('kdumpDebug.dump', vscode.StatusBarAlignment.Left, 10);
    private readonly texts = new Map<string, { text: string; tooltip: string }>();

    constructor(private readonly log: vscode.LogOutputChannel) {
        this.item.name = 'KdumpDebug: crash dump';
        this.item.command = 'kdumpDebug.runCrashCommand';
    }

    /** Reads `sys` from the session and shows it (when the session is still the active one). */
    async update(session: vscode.DebugSession): Promise<void> {
        try {
            const response = await session.customRequest('evaluate', { expression: 'sys', context: 'repl' });
            const summary = parseSys(String(response?.result ?? ''));
            this.texts.set(session.id, { text: `$(debug-alt) ${statusText(summary)}`, tooltip: `${statusTooltip(summary)}\n\nClick to run a crash command.` });
            this.show(vscode.debug.activeDebugSession ?? session);
        } catch (e) {
            this.log.warn(`status bar: sys failed: ${(e as Error).message}`);
        }
    }

    /** Shows the text of `session`, or hides the item when it is not a dump session we know. */
    show(session: vscode.DebugSession | undefined): void {
        const entry = session ? this.texts.get(session.id) : undefined;
        if (!entry) {
            this.item.hide();
            return;
        }
        this.item.text = entry.text;
        this.item.tooltip = entry.tooltip;
        this.item.show();
    }

    forget(session: vscode.DebugSession): void {
        this.texts.delete(session.id);
        this.show(vscode.debug.activeDebugSession);
    }

    dispose(): void {
        this.item.dispose();
    }
}
