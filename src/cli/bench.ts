// `edgeml bench`: flags (over edgeml.yml's settings with --config) -> BenchOptions -> runBenchmark
// -> table on stdout, document to --json.
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { BENCH_FLAG_DEFAULTS, OPT_LEVELS, PRECISIONS, RUNTIMES, SCENARIOS, benchOptionsFromFlags, runBenchmark, type BenchFlags } from '../bench/index.js';
import { loadConfig } from '../config/index.js';
import { FLAG_NAMES, UserError } from '../errors.js';
import { benchMarkdown, escapePlain } from '../report/index.js';
import { writeResults } from '../results/index.js';
import { checkOutputPath } from '../documents/index.js';
import { fileSettings, modelAt, withFileSettings, type Configured } from '../run/index.js';
import { terminalProgress } from './progress.js';
import { collect } from './collect.js';

type Described = 'config' | 'warmup' | 'minIterations' | 'maxIterations' | 'minDuration' | 'maxDuration';

/** What differs between the commands that take the bench flags; the flags are declared once, below. */
export interface BenchFlagSpec {
  /** The command's defaults, as its flags spell them. */
  defaults: BenchFlags;
  /** Help where a flag means something else for the command. */
  help: Record<Described, string>;
  /** --profile, --samples, --runtime, --tool-path, --precision: only bench has them. */
  benchOnly: boolean;
}

export const BENCH_FLAGS: BenchFlagSpec = {
  defaults: BENCH_FLAG_DEFAULTS,
  help: {
    config: "take the settings from this edgeml.yml (benchmark:, and input, dim, data of the model at this path); flags given here win",
    warmup: 'untimed queries before measuring',
    minIterations: 'timed queries at least',
    maxIterations: 'timed queries at most (0 = no cap)',
    minDuration: 'measure at least this long',
    maxDuration: 'stop measuring after this long',
  },
  benchOnly: true,
};

/** The bench flags of `bench` and `compare`, with the command's defaults and help. */
export function addBenchFlags(cmd: Command, spec: BenchFlagSpec = BENCH_FLAGS): Command {
  const { defaults: d, help } = spec;
  cmd
    .option('--config <file>', help.config)
    .option('--input <name=shape>', 'fix an input shape, e.g. x=1x3x224x224 (repeatable)', collect, [])
    .option('--dim <name=size>', 'fix a named dynamic dim wherever it appears, e.g. sequence=512 (repeatable)', collect, [])
    .option('--data <name=file.npy|number>', 'feed an input from a .npy file or a constant (repeatable)', collect, [])
    .option('--threads <n>', 'intra-op threads (0 = ONNX Runtime default)', d.threads)
    .option('--ep <name>', 'execution provider', d.ep)
    .addOption(new Option('--opt-level <level>', 'graph optimization level').choices([...OPT_LEVELS]).default(d.optLevel))
    .addOption(new Option('--scenario <name>', 'MLPerf scenario').choices([...SCENARIOS]).default(d.scenario))
    .option('--samples-per-query <n>', 'samples in one query (multi-stream default 8, offline 32)')
    .option('--warmup <n>', help.warmup, d.warmup)
    .option('--min-iterations <n>', help.minIterations, d.minIterations)
    .option('--max-iterations <n>', help.maxIterations, d.maxIterations)
    .option('--min-duration <time>', help.minDuration, d.minDuration)
    .option('--max-duration <time>', help.maxDuration, d.maxDuration)
    .option('--seed <n>', 'seed of the random inputs', d.seed);
  if (spec.benchOnly) {
    cmd
      .option('--profile', 'also profile the model (in a separate run) and summarise time by op type')
      .option('--samples', 'keep the raw per-query latencies in the results document')
      .addOption(new Option('--runtime <name>', 'runtime: onnxruntime in process, or a vendor tool (trtexec, benchmark_app, benchmark_model)').choices([...RUNTIMES]).default('onnxruntime'))
      .option('--tool-path <path>', "the vendor tool's executable when it is not on the PATH")
      .addOption(new Option('--precision <p>', 'precision asked of a vendor runtime').choices([...PRECISIONS]));
  }
  return cmd.option('--device-label <label>', 'name of this device in reports (default: EDGEML_DEVICE_LABEL, else the runner name in a workflow, else os-arch)');
}

/**
 * With --config, the flags over edgeml.yml's settings for `command` (the one mapping `edgeml run`
 * uses): a flag typed on the command line wins over the file, the file over the defaults. The
 * config's model whose path is `model` gives its input, dim and data. Without --config, the flags
 * as they are: ./edgeml.yml is not read unasked, so a command line means the same in every folder.
 * `note` says which it was, for stderr after the work (an error stays the only line).
 */
export function configuredFlags<T extends BenchFlags & { config?: string }>(
  cmd: Command, flags: T, command: 'bench' | 'compare', model: string,
): Configured<T> & { note?: string } {
  if (!flags.config) {
    const note = existsSync('edgeml.yml') ? 'note: ./edgeml.yml is not read without --config edgeml.yml; measured with the flags and their defaults' : undefined;
    return { flags, names: FLAG_NAMES, ...(note ? { note } : {}) };
  }
  const config = loadConfig(flags.config);
  const entry = modelAt(config, model);
  const sections = [command === 'compare' ? 'benchmark: for what is measured, compare:' : 'benchmark:', ...(entry ? [`models.${entry.name}`] : [])];
  return {
    ...withFileSettings(flags, (property) => cmd.getOptionValueSource(property) === 'cli', fileSettings(config, command, entry)),
    note: `measured with the settings of ${flags.config} (${sections.join(', ')}) and the flags given here over them`,
  };
}

export function benchCommand(): Command {
  const cmd = new Command('bench')
    .description('measure a model: load time, first run, latency percentiles with intervals, throughput, peak memory')
    .argument('[model]', 'the .onnx or .ort file')
    .option('--model <file>', 'the .onnx or .ort file (or give it as the argument)')
    .option('--json <file>', 'write the results document here');
  addBenchFlags(cmd);
  cmd.action(async (arg: string | undefined, given: BenchFlags & { model?: string; config?: string; json?: string }) => {
    const model = given.model ?? arg;
    if (!model) throw new UserError(`no model given: edgeml bench ${given.config ? `--config ${given.config} ` : ''}path/to/model.onnx`);
    const { flags, names, note } = configuredFlags(cmd, given, 'bench', model);
    const opts = benchOptionsFromFlags(model, flags, names);
    if (flags.json) checkOutputPath(flags.json, '--json');
    const progress = terminalProgress(opts.minDurationMs, opts.minIterations);
    let results;
    try {
      results = await runBenchmark(opts, { onProgress: (p) => progress.update(p) });
    } finally {
      progress.stop();
    }
    process.stdout.write(`${benchMarkdown(results, escapePlain)}\n`);
    if (note) process.stderr.write(`${note}\n`);
    if (flags.json) {
      writeResults(flags.json, results);
      process.stderr.write(`results written to ${flags.json}\n`);
    }
  });
  return cmd;
}
