// Publishes the server the .vsix carries: `dotnet publish server/KdumpDebug.Server` for linux-x64,
// self-contained (users need no .NET runtime) and ReadyToRun, composite with the framework (the
// server's csproj: start-up without JIT, generic framework code over our types included), into
// dist/server/ (dist/server/kdumpdebug is what the extension runs when kdumpDebug.serverPath is
// empty). Incremental: about 15 s when nothing changed, 3-4 minutes from scratch on 2 cores.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = ['publish', join(root, 'server', 'KdumpDebug.Server'), '-c', 'Release', '-r', 'linux-x64', '--self-contained', 'true',
    '-p:PublishReadyToRun=true', '-o', join(root, 'dist', 'server'), '-nologo', '-v', 'quiet'];
console.log(`publish-server: dotnet ${args.join(' ')}`);
const result = spawnSync('dotnet', args, { stdio: 'inherit', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' } });
if (result.status !== 0) {
    console.error(`publish-server: dotnet publish failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
}
