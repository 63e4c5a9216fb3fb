import * as vscode from 'vscode';
import { DapMessage, isStopped, launchFailure } from './common/adapterMessages';
import { debugType } from './common/launchConfig';
import { findServer } from './server';

/** Starts `kdumpdebug dap` for each `kdump` debug session (the adapter speaks DAP on stdio). */
export class KdumpAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
    constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {}

    createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
        const server = findServer(this.context);
        this.log.info(`session '${session.name}': starting ${server.command} dap (${server.source})`);
        return new vscode.DebugAdapterExecutable(server.command, ['dap']);
    }
}

/** What the tracker reports to the rest of the extension. */
export interface SessionEvents {
    /** The session stopped on the panic: the dump is open. */
    onStopped(session: vscode.DebugSession): void;
    /** A stackTrace response (its body) was sent to VS Code. */
    onStackTrace?(session: vscode.DebugSession, body: unknown): void;
}

/**
 * Watches each session's messages: a failed `launch` becomes an error notification with the
 * server's one-line reason; while `launch` runs a progress notification says the dump is being
 * opened (closed when the server reports its own DAP progress, answers, or stops).
 */
export class KdumpTrackerFactory implements vscode.DebugAdapterTrackerFactory {
    constructor(private readonly events: SessionEvents, private readonly log: vscode.LogOutputChannel) {}

    createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
        let endProgress: (() => void) | undefined;
        const stopProgress = () => {
            endProgress?.();
            endProgress = undefined;
        };
        return {
            onWillReceiveMessage: (message: DapMessage) => {
                if (message.type === 'request' && message.command === 'launch') {
                    const vmcore = String((session.configuration as { vmcore?: unknown }).vmcore ?? 'the dump');
                    void vscode.window.withProgress(
                        { location: vscode.ProgressLocation.Notification, title: `KdumpDebug: opening ${vmcore}` },
                        () => new Promise<void>((resolve) => (endProgress = resolve)),
                    );
                }
            },
            onDidSendMessage: (message: DapMessage) => {
                if (message.type === 'event' && message.event === 'progressStart') stopProgress();
                if (message.type === 'response' && message.command === 'launch') stopProgress();
                const failure = launchFailure(message);
                if (failure) {
                    this.log.error(failure);
                    void vscode.window.showErrorMessage(failure);
                }
                if (message.type === 'response' && message.command === 'stackTrace' && message.success) this.events.onStackTrace?.(session, message.body);
                if (isStopped(message)) {
                    stopProgress();
                    this.events.onStopped(session);
                }
            },
            onError: (error: Error) => this.log.error(`session '${session.name}': ${error.message}`),
            onExit: (code: number | undefined, signal: string | undefined) => {
                stopProgress();
                if (code) this.log.warn(`session '${session.name}': kdumpdebug exited with code ${code}${signal ? ` (${signal})` : ''}`);
            },
            onWillStopSession: stopProgress,
        };
    }
}

/** True for a session of our debug type. */
export function isKdumpSession(session: vscode.DebugSession | undefined): session is vscode.DebugSession {
    return session?.type === debugType;
}
