// The manifest (root package.json) against the server's launch contract
// (server/KdumpDebug.Dap/Protocol/custom.json, KdumpLaunchRequestArguments) and the list.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../support/paths';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const debuggerContribution = manifest.contributes.debuggers.find((d: { type: string }) => d.type === 'kdump');

test('the kdump debugger\'s launch attributes are exactly the server\'s, each with a description and a default', () => {
    const custom = JSON.parse(fs.readFileSync(path.join(repoRoot, 'server', 'KdumpDebug.Dap', 'Protocol', 'custom.json'), 'utf8'));
    const serverProps = Object.keys(custom.definitions.KdumpLaunchRequestArguments.allOf[1].properties).sort();
    const launch = debuggerContribution.configurationAttributes.launch;
    assert.deepEqual(Object.keys(launch.properties).sort(), serverProps);
    assert.deepEqual(launch.required, ['vmcore']);
    for (const [name, schema] of Object.entries<{ description?: string; default?: unknown; type: string }>(launch.properties)) {
        assert.ok(schema.description && schema.description.length > 20, `${name}: no description`);
        assert.ok('default' in schema, `${name}: no default`);
        const serverType = custom.definitions.KdumpLaunchRequestArguments.allOf[1].properties[name].type;
        assert.equal(schema.type, serverType, name);
    }
    for (const attr of ['vmcore', 'vmlinux', 'modules', 'debugInfoDirs', 'sourceFileMap', 'kernelSource', 'threads']) assert.ok(attr in launch.properties, attr);
    assert.deepEqual(launch.properties.threads.enum, ['all', 'active']);
});

test('snippets and initial configurations are kdump launches with a vmcore', () => {
    const all = [...debuggerContribution.initialConfigurations, ...debuggerContribution.configurationSnippets.map((s: { body: unknown }) => s.body)];
    assert.ok(debuggerContribution.configurationSnippets.length >= 2);
    for (const config of all) {
        assert.equal(config.type, 'kdump');
        assert.equal(config.request, 'launch');
        assert.ok(config.vmcore, JSON.stringify(config));
    }
});

test('commands, settings, languages and activation events', () => {
    const commands = manifest.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
    assert.deepEqual(commands.sort(), ['KdumpDebug: Open vmcore', 'KdumpDebug: Run crash command', 'KdumpDebug: Show triage report']);
    for (const c of manifest.contributes.commands) assert.ok(manifest.activationEvents.includes(`onCommand:${c.command}`), c.command);
    const settings = Object.keys(manifest.contributes.configuration.properties).sort();
    assert.deepEqual(settings, ['kdumpDebug.debugInfoDirs', 'kdumpDebug.serverPath', 'kdumpDebug.vmcore', 'kdumpDebug.vmlinux']);
    const languages = Object.fromEntries(manifest.contributes.languages.map((l: { id: string }) => [l.id, l]));
    assert.deepEqual(languages['kdump-conf'].filenames, ['kdump.conf']);
    assert.deepEqual(languages['crash-script'].extensions, ['.crash']);
    assert.ok(languages.grub.filenames.includes('grub.cfg'));
    for (const event of ['onDebugResolve:kdump', 'onLanguage:kdump-conf', 'onLanguage:crash-script', 'onLanguage:c'])
        assert.ok(manifest.activationEvents.includes(event), event);
    for (const l of manifest.contributes.languages) assert.ok(fs.existsSync(path.join(repoRoot, l.configuration)), l.configuration);
    assert.equal(manifest.main, './dist/extension.js');
});
