// The built `edgeml` bundle as users run it: every bad input ends with one line and exit 2,
// and no results file is written or overwritten.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'npyjs';
import { describe, expect, it } from 'vitest';
import { readResults } from '../src/results/index.js';
import { VERSION } from '../src/version.js';
import { DIGITS, MODELS, QUICK, ROOT, edgeml, expectRefused, tempDir } from './helpers.js';

describe('edgeml bench', () => {
  it('prints a readable table and writes a valid results document', () => {
    const dir = tempDir();
    const out = join(dir, 'r.json');
    const r = edgeml(['bench', MODELS.digits, ...QUICK, '--json', out]);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('**mlp.onnx**');
    expect(r.stdout).toMatch(/\| p90 \(headline\) +\| +[\d.]+ (µs|ms) \|/);
    expect(r.stdout).toContain('peak RSS');
    expect(readResults(out).model.name).toBe('mlp.onnx');
  });

  it('reports --profile as op-type and node tables', () => {
    const r = edgeml(['bench', '--model', MODELS.ocrCls, '--input', 'x=1x3x48x192', '--profile', ...QUICK]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| Conv +\|/);
    expect(r.stdout).toContain('CPUExecutionProvider');
  });

  it('prints its version and help', () => {
    expect(edgeml(['--version']).stdout.trim()).toBe(VERSION);
    const help = edgeml(['bench', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--input', '--dim', '--data', '--threads', '--ep', '--opt-level', '--warmup', '--min-iterations', '--min-duration', '--max-duration', '--scenario', '--profile', '--json']) {
      expect(help.stdout).toContain(flag);
    }
  });
});

describe('edgeml bench --config: the benchmark: settings of edgeml.yml, flags over them', () => {
  const setup = (benchmark: string) => {
    const dir = tempDir('edgeml-bench-config-');
    copyFileSync(MODELS.digits, join(dir, 'mlp.onnx'));
    const yml = `models:\n  digits:\n    path: mlp.onnx\n    input: [pixels=4x64]\nbenchmark:\n${benchmark}`;
    writeFileSync(join(dir, 'edgeml.yml'), yml);
    return { dir, config: join(dir, 'edgeml.yml'), model: join(dir, 'mlp.onnx'), existing: join(dir, 'existing.json') };
  };
  const SETTINGS = '  threads: 1\n  warmup: 3\n  min-iterations: 20\n  min-duration: 0s\n  max-duration: 5s\n  seed: 7\n';

  it('measures with the file\'s settings and the inputs of the model at that path', () => {
    const { dir, config, model } = setup(SETTINGS);
    const out = join(dir, 'r.json');
    const r = edgeml(['bench', '--config', config, model, '--json', out]);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`measured with the settings of ${config} (benchmark:, models.digits)`);
    const doc = readResults(out);
    expect(doc.runtime.threads).toBe(1);
    expect(doc.settings).toMatchObject({ warmup: 3, minIterations: 20, minDurationMs: 0, maxDurationMs: 5000, seed: 7 });
    expect(doc.inputs[0].shape).toEqual([4, 64]);
  });

  it('lets a flag typed on the command line win over the file', () => {
    const { dir, config, model } = setup(SETTINGS);
    const out = join(dir, 'r.json');
    const r = edgeml(['bench', '--config', config, model, '--warmup', '4', '--min-iterations', '25', '--input', 'pixels=2x64', '--json', out]);
    expect(r.status).toBe(0);
    const doc = readResults(out);
    expect(doc.runtime.threads).toBe(1);
    expect(doc.settings).toMatchObject({ warmup: 4, minIterations: 25, seed: 7 });
    expect(doc.inputs[0].shape).toEqual([2, 64]);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['a misspelt scenario', '  scenario: single-steam\n', /edgeml\.yml:6:13: benchmark\.scenario: expected one of single-stream, multi-stream, offline, got "single-steam" \(did you mean 'single-stream'\?\)$/],
    ['a duration without its unit', '  min-duration: 10\n', /edgeml\.yml:6:17: benchmark\.min-duration: expected a duration such as .*, got 10$/],
    ['max-duration below min-duration', '  min-duration: 10s\n  max-duration: 1s\n', /edgeml\.yml:7:17: benchmark\.max-duration 1s is shorter than benchmark\.min-duration 10s; raise benchmark\.max-duration$/],
  ];
  it.each(bad)('exits 2 with one line naming file:line:col for %s, and writes nothing', (_name, benchmark, expected) => {
    const { config, model, existing } = setup(benchmark);
    expectRefused(['bench', '--config', config, model], existing, expected);
  });

  it('wants a model even with a config (edgeml run measures every model of it)', () => {
    const { config } = setup(SETTINGS);
    const r = edgeml(['bench', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`edgeml: error: no model given: edgeml bench --config ${config} path/to/model.onnx`);
  });
});

describe('edgeml bench on bad input: exit 2, one line naming the problem and the fix, nothing written', () => {
  const dir = tempDir();
  const existing = join(dir, 'existing.json');
  const notAModel = join(dir, 'notes.onnx');
  writeFileSync(notAModel, 'these are my notes, not a model\n');
  const png = join(dir, 'picture.onnx');
  writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  const truncated = join(dir, 'truncated.onnx');
  writeFileSync(truncated, readFileSync(MODELS.ocrCls).subarray(0, 200_000));
  const empty = join(dir, 'empty.onnx');
  writeFileSync(empty, '');
  const fakeOrt = join(dir, 'fake.ort');
  copyFileSync(MODELS.digits, fakeOrt);
  const badNpy = join(dir, 'labels.npy');
  copyFileSync(join(DIGITS, 'test_labels.npy'), badNpy);
  const int64Npy = join(dir, 'pixels-int64.npy');
  writeFileSync(int64Npy, Buffer.from(dump(new BigInt64Array(4 * 64), [4, 64])));
  mkdirSync(join(dir, 'a-folder.onnx'));

  const cases: Array<[string, string[], RegExp]> = [
    ['missing file', ['bench', join(dir, 'nope.onnx')], /nope\.onnx: no such model file; check the path given to --model$/],
    ['a folder', ['bench', join(dir, 'a-folder.onnx')], /a-folder\.onnx: is a directory; give the path of an \.onnx or \.ort file$/],
    ['empty file', ['bench', empty], /empty\.onnx: the model file is empty; re-export it$/],
    ['text, not a model', ['bench', notAModel], /notes\.onnx: not a valid ONNX or ORT model \(.+\); check that the file is a complete export$/],
    ['a PNG named .onnx', ['bench', png], /picture\.onnx: not a valid ONNX or ORT model \(.+\); check that the file is a complete export$/],
    ['truncated protobuf', ['bench', truncated], /truncated\.onnx: not a valid ONNX or ORT model \(.+\); check that the file is a complete export$/],
    ['ONNX bytes named .ort', ['bench', fakeOrt], /fake\.ort: named \.ort but not in ORT format; convert it with 'edgeml optimize --target ort-format'$/],
    ['unknown input name', ['bench', MODELS.digits, '--input', 'image=1x64'], /--input image=\.\.\.: the model has no input named 'image'; its inputs are 'pixels'$/],
    ['unresolved dynamic dim', ['bench', MODELS.ocrCls], /input 'x' .*: dim 2 is dynamic; give its size with --input x=1x3x<size>x<size>$/],
    ['unresolved named dim', ['bench', MODELS.namedDim], /dim 1 \('sequence'\) is dynamic; give its size with --input tokens=1x<size> or --dim sequence=<size>$/],
    ['shape the model rejects', ['bench', MODELS.vadV5, '--input', 'input=1x512', '--input', 'state=2x3x128', '--data', 'sr=16000'], /the model rejected its inputs \(input=1x512 state=2x3x128 sr=scalar\): .*Input initial_h must have shape .+; fix the shapes with --input NAME=AxBxC or the values with --data NAME=file\.npy\|number$/],
    ['a random sample rate', ['bench', MODELS.vadV5, '--input', 'input=1x512', '--input', 'state=2x1x128'], /the scalar inputs got random values, give real ones with --data sr=<value>/],
    ['unknown execution provider', ['bench', MODELS.digits, '--ep', 'npu'], /--ep npu: unknown execution provider; this onnxruntime-node offers cpu, /],
    ['an execution provider this machine lacks', ['bench', MODELS.digits, '--ep', 'cuda'], /--ep cuda: the execution provider could not start here \(.+\); use --ep cpu or install its libraries$/],
    ['unknown scenario', ['bench', MODELS.digits, '--scenario', 'server'], /option '--scenario <name>' argument 'server' is invalid\. Allowed choices are single-stream, multi-stream, offline/],
    ['bad duration', ['bench', MODELS.digits, '--min-duration', 'soon'], /--min-duration "soon": expected a duration such as 10s, 500ms or 2m$/],
    ['bad count', ['bench', MODELS.digits, '--warmup', '-1'], /--warmup "-1": expected a whole number$/],
    ['max below min duration', ['bench', MODELS.digits, '--min-duration', '10s', '--max-duration', '1s'], /--max-duration 1s is shorter than --min-duration 10s; raise --max-duration$/],
    ['.npy of the wrong dtype', ['bench', MODELS.digits, '--data', `pixels=${int64Npy}`], /pixels-int64\.npy: dtype 'i8' does not match input 'pixels' \(float32\); save it as 'f4'/],
    ['.npy of the wrong rank', ['bench', MODELS.digits, '--data', `pixels=${badNpy}`], /labels\.npy: holds shape \[540\] but input 'pixels' has 2 dims \[batch, 64\]; save an array of that rank$/],
    ['missing .npy', ['bench', MODELS.digits, '--data', `pixels=${join(dir, 'gone.npy')}`], /gone\.npy: no such file; check the path given to --data$/],
    ['--json into a missing folder', ['bench', MODELS.digits, '--json', join(dir, 'no/such/dir/r.json')], /--json .*r\.json: the folder .*dir does not exist; create it first$/],
    ['unknown flag', ['bench', MODELS.digits, '--iterations', '5'], /unknown option '--iterations'/],
    ['no model', ['bench'], /no model given: edgeml bench path\/to\/model\.onnx$/],
  ];

  it.each(cases)('%s', (_name, args, expected) => {
    writeFileSync(existing, '{"keep": "me"}');
    // The case's own flags come last, so they win over the quick defaults.
    const [command, ...rest] = args;
    const r = edgeml([command, ...QUICK, ...rest, ...(args.includes('--json') ? [] : ['--json', existing])]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(existing, 'utf8')).toBe('{"keep": "me"}');
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});

describe('package', () => {
  it('keeps VERSION in step with package.json', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version).toBe(VERSION);
  });
});
