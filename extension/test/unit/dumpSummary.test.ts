import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSys, shortPanic, statusText, statusTooltip } from '../../src/common/dumpSummary';
import { fixturesDir } from '../support/paths';

const sys = [
    '      KERNEL: vmlinux',
    '    DUMPFILE: vmcore.kdump-zlib  [PARTIAL DUMP]',
    '     RELEASE: 6.1.192-fixture',
    '     VERSION: #1 SMP 2025-01-01 00:00:00 UTC',
    '    NODENAME: fixture-vm',
    '       PANIC: "Kernel panic - not syncing: sysrq triggered crash"',
].join('\n');

test('sys: release, panic (unquoted), node and dump file', () => {
    assert.deepEqual(parseSys(sys), {
        release: '6.1.192-fixture',
        panic: 'Kernel panic - not syncing: sysrq triggered crash',
        nodeName: 'fixture-vm',
        dumpFile: 'vmcore.kdump-zlib  [PARTIAL DUMP]',
    });
});

test('sys without a panic line or with an empty one', () => {
    assert.equal(parseSys('     RELEASE: 6.1.0\n       PANIC: ""').panic, undefined);
    assert.deepEqual(parseSys('nothing here'), { release: undefined, panic: undefined, nodeName: undefined, dumpFile: undefined });
});

test('status text: release and the reason without the kernel prefix, cut to the limit', () => {
    assert.equal(statusText(parseSys(sys)), '6.1.192-fixture: sysrq triggered crash');
    assert.equal(statusText({ release: '6.1', panic: 'Kernel panic - not syncing: ' + 'x'.repeat(100) }, 20), '6.1: ' + 'x'.repeat(19) + '…');
    assert.equal(statusText({}), 'unknown kernel');
    assert.equal(shortPanic('BUG: kernel NULL pointer dereference, address: 0000000000000000'), 'BUG: kernel NULL pointer dereference, address: 0000000000000000');
    assert.match(statusTooltip(parseSys(sys)), /^Kernel release: 6\.1\.192-fixture\nPanic: Kernel panic - not syncing: sysrq triggered crash\nNode: fixture-vm/);
});

test('crash 8.0.2\'s own sys output on the fixtures parses to the release and panic of facts', (t) => {
    const fixtures = fixturesDir();
    if (!fixtures) return t.skip('fixtures not found (../shared/fixtures or KDUMPDEBUG_FIXTURES_DIR)');
    for (const scenario of ['sysrq', 'oops-module']) {
        const summary = parseSys(fs.readFileSync(path.join(fixtures, scenario, 'crash', 'sys.txt'), 'utf8'));
        assert.equal(summary.release, '6.1.192-fixture', scenario);
        assert.match(summary.panic ?? '', scenario === 'sysrq' ? /^Kernel panic - not syncing: sysrq triggered crash$/ : /NULL pointer|Oops/, scenario);
    }
});
