/**
 * Comparing a value as drgn prints it (`drgn/crashed-thread.json`: `(int)99`,
 * `(struct pt_regs *)0x0`, `(const char *).LC0+0x31b = 0xffffffff8270c8cc = "text"`,
 * `(char [1024])"text"`, `(bool)0`) with the value the Variables pane shows (gdb/crash style:
 * `99`, `0x0`, `0xffffffff8270c8cc "text"`, `"text", '\000' <repeats 1002 times>`, `false`).
 * Aggregates (`{...}`) are not compared: their members are checked by expanding them.
 */

/** drgn's value without its leading `(type)` cast; handles nested parentheses in function types. */
export function stripCast(value: string): string {
    if (!value.startsWith('(')) return value;
    let depth = 0;
    for (let i = 0; i < value.length; i++) {
        if (value[i] === '(') depth++;
        else if (value[i] === ')' && --depth === 0) return value.slice(i + 1);
    }
    return value;
}

/** What a drgn value must show: a string's text, or a number; undefined for aggregates. */
export function expected(drgnValue: string): { text?: string; number?: bigint } | undefined {
    const bare = stripCast(drgnValue).trim();
    if (bare.startsWith('{')) return undefined;
    const str = /"((?:[^"\\]|\\.)*)"$/.exec(bare);
    if (str && (bare.startsWith('"') || bare.includes(' = "'))) return { text: str[1] };
    const parts = bare.split(' = ');
    const last = parts[parts.length - 1];
    if (/^-?(0x[0-9a-f]+|\d+)$/i.test(last)) return { number: BigInt(last.startsWith('-') ? -BigInt(last.slice(1)) : BigInt(last)) };
    return undefined;
}

/** Every number written in `shown` (hex or decimal, signed), plus false/true as 0/1. */
export function numbersIn(shown: string): bigint[] {
    const result: bigint[] = [];
    for (const m of shown.matchAll(/-?0x[0-9a-f]+|-?\b\d+\b/gi)) {
        const t = m[0];
        result.push(t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t));
    }
    if (/\bfalse\b/.test(shown)) result.push(0n);
    if (/\btrue\b/.test(shown)) result.push(1n);
    return result;
}

/** True when `shown` (our Variables pane value) shows what `drgnValue` says; mask negatives to 64 bits both ways. */
export function sameValue(drgnValue: string, shown: string): boolean {
    const want = expected(drgnValue);
    if (!want) return true;
    if (want.text !== undefined) return shown.includes(`"${want.text}`);
    const mask = (1n << 64n) - 1n;
    return numbersIn(shown).some((n) => n === want.number || (n & mask) === (want.number! & mask));
}
