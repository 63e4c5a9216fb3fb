import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';

/**
 * code-server (VS Code 1.100 for the browser, from npm) run in isolation for a test, as
 * ../shared/E2E.md describes: bound to 127.0.0.1 on a free port, no auth, its config, XDG
 * folders, user data and extensions inside the run folder, telemetry/update/gallery lookups off.
 */
export class CodeServer {
    private process: ChildProcess | undefined;
    private output = '';
    port = 0;

    constructor(readonly installDir: string, readonly runDir: string) {}

    get userDataDir() { return path.join(this.runDir, 'user-data'); }
    get extensionsDir() { return path.join(this.runDir, 'extensions'); }
    private get binary() { return path.join(this.installDir, 'node_modules', '.bin', 'code-server'); }

    private get env(): NodeJS.ProcessEnv {
        return { ...process.env, XDG_CONFIG_HOME: path.join(this.runDir, 'xdg-config'), XDG_DATA_HOME: path.join(this.runDir, 'xdg-data') };
    }

    private get commonArgs(): string[] {
        return ['--config', path.join(this.runDir, 'config.yaml'), '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
    }

    /** Writes config.yaml and the user settings that keep code-server off the network. */
    prepare(extraSettings: Record<string, unknown> = {}): void {
        fs.mkdirSync(path.join(this.userDataDir, 'User'), { recursive: true });
        fs.mkdirSync(this.extensionsDir, { recursive: true });
        fs.writeFileSync(path.join(this.runDir, 'config.yaml'), 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
        fs.writeFileSync(path.join(this.userDataDir, 'User', 'settings.json'), JSON.stringify({
            'workbench.startupEditor': 'none',
            'telemetry.telemetryLevel': 'off',
            'extensions.autoCheckUpdates': false,
            'extensions.autoUpdate': false,
            'extensions.ignoreRecommendations': true,
            'update.mode': 'none',
            'workbench.enableExperiments': false,
            'git.enabled': false,
            'security.workspace.trust.enabled': false,
            'workbench.tips.enabled': false,
            ...extraSettings,
        }, null, 2));
    }

    /** `code-server --install-extension VSIX --force` into this run's extensions folder. */
    installExtension(vsix: string): string {
        const result = spawnSync(this.binary, [...this.commonArgs, '--install-extension', vsix, '--force'], { env: this.env, encoding: 'utf8', timeout: 120_000 });
        if (result.status !== 0) throw new Error(`code-server --install-extension failed (${result.status}): ${result.stdout}${result.stderr}`);
        return result.stdout + result.stderr;
    }

    /** Starts the server and resolves with its port once it says "HTTP server listening on http://127.0.0.1:PORT/". */
    async start(): Promise<number> {
        const args = [...this.commonArgs, '--bind-addr', '127.0.0.1:0', '--auth', 'none', '--disable-telemetry', '--disable-update-check',
            '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened'];
        this.process = spawn(this.binary, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        const log = fs.createWriteStream(path.join(this.runDir, 'code-server.log'));
        return new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`code-server did not listen within 60 s: ${this.output}`)), 60_000);
            const onData = (chunk: Buffer) => {
                log.write(chunk);
                this.output += chunk.toString();
                const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(this.output);
                if (m && !this.port) {
                    this.port = Number(m[1]);
                    clearTimeout(timer);
                    resolve(this.port);
                }
            };
            this.process!.stdout!.on('data', onData);
            this.process!.stderr!.on('data', onData);
            this.process!.on('exit', (code) => {
                clearTimeout(timer);
                if (!this.port) reject(new Error(`code-server exited (${code}): ${this.output}`));
            });
        });
    }

    /** True when a remote extension host's log says its eager extensions are activated (E2E.md gate step 2). */
    remoteHostReady(): boolean {
        const logs = path.join(this.userDataDir, 'logs');
        if (!fs.existsSync(logs)) return false;
        for (const session of fs.readdirSync(logs)) {
            const dir = path.join(logs, session);
            if (!fs.statSync(dir).isDirectory()) continue;
            for (const host of fs.readdirSync(dir).filter((d) => d.startsWith('exthost'))) {
                const file = path.join(dir, host, 'remoteexthost.log');
                if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('Eager extensions activated')) return true;
            }
        }
        return false;
    }

    /** Copies the server's logs into `dest` (for a failed run). */
    copyLogs(dest: string): void {
        const logs = path.join(this.userDataDir, 'logs');
        if (fs.existsSync(logs)) fs.cpSync(logs, dest, { recursive: true });
    }

    /** Stops the server and everything it started (its process group: extension hosts, kdumpdebug). */
    stop(): void {
        if (this.process?.pid && this.process.exitCode === null) {
            try {
                process.kill(-this.process.pid, 'SIGTERM');
            } catch {
                // already gone
            }
        }
    }
}
