import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { triageArguments, triageFailure } from '../../src/common/triageCommand';

test('triage arguments: vmlinux, vmcore, then every module and debug-info folder', () => {
    assert.deepEqual(
        triageArguments({ vmcore: '/d/vmcore', vmlinux: '/d/vmlinux', modules: ['/m1', '/m2'], debugInfoDirs: ['/usr/lib/debug'] }),
        ['triage', '/d/vmlinux', '/d/vmcore', '--modules', '/m1', '--modules', '/m2', '--debuginfo-dir', '/usr/lib/debug']);
    assert.deepEqual(triageArguments({ vmcore: '/d/vmcore', vmlinux: '' }), ['triage', '/d/vmcore']);
});

test('triage needs a vmcore', () => {
    assert.throws(() => triageArguments({ vmlinux: '/d/vmlinux' }), /no vmcore/);
});

test('a failure shows the server\'s one line', () => {
    assert.equal(triageFailure('\nkdumpdebug: /x: no such file\n', 2), 'kdumpdebug: /x: no such file');
    assert.equal(triageFailure('', 1), 'kdumpdebug triage exited with 1');
});
