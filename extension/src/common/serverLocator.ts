import * as path from 'node:path';

/** Where the `kdumpdebug` executable was found, and why that one. */
export interface ServerLocation {
    /** Absolute path of the executable. */
    readonly command: string;
    /** `setting` (kdumpDebug.serverPath), `bundled` (shipped in the .vsix) or `path` (found on PATH). */
    readonly source: 'setting' | 'bundled' | 'path';
}

/** What {@link locateServer} may look at: the file system and the environment, passed in so tests need no disk. */
export interface ServerLocatorHost {
    /** True when the file exists and may be executed. */
    isExecutable(file: string): boolean;
    /** The PATH variable. */
    readonly pathVariable: string | undefined;
}

/** The name of the server executable, shipped in the .vsix at `dist/server/kdumpdebug`. */
export const serverExecutableName = 'kdumpdebug';

/** The path of the server the .vsix carries, relative to the extension's root. */
export function bundledServerPath(extensionPath: string): string {
    return path.join(extensionPath, 'dist', 'server', serverExecutableName);
}

/**
 * Finds the server: the `kdumpDebug.serverPath` setting when set (relative paths against the
 * workspace folder), else the one shipped in the extension, else `kdumpdebug` on PATH.
 * Throws an Error whose one-line message says what was tried, when none is usable.
 */
export function locateServer(
    setting: string | undefined,
    extensionPath: string,
    host: ServerLocatorHost,
    workspaceFolder?: string,
): ServerLocation {
    const configured = setting?.trim();
    if (configured) {
        const file = path.isAbsolute(configured) || !workspaceFolder ? path.resolve(configured) : path.resolve(workspaceFolder, configured);
        if (host.isExecutable(file)) return { command: file, source: 'setting' };
        throw new Error(`kdumpDebug.serverPath: ${file} is not an executable file`);
    }
    const bundled = bundledServerPath(extensionPath);
    if (host.isExecutable(bundled)) return { command: bundled, source: 'bundled' };
    for (const dir of (host.pathVariable ?? '').split(path.delimiter)) {
        if (!dir) continue;
        const candidate = path.join(dir, serverExecutableName);
        if (host.isExecutable(candidate)) return { command: candidate, source: 'path' };
    }
    throw new Error(`kdumpdebug server not found: not in the extension (${bundled}) nor on PATH; set kdumpDebug.serverPath`);
}
