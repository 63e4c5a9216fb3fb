import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { findServer } from './server';
import { readSettings } from './configurationProvider';

/** The languages `kdumpdebug lsp` serves (ARCHITECTURE.md "Language server"). */
export const lspLanguages = ['kdump-conf', 'crash-script', 'grub', 'c'] as const;

/**
 * Starts the language client for `kdumpdebug lsp` the first time a document of one of
 * {@link lspLanguages} is open. A server that cannot start (missing, or an older one without the
 * `lsp` verb) is reported once in the output channel and not restarted.
 */
export class KdumpLanguageClient implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private starting: Promise<void> | undefined;

    constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {}

    /** Starts the client when `document` is one it serves (once). */
    onDocument(document: vscode.TextDocument): void {
        if (this.starting || !(lspLanguages as readonly string[]).includes(document.languageId)) return;
        if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return;
        this.starting = this.start().catch((e: Error) => this.log.error(`language server: ${e.message}`));
    }

    private async start(): Promise<void> {
        const server = findServer(this.context);
        const serverOptions: ServerOptions = { command: server.command, args: ['lsp'] };
        const settings = readSettings();
        let failures = 0;
        const clientOptions: LanguageClientOptions = {
            documentSelector: lspLanguages.map((language) => ({ language })),
            initializationOptions: { vmcore: settings.vmcore, vmlinux: settings.vmlinux, debugInfoDirs: settings.debugInfoDirs },
            synchronize: { configurationSection: 'kdumpDebug' },
            outputChannel: this.log,
            initializationFailedHandler: (error) => {
                this.log.error(`language server failed to initialize: ${String(error)}`);
                return false;
            },
            errorHandler: {
                error: () => ({ action: ErrorAction.Shutdown, handled: true }),
                closed: () => ({ action: ++failures < 3 ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true }),
            },
        };
        this.client = new LanguageClient('kdumpDebug', 'KdumpDebug language server', serverOptions, clientOptions);
        this.log.info(`language server: starting ${server.command} lsp`);
        await this.client.start();
    }

    dispose(): void {
        void this.client?.stop();
    }
}
