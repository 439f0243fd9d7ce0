// `edgeml optimize`: flags -> OptimizeOptions -> optimize -> table on stdout, manifest to --json.
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { parseDimFlag, parseShapeFlag } from '../bench/index.js';
import { CheckFailure, UserError } from '../errors.js';
import {
  CALIBRATION_METHODS, DEFAULT_FLOOR, DEFAULT_SETTINGS, TARGETS, optimize, parseCalibrationFlags, parseTargets,
  prepareOutDir, relativizeManifest, writeManifest, type ArtifactRecord, type CalibrationMethod, type OptimizeManifest,
} from '../optimize/index.js';
import { checkOutputPath } from '../results/index.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const list = (value: string, previous: string[]) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

export interface OptimizeFlags {
  model?: string;
  target?: string;
  out?: string;
  calibration: string[];
  calibrationMethod: CalibrationMethod;
  percentile: string;
  maxSamples: string;
  excludeOp: string[];
  excludeNode: string[];
  fp16BlockOp: string[];
  minCosine: string;
  minTop1Agreement: string;
  absTolerance: string;
  input: string[];
  dim: string[];
  json?: string;
}

function fraction(flag: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new UserError(`${flag} ${raw}: give a number between 0 and 1, e.g. ${flag} 0.99`);
  return v;
}

function nonNegative(flag: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new UserError(`${flag} ${raw}: give a number >= 0, e.g. ${flag} 0.0001`);
  return v;
}

function positive(flag: string, raw: string, max = Infinity): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || v > max) throw new UserError(`${flag} ${raw}: give a positive number${max < Infinity ? ` up to ${max}` : ''}`);
  return v;
}

export function optimizeOptionsFromFlags(f: OptimizeFlags) {
  if (!f.model) throw new UserError('--model: give the .onnx file to optimize, e.g. edgeml optimize --model model.onnx --target fp16 --out artifacts');
  if (!f.target) throw new UserError(`--target: give one or more of ${TARGETS.join(', ')}`);
  if (!f.out) throw new UserError('--out: give the folder for the artifacts, e.g. --out artifacts');
  return {
    model: f.model,
    targets: parseTargets(f.target),
    out: f.out,
    calibration: parseCalibrationFlags(f.calibration),
    inputSpec: {
      shapes: Object.fromEntries(f.input.map(parseShapeFlag)),
      dims: Object.fromEntries(f.dim.map(parseDimFlag)),
    },
    floor: { cosine: fraction('--min-cosine', f.minCosine), top1Agreement: fraction('--min-top1-agreement', f.minTop1Agreement), absTolerance: nonNegative('--abs-tolerance', f.absTolerance) },
    settings: {
      ...DEFAULT_SETTINGS,
      calibrationMethod: f.calibrationMethod,
      percentile: positive('--percentile', f.percentile, 100),
      excludeOps: f.excludeOp,
      excludeNodes: f.excludeNode,
      fp16BlockOps: f.fp16BlockOp.length ? f.fp16BlockOp : DEFAULT_SETTINGS.fp16BlockOps,
    },
    maxSamples: positive('--max-samples', f.maxSamples),
  };
}

function row(a: ArtifactRecord): string {
  const fid = a.fidelity
    ? `cos ${a.fidelity.cosine.toFixed(5)} · max|err| ${a.fidelity.maxAbsError.toPrecision(3)}${a.fidelity.top1Agreement === null ? '' : ` · top-1 agree ${(100 * a.fidelity.top1Agreement).toFixed(2)}%`}`
    : '';
  if (a.status === 'ok') return `| ${a.target} | ok | ${a.path} | ${((a.bytes ?? 0) / 1024).toFixed(1)} KiB | ${fid} | ${(a.durationMs / 1000).toFixed(1)} s |`;
  return `| ${a.target} | **failed** | ${(a.reason ?? '').replace(/\|/g, '\\|')} | | ${fid} | ${(a.durationMs / 1000).toFixed(1)} s |`;
}

export function manifestTable(m: OptimizeManifest): string {
  return [
    `source ${m.source.path} (${(m.source.bytes / 1024).toFixed(1)} KiB, opset ${m.source.opset}); validated on ${m.validation.samples} ${m.validation.inputs} samples`,
    '',
    '| target | status | artifact | size | fidelity vs fp32 | time |',
    '| :-- | :-- | :-- | --: | :-- | --: |',
    ...m.artifacts.map(row),
  ].join('\n');
}

export function optimizeCommand(): Command {
  const cmd = new Command('optimize')
    .description('make one validated artifact per target runtime: ort-optimized, ort-format, fp16, int8-dynamic, int8-static')
    .option('--model <file>', 'the source .onnx model')
    .option('--target <list>', `comma-separated targets: ${TARGETS.join(', ')}`)
    .option('--out <dir>', 'folder for the artifacts (created if missing)')
    .option('--calibration <name=file.npy>', 'calibration and validation samples for an input, N along the first axis (repeatable)', collect, [])
    .addOption(new Option('--calibration-method <method>', 'int8-static activation ranges').choices([...CALIBRATION_METHODS]).default('minmax'))
    .option('--percentile <p>', 'percentile of |x| kept by --calibration-method percentile', '99.999')
    .option('--max-samples <n>', 'calibration samples used at most', '512')
    .option('--exclude-op <types>', 'op types the int8 targets leave in float32 (comma-separated, repeatable)', list, [])
    .option('--exclude-node <names>', 'node names the int8 targets leave in float32 (comma-separated, repeatable)', list, [])
    .option('--fp16-block-op <types>', 'op types fp16 keeps in float32 (replaces the default list)', list, [])
    .option('--min-cosine <x>', 'fidelity floor: cosine similarity of outputs vs fp32', String(DEFAULT_FLOOR.cosine))
    .option('--min-top1-agreement <x>', 'fidelity floor for classifiers: share of same top-1 answers', String(DEFAULT_FLOOR.top1Agreement))
    .option('--abs-tolerance <x>', 'outputs within this max abs error of fp32 pass whatever their cosine', String(DEFAULT_FLOOR.absTolerance))
    .option('--input <name=shape>', 'shape of an input for the random validation inputs used without --calibration (repeatable)', collect, [])
    .option('--dim <name=size>', 'size of a named dynamic dim for the random validation inputs (repeatable)', collect, [])
    .option('--json <file>', 'write the manifest here (default: <out>/manifest.json)');
  cmd.action(async (flags: OptimizeFlags) => {
    const opts = optimizeOptionsFromFlags(flags);
    const out = prepareOutDir(opts.out);
    const manifestFile = flags.json ?? join(out, 'manifest.json');
    checkOutputPath(manifestFile, '--json');
    const manifest = await optimize(opts, {
      onTarget: (target, phase) => {
        if (phase === 'start') process.stderr.write(`optimize: ${target}...\n`);
      },
    });
    const doc = relativizeManifest(manifest, manifestFile);
    writeManifest(manifestFile, doc);
    process.stdout.write(`${manifestTable(doc)}\n`);
    process.stderr.write(`manifest written to ${manifestFile}\n`);
    const failed = manifest.artifacts.filter((a) => a.status === 'failed');
    if (!failed.length) return;
    const summary = failed.map((a) => (a.reason?.startsWith(a.target) ? a.reason : `${a.target}: ${a.reason}`)).join('; ');
    // A target the input cannot give (unsupported op, missing data) is fixable input: exit 2.
    if (failed.some((a) => a.failure !== 'fidelity')) throw new UserError(summary);
    throw new CheckFailure(summary);
  });
  return cmd;
}
