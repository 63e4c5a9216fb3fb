// Builds the extension with esbuild.
//   node extension/build.mjs           -> dist/extension.js: extension/src/extension.ts bundled with
//                                         vscode-languageclient (vscode is external), CommonJS for node.
//   node extension/build.mjs --tests   -> out/: every .ts under extension/src and extension/test
//                                         transpiled file by file (no bundling), for `node --test`.
// Type checking is `tsc --noEmit` (npm run check); esbuild only strips types.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tests = process.argv.includes('--tests');

function tsFiles(dir) {
    const files = [];
    for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) files.push(...tsFiles(full));
        else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(full);
    }
    return files;
}

if (tests) {
    rmSync(join(root, 'out', 'src'), { recursive: true, force: true });
    rmSync(join(root, 'out', 'test'), { recursive: true, force: true });
    await esbuild.build({
        entryPoints: [...tsFiles(join(root, 'extension', 'src')), ...tsFiles(join(root, 'extension', 'test'))],
        outdir: join(root, 'out'),
        outbase: join(root, 'extension'),
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        sourcemap: true,
        logLevel: 'warning',
    });
} else {
    await esbuild.build({
        entryPoints: [join(root, 'extension', 'src', 'extension.ts')],
        outfile: join(root, 'dist', 'extension.js'),
        bundle: true,
        external: ['vscode'],
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        sourcemap: true,
        minify: process.env.KDUMPDEBUG_MINIFY === '1',
        logLevel: 'warning',
    });
}
