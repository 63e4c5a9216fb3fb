import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { configurationFor, isEmptyConfiguration, problemOf, withDefaults } from '../../src/common/launchConfig';

test('an empty configuration (F5 without launch.json) is recognised', () => {
    assert.equal(isEmptyConfiguration({}), true);
    assert.equal(isEmptyConfiguration({ type: 'kdump', request: 'launch', name: 'x', vmcore: '/v' }), false);
});

test('defaults: type, request, name, threads; vmcore and vmlinux from the settings', () => {
    const config = withDefaults({}, { vmcore: '/dumps/vmcore', vmlinux: '/dumps/vmlinux', debugInfoDirs: [] });
    assert.deepEqual(config, { type: 'kdump', request: 'launch', name: 'Open kernel crash dump', vmcore: '/dumps/vmcore', vmlinux: '/dumps/vmlinux', threads: 'all' });
});

test('values in the configuration win over the settings', () => {
    const config = withDefaults({ vmcore: '/a/vmcore', vmlinux: '/a/vmlinux', threads: 'active', name: 'mine' }, { vmcore: '/b', vmlinux: '/c' });
    assert.equal(config.vmcore, '/a/vmcore');
    assert.equal(config.vmlinux, '/a/vmlinux');
    assert.equal(config.threads, 'active');
    assert.equal(config.name, 'mine');
});

test('debugInfoDirs: the settings are appended without duplicates; an empty vmlinux is dropped', () => {
    const config = withDefaults({ vmcore: '/v', vmlinux: '', debugInfoDirs: ['/usr/lib/debug', '/x'] }, { debugInfoDirs: ['/x', '/y', ''] });
    assert.deepEqual(config.debugInfoDirs, ['/usr/lib/debug', '/x', '/y']);
    assert.equal('vmlinux' in config, false);
});

test('the input is not changed', () => {
    const input = { vmcore: '/v' };
    withDefaults(input, { debugInfoDirs: ['/d'] });
    assert.deepEqual(input, { vmcore: '/v' });
});

test('problems: missing vmcore, bad threads, bad lists and maps; a good configuration has none', () => {
    assert.match(problemOf({})!, /no 'vmcore'/);
    assert.match(problemOf({ vmcore: ' ' })!, /no 'vmcore'/);
    assert.match(problemOf({ vmcore: '/v', threads: 'some' as 'all' })!, /'threads' is "some": use "all" or "active"/);
    assert.match(problemOf({ vmcore: '/v', modules: '/m' as unknown as string[] })!, /'modules' must be a list/);
    assert.match(problemOf({ vmcore: '/v', sourceFileMap: { '/build': 3 } as unknown as Record<string, string> })!, /'sourceFileMap' must map/);
    assert.equal(problemOf({ vmcore: '/v', modules: ['/m'], sourceFileMap: { '/build': '/src' }, threads: 'active' }), undefined);
});

test('the picked files become a named configuration', () => {
    const config = configurationFor('/dumps/vmcore.kdump-zlib', undefined, { debugInfoDirs: ['/usr/lib/debug'] });
    assert.deepEqual(config, {
        type: 'kdump', request: 'launch', name: 'Open kernel crash dump: vmcore.kdump-zlib', vmcore: '/dumps/vmcore.kdump-zlib',
        debugInfoDirs: ['/usr/lib/debug'], threads: 'all',
    });
});
