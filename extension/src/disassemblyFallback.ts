import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { isKdumpSession } from './debugAdapter';
import { FrameSources, StackTraceBody } from './common/frameSources';

/**
 * Opens VS Code's disassembly view when the user selects a kdump frame whose kernel source is not
 * on this machine (no kernelSource/sourceFileMap covering it): the frame still shows its file and
 * line in the Call Stack, and the code is what there is to read.
 */
export class DisassemblyFallback {
    private readonly sources = new FrameSources();

    record(session: vscode.DebugSession, body: unknown): void {
        this.sources.record(session.id, body as StackTraceBody);
    }

    forget(session: vscode.DebugSession): void {
        this.sources.forget(session.id);
    }

    onActiveStackItem(item: vscode.DebugThread | vscode.DebugStackFrame | undefined): void {
        if (!(item instanceof vscode.DebugStackFrame) || !isKdumpSession(item.session)) return;
        if (!this.sources.needsDisassembly(item.session.id, item.frameId, (p) => fs.existsSync(p))) return;
        void vscode.commands.executeCommand('debug.action.openDisassemblyView');
    }
}
