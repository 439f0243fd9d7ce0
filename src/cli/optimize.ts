// `edgeml optimize`: flags -> OptimizeOptions -> optimize -> table on stdout, manifest to --json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CheckFailure, UserError } from '../errors.js';
import {
  CALIBRATION_METHODS, TARGETS, optimize, optimizeOptionsFromFlags, checkOutDir, refusedByValidation, relativizeManifest, writeManifest,
  type OptimizeFlags,
} from '../optimize/index.js';
import { DEFAULT_FLOOR } from '../tensors/index.js';
import { manifestMarkdown } from '../report/index.js';
import { checkOutputPath } from '../documents/index.js';
import { collect } from './collect.js';

const list = (value: string, previous: string[]) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
export function optimizeCommand(): Command {
  const cmd = new Command('optimize')
    .description('make one validated artifact per target runtime: ort-optimized, ort-format, fp16, int8-dynamic, int8-static')
    .option('--model <file>', 'the source .onnx model')
    .option('--target <list>', `comma-separated targets: ${TARGETS.join(', ')}`)
    .option('--out <dir>', 'folder for the artifacts (created if missing)')
    .option('--calibration <name=file.npy>', 'calibration and validation samples for an input, N along the first axis (repeatable)', collect, [])
    .addOption(new Option('--calibration-method <method>', 'int8-static activation ranges').choices([...CALIBRATION_METHODS]).default('minmax'))
    .option('--percentile <p>', 'percentile of |x| kept by --calibration-method percentile', '99.999')
    .option('--calibration-cache <file>', 'keep int8-static calibration ranges in this file; reused while the model, data and settings are the same')
    .option('--max-samples <n>', 'calibration samples used at most', '512')
    .option('--exclude-op <types>', 'op types the int8 targets leave in float32 (comma-separated, repeatable)', list, [])
    .option('--exclude-node <names>', 'node names the int8 targets leave in float32 (comma-separated, repeatable)', list, [])
    .option('--fp16-block-op <types>', 'op types fp16 keeps in float32 (replaces the default list)', list, [])
    .option('--min-cosine <x>', 'fidelity floor: cosine similarity of outputs vs fp32', String(DEFAULT_FLOOR.cosine))
    .option('--min-top1-agreement <x>', 'fidelity floor for classifiers: share of same top-1 answers', String(DEFAULT_FLOOR.top1Agreement))
    .option('--abs-tolerance <x>', 'outputs within this max abs error of fp32 pass whatever their cosine', String(DEFAULT_FLOOR.absTolerance))
    .option('--input <name=shape>', 'shape of an input for the random validation inputs used without --calibration (repeatable)', collect, [])
    .option('--data <name=file.npy|number>', 'feed an input that is not calibration data (a sample rate, a state) the same .npy array or number in every sample (repeatable)', collect, [])
    .option('--dim <name=size>', 'size of a named dynamic dim for the random validation inputs (repeatable)', collect, [])
    .option('--precision <p>', 'precision of the tensorrt and openvino targets: fp32, fp16 or int8', 'fp16')
    .option('--tool-path <file>', 'trtexec or ovc, when it is not on the PATH')
    .option('--json <file>', 'write the manifest here (default: <out>/manifest.json)');
  cmd.action(async (flags: OptimizeFlags) => {
    const opts = optimizeOptionsFromFlags(flags);
    // Checked, not created: bad input leaves no folder behind (optimize makes it).
    const out = checkOutDir(opts.out);
    const manifestFile = flags.json ?? join(out, 'manifest.json');
    if (flags.json || existsSync(out)) checkOutputPath(manifestFile, '--json');
    const manifest = await optimize(opts, {
      onTarget: (target, phase) => {
        if (phase === 'start') process.stderr.write(`optimize: ${target}...\n`);
      },
    });
    const doc = relativizeManifest(manifest, manifestFile);
    writeManifest(manifestFile, doc);
    process.stdout.write(`${manifestMarkdown(doc)}\n`);
    process.stderr.write(`manifest written to ${manifestFile}\n`);
    const failed = manifest.artifacts.filter((a) => a.status === 'failed');
    if (!failed.length) return;
    const summary = failed.map((a) => (a.reason?.startsWith(a.target) ? a.reason : `${a.target}: ${a.reason}`)).join('; ');
    // A target the input cannot give (unsupported op, missing data) is fixable input: exit 2.
    if (failed.some((a) => !refusedByValidation(a))) throw new UserError(summary);
    throw new CheckFailure(summary);
  });
  return cmd;
}
