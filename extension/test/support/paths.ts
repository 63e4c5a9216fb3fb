import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (out/test/support -> ../../..; extension/test/support too). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/**
 * The real-dump fixtures: KDUMPDEBUG_FIXTURES_DIR, else `shared/fixtures` in the repository root
 * or a folder above it (as KdumpDebug.TestSupport.Fixtures finds them); undefined when absent.
 */
export function fixturesDir(): string | undefined {
    const env = process.env.KDUMPDEBUG_FIXTURES_DIR;
    if (env) return fs.existsSync(env) ? env : undefined;
    for (let dir = repoRoot; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, 'shared', 'fixtures');
        if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
        if (path.dirname(dir) === dir) return undefined;
    }
}

/**
 * The server the tests drive: KDUMPDEBUG_SERVER, else the one `npm run publish-server` put in
 * dist/server (what the .vsix ships); undefined when neither exists.
 */
export function serverPath(): string | undefined {
    const candidate = process.env.KDUMPDEBUG_SERVER ?? path.join(repoRoot, 'dist', 'server', 'kdumpdebug');
    return fs.existsSync(candidate) ? candidate : undefined;
}
