// One name per concept for `results` (issue #16): `results` names results documents to read, `out`
// the all-in-one action's results folder, `json` where a command writes its own document. The
// renamed input and output keep their old names until 0.3.0.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BENCH_SETTINGS } from '../src/bench/index.js';
import { addSettings } from '../src/cli/settings.js';
import { readInputs } from '../src/github/inputs.js';
import type { RunOutcome } from '../src/run/index.js';
import { ROOT, tempDir } from './helpers.js';

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string; deprecationMessage?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { steps: Array<{ id?: string; env?: Record<string, string> }> };
}
const actionYml = (file: string) => parse(readFileSync(join(ROOT, file), 'utf8')) as ActionYml;

// The all-in-one action's step, with `edgeml run` itself replaced by a finished outcome.
const run = vi.hoisted(() => ({ main: undefined as undefined | (() => Promise<void>), out: '' }));
vi.mock('../src/github/index.js', async (original) => ({ ...(await original<object>()), runAction: (main: () => Promise<void>) => { run.main = main; } }));
vi.mock('../src/run/index.js', async (original) => ({
  ...(await original<object>()),
  runAll: async (): Promise<RunOutcome> => ({
    verdict: 'pass', failures: [], out: run.out, report: join(run.out, 'report.md'), rendered: { markdown: '# edgeml report\n', sections: [], budgets: [] },
    summary: join(run.out, 'summary.json'), files: { results: [], compare: [], check: [], manifests: [], inspect: [], compat: [] }, rows: [], notices: [],
  }),
}));

async function withStdout<T>(fn: () => T | Promise<T>): Promise<{ value: T; stdout: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let stdout = '';
  process.stdout.write = ((chunk: string) => { stdout += chunk; return true; }) as typeof process.stdout.write;
  try {
    return { value: await fn(), stdout };
  } finally {
    process.stdout.write = write;
  }
}

const savedEnv = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

describe('the benchmark action: the input results is json (as edgeml bench --json)', () => {
  it('reads the old input with one warning; the new name wins when both are given', async () => {
    process.env.INPUT_MODEL = 'm.onnx';
    process.env.INPUT_RESULTS = 'old/r.json';
    const first = await withStdout(() => readInputs(BENCH_SETTINGS));
    expect(first.value.json).toBe('old/r.json');
    expect(first.stdout.split('\n').filter(Boolean)).toEqual(["::warning::input 'results' is deprecated and goes in 0.3.0; use input 'json'"]);
    process.env.INPUT_JSON = 'new/r.json';
    const both = await withStdout(() => readInputs(BENCH_SETTINGS));
    expect(both.value.json).toBe('new/r.json');
    // Once per process.
    expect(both.stdout).toBe('');
    delete process.env.INPUT_RESULTS;
    delete process.env.INPUT_JSON;
    expect((await withStdout(() => readInputs(BENCH_SETTINGS))).value.json).toBeUndefined();
  });

  it('declares the old input for the runner and passes it to the bundle; the CLI keeps --json and has no --results', () => {
    const yml = actionYml('actions/benchmark/action.yml');
    expect(yml.inputs.json).toMatchObject({ required: false, default: '' });
    expect(yml.inputs.results).toEqual({ description: 'Deprecated (goes in 0.3.0): the old name of json.', required: false, deprecationMessage: 'use json; results goes in 0.3.0' });
    const bench = yml.runs.steps.find((s) => s.id === 'bench')!;
    expect(bench.env).toMatchObject({ INPUT_JSON: '${{ inputs.json }}', INPUT_RESULTS: '${{ inputs.results }}' });
    const cmd = addSettings(new Command('bench').exitOverride(), BENCH_SETTINGS);
    const flags = cmd.options.map((o) => o.long);
    expect(flags).toContain('--json');
    expect(flags).not.toContain('--results');
    // Its output results stays: the path of the document written, what the other actions' results inputs take.
    expect(yml.outputs.results.description).toBe('Path of the results document.');
  });
});

describe('the all-in-one action: the output results is out (as its input out and edgeml run --out)', () => {
  it('sets out and, until 0.3.0, results to the results folder', async () => {
    const gh = tempDir();
    run.out = join(tempDir(), 'edgeml-results');
    Object.assign(process.env, { GITHUB_OUTPUT: join(gh, 'output'), GITHUB_STEP_SUMMARY: join(gh, 'summary.md'), INPUT_OUT: run.out, INPUT_COMMENT: 'false' });
    for (const f of [process.env.GITHUB_OUTPUT!, process.env.GITHUB_STEP_SUMMARY!]) writeFileSync(f, '');
    await import('../src/actions/run.js');
    const { stdout } = await withStdout(() => run.main!());
    expect(stdout).not.toContain('::error::');
    const outputs = Object.fromEntries([...readFileSync(process.env.GITHUB_OUTPUT!, 'utf8').matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]));
    expect(outputs.out).toBe(run.out);
    expect(outputs.results).toBe(outputs.out);
  });

  it('declares both outputs, the old one as deprecated', () => {
    const yml = actionYml('action.yml');
    expect(yml.outputs.out).toEqual({ description: 'Path of the results folder (the out input, made absolute).', value: '${{ steps.run.outputs.out }}' });
    expect(yml.outputs.results).toEqual({ description: 'Deprecated (goes in 0.3.0): the same path as out; read out.', value: '${{ steps.run.outputs.results }}' });
    expect(yml.inputs.out.default).toBe('edgeml-results');
  });
});
