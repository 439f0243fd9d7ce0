// `edgeml bench`: flags -> BenchOptions -> runBenchmark -> table on stdout, document to --json.
import { Command, Option } from 'commander';
import { BENCH_DEFAULTS, OPT_LEVELS, PRECISIONS, RUNTIMES, SCENARIOS, benchOptionsFromFlags, runBenchmark, type BenchFlags } from '../bench/index.js';
import { UserError } from '../errors.js';
import { benchMarkdown, escapePlain } from '../report/index.js';
import { checkOutputPath, writeResults } from '../results/index.js';
import { terminalProgress } from './progress.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The bench flags, shared by `bench` and later by `compare` and `run`. */
export function addBenchFlags(cmd: Command): Command {
  return cmd
    .option('--input <name=shape>', 'fix an input shape, e.g. x=1x3x224x224 (repeatable)', collect, [])
    .option('--dim <name=size>', 'fix a named dynamic dim wherever it appears, e.g. sequence=512 (repeatable)', collect, [])
    .option('--data <name=file.npy|number>', 'feed an input from a .npy file or a constant (repeatable)', collect, [])
    .option('--threads <n>', 'intra-op threads (0 = ONNX Runtime default)', String(BENCH_DEFAULTS.threads))
    .option('--ep <name>', 'execution provider', BENCH_DEFAULTS.executionProvider)
    .addOption(new Option('--opt-level <level>', 'graph optimization level').choices([...OPT_LEVELS]).default(BENCH_DEFAULTS.optLevel))
    .addOption(new Option('--scenario <name>', 'MLPerf scenario').choices([...SCENARIOS]).default(BENCH_DEFAULTS.scenario))
    .option('--samples-per-query <n>', 'samples in one query (multi-stream default 8, offline 32)')
    .option('--warmup <n>', 'untimed queries before measuring', String(BENCH_DEFAULTS.warmup))
    .option('--min-iterations <n>', 'timed queries at least', String(BENCH_DEFAULTS.minIterations))
    .option('--max-iterations <n>', 'timed queries at most (0 = no cap)', String(BENCH_DEFAULTS.maxIterations))
    .option('--min-duration <time>', 'measure at least this long', `${BENCH_DEFAULTS.minDurationMs / 1000}s`)
    .option('--max-duration <time>', 'stop measuring after this long', `${BENCH_DEFAULTS.maxDurationMs / 1000}s`)
    .option('--seed <n>', 'seed of the random inputs', String(BENCH_DEFAULTS.seed))
    .option('--profile', 'also profile the model (in a separate run) and summarise time by op type')
    .option('--samples', 'keep the raw per-query latencies in the results document')
    .addOption(new Option('--runtime <name>', 'runtime: onnxruntime in process, or a vendor tool (trtexec, benchmark_app, benchmark_model)').choices([...RUNTIMES]).default('onnxruntime'))
    .option('--tool-path <path>', "the vendor tool's executable when it is not on the PATH")
    .addOption(new Option('--precision <p>', 'precision asked of a vendor runtime').choices([...PRECISIONS]))
    .option('--device-label <label>', 'name of this device in reports (default: os-arch, or EDGEML_DEVICE_LABEL)');
}

export function benchCommand(): Command {
  const cmd = new Command('bench')
    .description('measure a model: load time, first run, latency percentiles with intervals, throughput, peak memory')
    .argument('[model]', 'the .onnx or .ort file')
    .option('--model <file>', 'the .onnx or .ort file (or give it as the argument)')
    .option('--json <file>', 'write the results document here');
  addBenchFlags(cmd);
  cmd.action(async (arg: string | undefined, flags: BenchFlags & { model?: string; json?: string }) => {
    const model = flags.model ?? arg;
    if (!model) throw new UserError('no model given: edgeml bench path/to/model.onnx');
    const opts = benchOptionsFromFlags(model, flags);
    if (flags.json) checkOutputPath(flags.json, '--json');
    const progress = terminalProgress(opts.minDurationMs, opts.minIterations);
    let results;
    try {
      results = await runBenchmark(opts, { onProgress: (p) => progress.update(p) });
    } finally {
      progress.stop();
    }
    process.stdout.write(`${benchMarkdown(results, escapePlain)}\n`);
    if (flags.json) {
      writeResults(flags.json, results);
      process.stderr.write(`results written to ${flags.json}\n`);
    }
  });
  return cmd;
}
