// End-to-end test of `kdumpdebug dap` on the oops-module fixture (a NULL write in lkdtm.ko), launched
// with `modules` naming the folder of lkdtm.ko.xz: the module's frames get their variables from the
// module's own DWARF. Needs the built server (npm run publish-server, or KDUMPDEBUG_SERVER) and the
// fixtures; skips otherwise. Run alone: npm run test:dap.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { fixturesDir, serverPath } from '../support/paths';
import { baseFunction, startStopped } from '../support/dumpSession';

const server = serverPath();
const fixtures = fixturesDir();
const skip = !server ? 'kdumpdebug not built: npm run publish-server (or set KDUMPDEBUG_SERVER)' : !fixtures ? 'fixtures not found (../shared/fixtures or KDUMPDEBUG_FIXTURES_DIR)' : false;

describe('kdumpdebug dap on the oops-module dump with lkdtm.ko', () => {
    let dc: DebugClient;
    let frames: DebugProtocol.StackFrame[] = [];

    before(async () => {
        if (skip) return;
        const kernel = path.join(fixtures!, 'kernel');
        let stopped: DebugProtocol.StoppedEvent;
        ({ dc, stopped } = await startStopped(server!, {
            vmcore: path.join(fixtures!, 'oops-module', 'vmcore.kdump-zlib'), vmlinux: path.join(kernel, 'vmlinux.xz'), modules: [kernel],
        }));
        frames = (await dc.stackTraceRequest({ threadId: stopped.body.threadId! })).body.stackFrames;
    });
    after(async () => {
        await dc?.stop();
    });

    test('lkdtm_EXCEPTION\'s frame has scopes, and direct_entry\'s arguments come from lkdtm.ko\'s DWARF', { skip }, async () => {
        const frameOf = (fn: string) => {
            const frame = frames.find((f) => baseFunction(f.name) === fn);
            assert.ok(frame, `no frame ${fn} in ${frames.map((f) => f.name).join(', ')}`);
            return frame;
        };
        const scopes = (await dc.scopesRequest({ frameId: frameOf('lkdtm_EXCEPTION').id })).body.scopes;
        assert.ok(scopes.length > 0);
        const globals = scopes.find((s) => s.name === 'Globals');
        assert.ok(globals, scopes.map((s) => s.name).join(', '));
        assert.ok((await dc.variablesRequest({ variablesReference: globals.variablesReference })).body.variables.length > 0);
        const args = (await dc.scopesRequest({ frameId: frameOf('direct_entry').id })).body.scopes.find((s) => s.name === 'Arguments');
        assert.ok(args);
        const count = (await dc.variablesRequest({ variablesReference: args.variablesReference })).body.variables.find((v) => v.name === 'count');
        // drgn: (size_t)10, the length of "EXCEPTION\n".
        assert.equal(count?.value, '10');
    });
});
