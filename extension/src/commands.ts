import * as vscode from 'vscode';
import { remember } from './common/adapterMessages';
import { configurationFor } from './common/launchConfig';
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
