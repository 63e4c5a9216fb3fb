import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FrameSources } from '../../src/common/frameSources';

const onDisk = new Set(['/src/linux/kernel/panic.c']);
const exists = (p: string) => onDisk.has(p);

test('a frame whose file is not on disk needs the disassembly view; one whose file is, does not', () => {
    const sources = new FrameSources();
    sources.record('s1', {
        stackFrames: [
            { id: 1, source: { path: 'kernel/panic.c' }, instructionPointerReference: '0xffffffff81000000' },
            { id: 2, source: { path: '/src/linux/kernel/panic.c' }, instructionPointerReference: '0xffffffff81000010' },
            { id: 3, instructionPointerReference: '0xffffffff81000020' },
            { id: 4, source: { path: 'x.c' } },
            { id: 5, source: { path: 'y.c', sourceReference: 7 }, instructionPointerReference: '0xffffffff81000030' },
        ],
    });
    assert.equal(sources.needsDisassembly('s1', 1, exists), true);
    assert.equal(sources.needsDisassembly('s1', 2, exists), false);
    assert.equal(sources.needsDisassembly('s1', 3, exists), true);
    assert.equal(sources.needsDisassembly('s1', 4, exists), false, 'no code address: nothing to disassemble');
    assert.equal(sources.needsDisassembly('s1', 5, exists), false, 'the adapter serves the text');
    assert.equal(sources.needsDisassembly('s2', 1, exists), false, 'another session');
    sources.forget('s1');
    assert.equal(sources.needsDisassembly('s1', 1, exists), false);
});
