import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { bundledServerPath, locateServer, ServerLocatorHost } from '../../src/common/serverLocator';

function host(executables: string[], pathVariable = ''): ServerLocatorHost {
    return { isExecutable: (f) => executables.includes(f), pathVariable };
}

test('the serverPath setting wins over the bundled server and PATH', () => {
    const found = locateServer('/opt/kd/kdumpdebug', '/ext', host(['/opt/kd/kdumpdebug', bundledServerPath('/ext'), '/usr/bin/kdumpdebug'], '/usr/bin'));
    assert.deepEqual(found, { command: '/opt/kd/kdumpdebug', source: 'setting' });
});

test('a relative serverPath is taken from the workspace folder', () => {
    const found = locateServer('bin/kdumpdebug', '/ext', host(['/ws/bin/kdumpdebug']), '/ws');
    assert.equal(found.command, '/ws/bin/kdumpdebug');
});

test('a serverPath that is not executable is an error naming the file, not a fallback', () => {
    assert.throws(() => locateServer('/nope/kdumpdebug', '/ext', host([bundledServerPath('/ext')])), /kdumpDebug\.serverPath: \/nope\/kdumpdebug is not an executable file/);
});

test('without a setting the bundled server is used', () => {
    const found = locateServer('  ', '/ext', host([path.join('/ext', 'dist', 'server', 'kdumpdebug'), '/usr/bin/kdumpdebug'], '/usr/bin'));
    assert.deepEqual(found, { command: '/ext/dist/server/kdumpdebug', source: 'bundled' });
});

test('without a bundled server the first kdumpdebug on PATH is used', () => {
    const found = locateServer(undefined, '/ext', host(['/b/kdumpdebug', '/c/kdumpdebug'], ['/a', '', '/b', '/c'].join(path.delimiter)));
    assert.deepEqual(found, { command: '/b/kdumpdebug', source: 'path' });
});

test('no server anywhere: one line saying what was tried and what to set', () => {
    assert.throws(() => locateServer(undefined, '/ext', host([], '/usr/bin')), (e: Error) => {
        assert.match(e.message, /^kdumpdebug server not found: .*\/ext\/dist\/server\/kdumpdebug.*PATH.*kdumpDebug\.serverPath$/);
        assert.ok(!e.message.includes('\n'));
        return true;
    });
});
