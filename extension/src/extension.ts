import * as vscode from 'vscode';
import { debugType } from './common/launchConfig';
import { KdumpAdapterFactory, KdumpTrackerFactory, isKdumpSession } from './debugAdapter';
import { KdumpConfigurationProvider } from './configurationProvider';
import { DumpStatusBar } from './statusBar';
import { openVmcore, runCrashCommand, showTriageReport } from './commands';
import { KdumpLanguageClient } from './languageClient';
import { DisassemblyFallback } from './disassemblyFallback';

/** Wires the extension's parts to VS Code; the parts live in their own files. */
export function activate(context: vscode.ExtensionContext): void {
    const log = vscode.window.createOutputChannel('KdumpDebug', { log: true });
    const statusBar = new DumpStatusBar(log);
    const languageClient = new KdumpLanguageClient(context, log);
    const provider = new KdumpConfigurationProvider();
    const disassembly = new DisassemblyFallback();
    context.subscriptions.push(
        log,
        statusBar,
        languageClient,
        vscode.debug.registerDebugAdapterDescriptorFactory(debugType, new KdumpAdapterFactory(context, log)),
        vscode.debug.registerDebugAdapterTrackerFactory(debugType, new KdumpTrackerFactory({ onStopped: (s) => void statusBar.update(s), onStackTrace: (s, body) => disassembly.record(s, body) }, log)),
        vscode.debug.registerDebugConfigurationProvider(debugType, provider),
        vscode.debug.registerDebugConfigurationProvider(debugType, new KdumpConfigurationProvider(true), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
        vscode.debug.onDidChangeActiveDebugSession((s) => statusBar.show(s)),
        vscode.debug.onDidTerminateDebugSession((s) => {
            if (!isKdumpSession(s)) return;
            statusBar.forget(s);
            disassembly.forget(s);
        }),
        vscode.debug.onDidChangeActiveStackItem((item) => disassembly.onActiveStackItem(item)),
        vscode.commands.registerCommand('kdumpDebug.openVmcore', () => openVmcore()),
        vscode.commands.registerCommand('kdumpDebug.runCrashCommand', (command?: string) => runCrashCommand(context, typeof command === 'string' ? command : undefined)),
        vscode.commands.registerCommand('kdumpDebug.showTriageReport', () => showTriageReport(context)),
        vscode.workspace.onDidOpenTextDocument((d) => languageClient.onDocument(d)),
    );
    for (const document of vscode.workspace.textDocuments) languageClient.onDocument(document);
}

export function deactivate(): void {}
