import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { remember } from './common/adapterMessages';
import { configurationFor, KdumpLaunchConfig } from './common/launchConfig';
import { triageArguments, triageFailure } from './common/triageCommand';
import { findServer } from './server';
import { isKdumpSession } from './debugAdapter';
import { pickDumpFiles, readSettings } from './configurationProvider';

const historyKey = 'kdumpDebug.crashCommandHistory';

/** "KdumpDebug: Open vmcore": asks for the dump (and optionally the vmlinux) and starts a session. */
export async function openVmcore(): Promise<boolean> {
    const files = await pickDumpFiles();
    if (!files) return false;
    const folder = vscode.workspace.workspaceFolders?.[0];
    return vscode.debug.startDebugging(folder, configurationFor(files.vmcore, files.vmlinux, readSettings(folder)) as vscode.DebugConfiguration);
}

/**
 * "KdumpDebug: Run crash command": asks for a command (or takes it as the argument), runs it as
 * an `evaluate` in the repl context of the active kdump session, in the selected frame, and
 * prints `crash> CMD` and its output in the Debug Console. Returns the output.
 */
export async function runCrashCommand(context: vscode.ExtensionContext, command?: string): Promise<string | undefined> {
    const session = vscode.debug.activeDebugSession;
    if (!isKdumpSession(session)) {
        void vscode.window.showErrorMessage('KdumpDebug: no crash dump is open: start a kdump debug session first (KdumpDebug: Open vmcore)');
        return undefined;
    }
    const history = context.workspaceState.get<string[]>(historyKey, []);
    const text = command ?? (await vscode.window.showInputBox({
        title: 'KdumpDebug: Run crash command',
        prompt: `crash command or C expression (recent: ${history.slice(0, 5).join(', ') || 'none'})`,
        placeHolder: 'bt, ps, log, files, struct task_struct.comm <addr>, p jiffies …',
        value: history[0],
        ignoreFocusOut: true,
    }));
    if (!text?.trim()) return undefined;
    await context.workspaceState.update(historyKey, remember(history, text));
    const item = vscode.debug.activeStackItem;
    const frameId = item && 'frameId' in item && item.session.id === session.id ? item.frameId : undefined;
    const console = vscode.debug.activeDebugConsole;
    console.appendLine(`crash> ${text.trim()}`);
    try {
        const response = await session.customRequest('evaluate', { expression: text.trim(), context: 'repl', frameId });
        const output = String(response?.result ?? '');
        console.appendLine(output);
        await vscode.commands.executeCommand('workbench.debug.action.focusRepl');
        return output;
    } catch (e) {
        const message = (e as Error).message;
        console.appendLine(message);
        void vscode.window.showErrorMessage(`KdumpDebug: ${text.trim()}: ${message}`);
        return undefined;
    }
}

/**
 * "KdumpDebug: Show triage report": runs `kdumpdebug triage` on the active kdump session's dump
 * (or on files picked now) and opens the report in an editor: reason, taint, panic task, suspect,
 * call trace, the crash's log lines, the other CPUs. Returns the report text.
 */
export async function showTriageReport(context: vscode.ExtensionContext): Promise<string | undefined> {
    const session = vscode.debug.activeDebugSession;
    let config: KdumpLaunchConfig | undefined;
    if (isKdumpSession(session)) config = session.configuration as KdumpLaunchConfig;
    else {
        const files = await pickDumpFiles();
        if (!files) return undefined;
        config = configurationFor(files.vmcore, files.vmlinux, readSettings(vscode.workspace.workspaceFolders?.[0]));
    }
    let command: string;
    let args: string[];
    try {
        command = findServer(context).command;
        args = triageArguments(config);
    } catch (e) {
        void vscode.window.showErrorMessage(`KdumpDebug: ${(e as Error).message}`);
        return undefined;
    }
    const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'KdumpDebug: triage of ' + config.vmcore },
        () => new Promise<string | undefined>((resolve) => {
            execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
                if (error) {
                    void vscode.window.showErrorMessage(`KdumpDebug: ${triageFailure(stderr, error.code ?? null)}`);
                    resolve(undefined);
                } else resolve(stdout);
            });
        }));
    if (report === undefined) return undefined;
    const document = await vscode.workspace.openTextDocument({ content: report, language: 'plaintext' });
    await vscode.window.showTextDocument(document, { preview: false });
    return report;
}
