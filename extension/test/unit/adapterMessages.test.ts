import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { errorText, isStopped, launchFailure, oneLine, remember } from '../../src/common/adapterMessages';

test('a failed launch gives the server\'s reason in one line, without a second kdumpdebug: prefix', () => {
    const response = { type: 'response', command: 'launch', success: false, message: 'x', body: { error: { format: 'kdumpdebug: /d/vmcore: no such file\n' } } };
    assert.equal(launchFailure(response), 'KdumpDebug: /d/vmcore: no such file');
});

test('error formats have their {variables} filled; without a body the message is used', () => {
    assert.equal(errorText({ body: { error: { format: '{file}: not a dump', variables: { file: '/x' } } } }), '/x: not a dump');
    assert.equal(launchFailure({ type: 'response', command: 'launch', success: false, message: 'vmlinux does not match the dump' }), 'KdumpDebug: vmlinux does not match the dump');
});

test('successful responses, other commands and events are not failures', () => {
    assert.equal(launchFailure({ type: 'response', command: 'launch', success: true }), undefined);
    assert.equal(launchFailure({ type: 'response', command: 'evaluate', success: false, message: 'no symbol' }), undefined);
    assert.equal(launchFailure({ type: 'event', event: 'output' }), undefined);
});

test('stopped events', () => {
    assert.equal(isStopped({ type: 'event', event: 'stopped', body: { reason: 'exception' } }), true);
    assert.equal(isStopped({ type: 'event', event: 'output' }), false);
});

test('oneLine and the command history', () => {
    assert.equal(oneLine('  a\n  b\tc \r\n'), 'a b c');
    assert.deepEqual(remember(['ps', 'bt', 'log'], ' bt '), ['bt', 'ps', 'log']);
    assert.deepEqual(remember(['a', 'b', 'c'], 'd', 3), ['d', 'a', 'b']);
    assert.deepEqual(remember(['a'], '   '), ['a']);
});
