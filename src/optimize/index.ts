// `optimize`: one artifact per target, each made in a temp folder, validated against the fp32
// model, and only then moved into the output folder. A target that fails is reported with its
// reason; the others are still produced.
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  DEFAULT_FLOOR, belowFloor, calibrationSet, compareOutputs, fidelityRecord, inputMetaOf, loadOrt, nonFiniteOutput, randomSet, runOutputs, type Fidelity,
} from '../tensors/index.js';
import { CheckFailure, UserError, isUserError, oneLine, type ExitError } from '../errors.js';
import { inspectModelFile, loadModel, onnxOpset, sha256File } from '../model/index.js';
import { checkOutputPath } from '../documents/index.js';
import { VERSION } from '../version.js';
import { fp16, FP16_BLOCK_OPS } from './fp16.js';
import { int8Dynamic } from './int8-dynamic.js';
import { int8Static } from './int8-static.js';
import { ortFormat, ortOptimized } from './ort.js';
import { buildArtifact as buildIr } from './openvino.js';
import { buildArtifact as buildEngine } from './tensorrt.js';
import { writeManifest } from './manifest.js';
import {
  MANIFEST_SCHEMA, TargetError, isVendorTarget, type ArtifactRecord, type OptimizeManifest, type OptimizeOptions, type Target, type TargetInput, type TargetOutput,
  type TargetSettings, type VendorTarget,
} from './types.js';
import { ortMessage } from './ort-error.js';
import { quickSpeed, sizeProblem, type QuickSpeed } from './validate.js';

export * from './types.js';
export { FP16_BLOCK_OPS, sizeProblem, type QuickSpeed };
export { DEFAULT_SETTINGS, optimizeOptions, optimizeOptionsFromFlags, parseTargets, type OptimizeFlags, type OptimizeValues } from './options.js';
export { OPTIMIZE_SETTINGS } from './settings.js';
export { roundHalfEven, scaleZeroPoint, quantizeWeights, quantizeBias } from './quant.js';
export { percentileThreshold, entropyThreshold } from './calibrate.js';

/** The file beside the artifacts that keeps a vendor tool's whole output (built or not). */
export const toolLogName = (stem: string, target: VendorTarget) => `${stem}.${target}.log`;

/**
 * A tensorrt or openvino artifact, built by the vendor's tool into `tmp` and moved into `out`.
 * Nothing here can run it in process, so it carries no fidelity figures: benchmark it on the
 * device (edgeml bench --runtime tensorrt|openvino) and check it there.
 */
async function vendorArtifact(target: VendorTarget, model: string, tmp: string, out: string, stem: string, opts: OptimizeOptions, opset: number): Promise<ArtifactRecord> {
  const precision = opts.settings.vendorPrecision;
  const common = { model, outDir: tmp, precision, ...(opts.settings.toolPath ? { toolPath: opts.settings.toolPath } : {}) };
  const built = target === 'tensorrt'
    ? await buildEngine({
      ...common, timingCache: join(out, `${stem}.timing-cache`), logFile: join(out, toolLogName(stem, 'tensorrt')), ...(opts.inputSpec.shapes ? { shapes: opts.inputSpec.shapes } : {}),
    })
    : await buildIr(common);
  for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(out, f));
  const settings: Record<string, unknown> = { ...built.settings };
  // Paths the tool saw (the temp folder, --out): record file names, so the folder can move.
  for (const [k, v] of Object.entries(settings)) if (typeof v === 'string' && (v.startsWith(tmp) || v.startsWith(out))) settings[k] = basename(v);
  return {
    target,
    status: 'ok',
    path: join(out, basename(built.path)),
    sha256: built.sha256,
    bytes: built.bytes,
    precision,
    format: target === 'tensorrt' ? 'tensorrt-engine' : 'openvino-ir',
    opset,
    runtime: built.runtime,
    settings,
    durationMs: 0,
  };
}

const PASSES: Record<Exclude<Target, VendorTarget>, (t: TargetInput) => Promise<TargetOutput>> = {
  'ort-optimized': ortOptimized,
  'ort-format': ortFormat,
  fp16,
  'int8-dynamic': int8Dynamic,
  'int8-static': int8Static,
};

function cannotWrite(out: string, e: unknown): UserError {
  return new UserError(`--out ${out}: cannot write there (${(e as NodeJS.ErrnoException).code ?? oneLine(e)}); give a writable folder`);
}

/**
 * Checks, before any work and without creating anything, that the output folder can be made:
 * it, or the nearest folder above it that exists, is a writable folder.
 */
export function checkOutDir(out: string): string {
  const dir = resolve(out);
  let at = dir;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    if (!statSync(at).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(at, constants.W_OK);
  } catch (e) {
    throw cannotWrite(out, e);
  }
  return dir;
}

/** Creates the output folder if needed (once the inputs are known to be good) and checks that it is writable. */
export function prepareOutDir(out: string): string {
  const dir = checkOutDir(out);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw cannotWrite(out, e);
  }
  return dir;
}

export interface OptimizeHooks {
  onTarget?: (target: Target, phase: 'start' | 'done', record?: ArtifactRecord) => void;
}

export async function optimize(opts: OptimizeOptions, hooks: OptimizeHooks = {}): Promise<OptimizeManifest> {
  const file = await inspectModelFile(opts.model);
  if (file.format !== 'onnx') throw new UserError(`--model ${opts.model}: is already in ORT format; give the source .onnx model`);
  const source = loadModel(file.path);
  const meta = await inputMetaOf(file.path);
  const samples = Object.keys(opts.calibration).length
    ? calibrationSet(meta, opts.calibration, 16, opts.maxSamples, opts.inputSpec)
    : randomSet(meta, opts.inputSpec);
  const ort = loadOrt();
  const runtime = { name: 'onnxruntime', version: (ort.env as { versions?: { common?: string } }).versions?.common ?? 'unknown' };
  let reference: Awaited<ReturnType<typeof runOutputs>>;
  try {
    reference = await runOutputs(file.path, samples.batches);
  } catch (e) {
    // The model itself does not run on these inputs: the inputs are at fault (a random sample rate, a state of the wrong shape).
    const on = samples.source === 'calibration' ? 'the calibration data' : 'seeded random inputs';
    const given = new Set([...Object.keys(opts.calibration), ...Object.keys(opts.inputSpec.data ?? {})]);
    const free = meta.filter((m) => !given.has(m.name)).map((m) => `'${m.name}'`);
    throw new UserError(`--model ${opts.model}: ONNX Runtime cannot run it on ${on}: ${ortMessage(e)}; ${free.length ? `give real values for inputs that are not free data (${free.join(', ')} got random values) with --data NAME=file.npy|number, e.g. a sample rate or a state, or their shapes with --input` : 'check the shapes and values given to --calibration, --data and --input'}`);
  }
  // Every artifact is held to the source's outputs: they must be numbers to compare with.
  const nonFinite = nonFiniteOutput(reference);
  if (nonFinite) {
    const on = samples.source === 'calibration' ? 'the calibration data' : 'seeded random inputs';
    const fix = samples.source === 'calibration' ? 'fix the model, or give data it answers with finite numbers' : 'fix the model, or give --calibration data it answers with finite numbers';
    throw new UserError(`--model ${opts.model}: ${nonFinite} on ${on}, so no artifact can be compared with it; ${fix}`);
  }
  // Bad input stops before anything is written.
  const out = prepareOutDir(opts.out);
  const stem = basename(file.path).replace(/\.onnx$/i, '');
  const calibrationCache = opts.calibrationCache && samples.source === 'calibration'
    ? { file: resolve(opts.calibrationCache), key: await calibrationKey(file.sha256, opts) }
    : undefined;
  if (calibrationCache) mkdirSync(dirname(calibrationCache.file), { recursive: true });
  const artifacts: ArtifactRecord[] = [];
  for (const target of opts.targets) {
    hooks.onTarget?.(target, 'start');
    const started = performance.now();
    const tmp = mkdtempSync(join(out, `.edgeml-${target}-`));
    const base = { target, runtime, settings: {} as Record<string, unknown> };
    let record: ArtifactRecord;
    try {
      if (isVendorTarget(target)) {
        record = await vendorArtifact(target, file.path, tmp, out, stem, opts, onnxOpset(source));
      } else {
        const result = await PASSES[target]({ model: loadModel(file.path), sourcePath: file.path, dir: tmp, stem, samples, settings: opts.settings, calibrationCache });
        base.settings = result.settings;
        const measured = compareOutputs(reference, await runOutputs(result.file, samples.batches));
        const low = belowFloor(measured, opts.floor);
        const fidelity = fidelityRecord(measured);
        const bytes = statSync(result.file).size;
        const sizeRatio = bytes / file.bytes;
        const tooBig = sizeProblem(target, bytes, file.bytes);
        if (low) {
          const why = measured.nonFinite ? 'outputs not finite' : 'fidelity below the floor';
          record = { ...base, status: 'failed', fidelity, reason: `${why}: ${low}; not shipped`, failure: 'fidelity', durationMs: 0 };
        } else if (tooBig) {
          record = { ...base, status: 'failed', bytes, sizeRatio, fidelity, reason: tooBig, failure: 'size', durationMs: 0 };
        } else {
          // Timed where it was made, before it moves: nothing lands in --out unless every check ran.
          const speed = opts.quickSpeedMs === 0 ? undefined : await quickSpeed(file.path, result.file, samples.batches[0], opts.quickSpeedMs);
          const dest = join(out, basename(result.file));
          for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(out, f));
          record = {
            ...base,
            status: 'ok',
            path: dest,
            sha256: await sha256File(dest),
            bytes,
            sizeRatio,
            ...(speed ? { speed } : {}),
            precision: result.precision,
            format: result.format,
            opset: result.format === 'onnx' ? onnxOpset(loadModel(dest)) : onnxOpset(source),
            fidelity,
            ...(result.notes ? { notes: result.notes } : {}),
            durationMs: 0,
          };
        }
      }
    } catch (e) {
      const node = e instanceof TargetError ? e.node : undefined;
      record = {
        ...base,
        status: 'failed',
        reason: isUserError(e) ? oneLine(e) : ortMessage(e),
        ...(node ? { node } : {}),
        failure: isUserError(e) ? 'input' : 'runtime',
        durationMs: 0,
      };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    record.durationMs = Math.round(performance.now() - started);
    artifacts.push(record);
    hooks.onTarget?.(target, 'done', record);
  }
  return {
    schema: MANIFEST_SCHEMA,
    tool: { name: 'edgeml', version: VERSION },
    createdAt: new Date().toISOString(),
    source: { path: file.path, sha256: file.sha256, bytes: file.bytes, opset: onnxOpset(source) },
    validation: { inputs: samples.source, samples: samples.samples, floor: opts.floor },
    artifacts,
  };
}

/** Validation made the artifact and refused it (fidelity below the floor, not smaller than the source): exit 1, not 2. */
export function refusedByValidation(a: Pick<ArtifactRecord, 'failure'>): boolean {
  return a.failure === 'fidelity' || a.failure === 'size';
}

/** What calibration ranges depend on: the model, the data files, and the settings that shape them. */
async function calibrationKey(modelSha: string, opts: OptimizeOptions): Promise<string> {
  const hash = createHash('sha256').update(modelSha);
  for (const name of Object.keys(opts.calibration).sort()) hash.update(`${name}=${await sha256File(opts.calibration[name])}`);
  const s = opts.settings;
  hash.update(JSON.stringify([s.calibrationMethod, s.percentile, s.excludeOps, s.excludeNodes, opts.maxSamples]));
  return hash.digest('hex');
}

/** Artifact and source paths relative to the manifest's folder, so the folder can move. */
export function relativizeManifest(m: OptimizeManifest, manifestFile: string): OptimizeManifest {
  const dir = dirname(resolve(manifestFile));
  const rel = (p: string) => relative(dir, p) || '.';
  return {
    ...m,
    source: { ...m.source, path: rel(m.source.path) },
    artifacts: m.artifacts.map((a) => (a.path ? { ...a, path: rel(a.path) } : a)),
  };
}
export { manifestProblem, readManifest, writeManifest } from './manifest.js';

// The one implementation of the optimize command, called by `edgeml optimize` and the optimize
// action alike: options -> artifacts, manifest written once -> outcome for the adapter to show.

export interface OptimizeOutcome {
  /** The manifest as written (paths relative to its folder). */
  doc: OptimizeManifest;
  manifestFile: string;
  /** The artifacts that passed, with absolute paths. */
  ok: ArtifactRecord[];
  failed: ArtifactRecord[];
  /**
   * Why the command fails, when a target failed: a CheckFailure (exit 1) when validation refused
   * the artifacts, a UserError (exit 2) when the input cannot give a target (unsupported op,
   * missing data). The adapter throws it after showing the outcome.
   */
  failure?: ExitError;
}

/** The failure of a run whose targets `failed`, one summary line; undefined when none failed. */
export function optimizeFailure(failed: ArtifactRecord[]): ExitError | undefined {
  if (!failed.length) return undefined;
  const summary = failed.map((a) => (a.reason?.startsWith(a.target) ? a.reason : `${a.target}: ${a.reason}`)).join('; ');
  return failed.some((a) => !refusedByValidation(a)) ? new UserError(summary) : new CheckFailure(summary);
}

/**
 * Optimizes, then writes the manifest to `manifestFile` (default <out>/manifest.json). The output
 * folder is checked, not created, before any work: bad input leaves no folder behind.
 * `manifestWhat` names the manifest setting in messages (`--json`).
 */
export async function runOptimize(
  opts: OptimizeOptions,
  deps: OptimizeHooks & { manifestFile?: string; manifestWhat?: string } = {},
): Promise<OptimizeOutcome> {
  const out = checkOutDir(opts.out);
  const manifestFile = deps.manifestFile ?? join(out, 'manifest.json');
  if (deps.manifestFile || existsSync(out)) checkOutputPath(manifestFile, deps.manifestWhat ?? '--json');
  const manifest = await optimize(opts, deps);
  const doc = relativizeManifest(manifest, manifestFile);
  writeManifest(manifestFile, doc);
  const ok = manifest.artifacts.filter((a) => a.status === 'ok');
  const failed = manifest.artifacts.filter((a) => a.status === 'failed');
  const failure = optimizeFailure(failed);
  return { doc, manifestFile, ok, failed, ...(failure ? { failure } : {}) };
}
