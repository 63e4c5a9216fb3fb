import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { locateServer, ServerLocation } from './common/serverLocator';

/** The `kdumpdebug` executable for this window: kdumpDebug.serverPath, the bundled one, or PATH (see locateServer). */
export function findServer(context: vscode.ExtensionContext): ServerLocation {
    const setting = vscode.workspace.getConfiguration('kdumpDebug').get<string>('serverPath');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return locateServer(setting, context.extensionPath, {
        isExecutable(file) {
            try {
                fs.accessSync(file, fs.constants.X_OK);
                return fs.statSync(file).isFile();
            } catch {
                return false;
            }
        },
        pathVariable: process.env.PATH,
    }, folder);
}
