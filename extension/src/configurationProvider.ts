import * as vscode from 'vscode';
import { configurationFor, isEmptyConfiguration, KdumpLaunchConfig, KdumpSettings, problemOf, withDefaults } from './common/launchConfig';

/** The Run view dropdown's entry without launch.json. */
const dynamicConfigurationName = 'KdumpDebug: Open vmcore…';

/** The kdumpDebug.* settings that give launch defaults. */
export function readSettings(folder?: vscode.WorkspaceFolder): KdumpSettings {
    const config = vscode.workspace.getConfiguration('kdumpDebug', folder);
    return {
        vmcore: config.get<string>('vmcore'),
        vmlinux: config.get<string>('vmlinux'),
        debugInfoDirs: config.get<string[]>('debugInfoDirs') ?? [],
    };
}

/** Asks for the vmcore (required) and the vmlinux (optional: else found from the dump's build id). */
export async function pickDumpFiles(): Promise<{ vmcore: string; vmlinux?: string } | undefined> {
    const defaultUri = vscode.workspace.workspaceFolders?.[0]?.uri;
    const vmcore = await vscode.window.showOpenDialog({
        title: 'KdumpDebug: Open vmcore (the crash dump)',
        openLabel: 'Open vmcore',
        canSelectMany: false,
        canSelectFolders: false,
        defaultUri,
    });
    if (!vmcore?.[0]) return undefined;
    const choice = await vscode.window.showQuickPick(
        [
            { label: 'Choose the vmlinux…', detail: 'The kernel image with debug info (may be .xz/.zst/.gz compressed).', pick: true },
            { label: 'Find the vmlinux automatically', detail: 'From the dump\'s build id and release, in kdumpDebug.debugInfoDirs.', pick: false },
        ],
        { title: 'KdumpDebug: vmlinux for this dump', ignoreFocusOut: true },
    );
    if (!choice) return undefined;
    if (!choice.pick) return { vmcore: vmcore[0].fsPath };
    const vmlinux = await vscode.window.showOpenDialog({
        title: 'KdumpDebug: the vmlinux with debug info',
        openLabel: 'Use vmlinux',
        canSelectMany: false,
        defaultUri: vmcore[0].with({ path: vmcore[0].path.replace(/\/[^/]*$/, '') }),
    });
    if (!vmlinux?.[0]) return undefined;
    return { vmcore: vmcore[0].fsPath, vmlinux: vmlinux[0].fsPath };
}

/**
 * Fills defaults into `kdump` configurations. F5 with no launch.json, or a configuration with no
 * `vmcore` and no kdumpDebug.vmcore setting, asks for the files; a configuration the server
 * cannot be sent is refused with a one-line reason.
 */
export class KdumpConfigurationProvider implements vscode.DebugConfigurationProvider {
    /** `dynamic`: the entry the Run view's dropdown offers without launch.json (asks for the files). */
    constructor(private readonly dynamic = false) {}

    provideDebugConfigurations(): vscode.DebugConfiguration[] {
        if (this.dynamic) return [{ type: 'kdump', request: 'launch', name: dynamicConfigurationName }];
        return [{ type: 'kdump', request: 'launch', name: 'Open kernel crash dump', vmcore: '${workspaceFolder}/vmcore', vmlinux: '${workspaceFolder}/vmlinux' }];
    }

    async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
        const settings = readSettings(folder);
        let result: KdumpLaunchConfig = isEmptyConfiguration(config) ? withDefaults({}, settings) : withDefaults(config, settings);
        if (!result.vmcore) {
            const files = await pickDumpFiles();
            if (!files) return undefined; // cancelled: no session
            result = { ...result, vmcore: files.vmcore, vmlinux: files.vmlinux ?? result.vmlinux };
            if (!result.vmlinux) delete result.vmlinux;
            // F5 without launch.json or the dropdown's "Open vmcore…" entry: name the session after the dump.
            if (!config.name || config.name === dynamicConfigurationName) result.name = configurationFor(files.vmcore, files.vmlinux, settings).name;
        }
        return result as vscode.DebugConfiguration;
    }

    resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
        const problem = problemOf(config as KdumpLaunchConfig);
        if (problem) {
            void vscode.window.showErrorMessage(`KdumpDebug: ${problem}`);
            return undefined;
        }
        return config;
    }
}
