// The "Show triage report" command's server run: `kdumpdebug triage` with the arguments the
// extension builds (triageArguments), on the sysrq fixture. Needs the built server and the fixtures.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesDir, serverPath } from '../support/paths';
import { sysrqFiles } from '../support/dumpSession';
import { triageArguments } from '../../src/common/triageCommand';

const server = serverPath();
const fixtures = fixturesDir();
const skip = !server ? 'kdumpdebug not built: npm run publish-server (or set KDUMPDEBUG_SERVER)' : !fixtures ? 'fixtures not found' : false;

test('the triage report of the sysrq dump names the panic task and the suspect', { skip }, () => {
    const files = sysrqFiles(fixtures!);
    const facts = JSON.parse(fs.readFileSync(path.join(files.dir, 'facts.json'), 'utf8'));
    const report = execFileSync(server!, triageArguments({ vmcore: files.vmcore, vmlinux: files.vmlinux }), { encoding: 'utf8' });
    const field = (key: string) => report.split('\n').find((l) => l.startsWith(key + ' '))?.slice(key.length).trim();
    assert.equal(field('PID'), String(facts.panic_pid));
    assert.equal(field('TASK'), facts.panic_task);
    assert.match(field('SUSPECT') ?? '', new RegExp(`^${facts.crash_function}\\b`));
    assert.match(field('PANIC') ?? '', /sysrq triggered crash/);
    assert.match(report, /^CALL TRACE:$/m);
});

test('a missing dump gives the server\'s one-line error and exit code 2', { skip }, () => {
    try {
        execFileSync(server!, triageArguments({ vmcore: '/nonexistent/vmcore' }), { encoding: 'utf8', stdio: 'pipe' });
        assert.fail('triage of a missing file succeeded');
    } catch (e) {
        const error = e as { status: number; stderr: string };
        assert.equal(error.status, 2);
        assert.match(error.stderr, /^kdumpdebug: .*\/nonexistent\/vmcore/);
    }
});
