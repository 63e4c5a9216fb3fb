// The comparison the DAP tests use between drgn's golden values and the Variables pane.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { expected, sameValue, stripCast } from '../support/drgnValues';

test('casts are stripped, nested function-pointer types included', () => {
    assert.equal(stripCast('(int)99'), '99');
    assert.equal(stripCast('(ssize_t (*)(struct file *, const char *, size_t, loff_t *))0x0'), '0x0');
});

test('numbers, pointers, symbol pointers, strings; aggregates are not compared', () => {
    assert.deepEqual(expected('(int)99'), { number: 99n });
    assert.deepEqual(expected('(ssize_t)-5'), { number: -5n });
    assert.deepEqual(expected('(struct pt_regs *)0xffffa40a401a7cd8'), { number: 0xffffa40a401a7cd8n });
    assert.deepEqual(expected('(const struct sysrq_key_op *)sysrq_crash_op+0x0 = 0xffffffff8262dde0'), { number: 0xffffffff8262dde0n });
    assert.deepEqual(expected('(const char *).LC0+0x31b = 0xffffffff8270c8cc = "sysrq triggered crash\\n"'), { text: 'sysrq triggered crash\\n' });
    assert.deepEqual(expected('(char [1024])"sysrq triggered crash"'), { text: 'sysrq triggered crash' });
    assert.equal(expected('(struct pt_regs){\n\t.r15 = (unsigned long)0,\n}'), undefined);
});

test('gdb-style values shown by the Variables pane match; wrong ones do not', () => {
    assert.equal(sameValue('(int)99', '99'), true);
    assert.equal(sameValue('(int)99', '98'), false);
    assert.equal(sameValue('(ssize_t)-5', '-5'), true);
    assert.equal(sameValue('(ssize_t)-5', '0xfffffffffffffffb'), true);
    assert.equal(sameValue('(bool)0', 'false'), true);
    assert.equal(sameValue('(bool)0', 'true'), false);
    assert.equal(sameValue('(struct pt_regs *)0x0', '0x0'), true);
    assert.equal(sameValue('(struct file *)0xffffa0f7c031d000', '(struct file *) 0xffffa0f7c031d000'), true);
    assert.equal(sameValue('(struct file *)0xffffa0f7c031d000', '0xffffa0f7c031d008'), false);
    assert.equal(sameValue('(const char *).LC0+0x31b = 0xffffffff8270c8cc = "sysrq triggered crash\\n"', '0xffffffff8270c8cc "sysrq triggered crash\\n"'), true);
    assert.equal(sameValue('(char [1024])"sysrq triggered crash"', '"sysrq triggered crash", \'\\000\' <repeats 1002 times>'), true);
    assert.equal(sameValue('(char [1024])"sysrq triggered crash"', '"other"'), false);
});
