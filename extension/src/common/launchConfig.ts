/**
 * The `kdump` launch configuration (package.json `contributes.debuggers[0].configurationAttributes`,
 * ARCHITECTURE.md "DAP mapping"): the attributes the server's `launch` takes, and the rules
 * that fill defaults from the settings. No VS Code API: tested under plain node.
 */
export interface KdumpLaunchConfig {
    type?: string;
    request?: string;
    name?: string;
    vmcore?: string;
    vmlinux?: string;
    modules?: string[];
    debugInfoDirs?: string[];
    sourceFileMap?: Record<string, string>;
    kernelSource?: string;
    threads?: 'all' | 'active';
    stopOnPanic?: boolean;
    [key: string]: unknown;
}

/** The `kdumpDebug.*` settings a launch configuration takes defaults from. */
export interface KdumpSettings {
    vmcore?: string;
    vmlinux?: string;
    debugInfoDirs?: readonly string[];
}

export const debugType = 'kdump';
export const defaultConfigurationName = 'Open kernel crash dump';

/** True when VS Code resolved an empty configuration: F5 with no launch.json (or none of our type). */
export function isEmptyConfiguration(config: KdumpLaunchConfig): boolean {
    return !config.type && !config.request && !config.name;
}

/**
 * Fills what a configuration leaves out: type/request/name, `vmcore`/`vmlinux` from the settings,
 * the settings' `debugInfoDirs` appended (without duplicates), `threads: "all"`. Returns a copy.
 */
export function withDefaults(config: KdumpLaunchConfig, settings: KdumpSettings): KdumpLaunchConfig {
    const result: KdumpLaunchConfig = { ...config };
    result.type ??= debugType;
    result.request ??= 'launch';
    result.name ??= defaultConfigurationName;
    if (!nonEmpty(result.vmcore) && nonEmpty(settings.vmcore)) result.vmcore = settings.vmcore;
    if (!nonEmpty(result.vmlinux)) {
        if (nonEmpty(settings.vmlinux)) result.vmlinux = settings.vmlinux;
        else delete result.vmlinux;
    }
    const dirs = [...(result.debugInfoDirs ?? []), ...(settings.debugInfoDirs ?? [])].filter(nonEmpty);
    if (dirs.length > 0) result.debugInfoDirs = [...new Set(dirs)];
    else delete result.debugInfoDirs;
    result.threads ??= 'all';
    return result;
}

/**
 * The one-line reason a configuration cannot be launched, or undefined when it can. Paths are
 * checked by the server (it names the file and what is wrong); this catches what it cannot be sent.
 */
export function problemOf(config: KdumpLaunchConfig): string | undefined {
    if (!nonEmpty(config.vmcore)) return "the launch configuration has no 'vmcore': give the path of the crash dump";
    if (config.threads !== undefined && config.threads !== 'all' && config.threads !== 'active')
        return `'threads' is "${String(config.threads)}": use "all" or "active"`;
    for (const key of ['modules', 'debugInfoDirs'] as const) {
        const value = config[key];
        if (value !== undefined && (!Array.isArray(value) || value.some((v) => typeof v !== 'string')))
            return `'${key}' must be a list of folder paths`;
    }
    if (config.sourceFileMap !== undefined) {
        const map = config.sourceFileMap;
        if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string'))
            return "'sourceFileMap' must map path prefixes to local folders (strings)";
    }
    return undefined;
}

/** The configuration the "Open vmcore" command and F5 without launch.json start with picked files. */
export function configurationFor(vmcore: string, vmlinux: string | undefined, settings: KdumpSettings): KdumpLaunchConfig {
    return withDefaults({ type: debugType, request: 'launch', name: `${defaultConfigurationName}: ${baseName(vmcore)}`, vmcore, vmlinux }, settings);
}

function baseName(file: string): string {
    const parts = file.split(/[\\/]/);
    return parts[parts.length - 1] || file;
}

function nonEmpty(value: unknown): value is string {
    return typeof value === 'string' && value.trim().length > 0;
}
