// `edgeml compare`: base and head in alternating rounds -> verdict table on stdout, document to --json.
// Exit 1 when the verdict is `slower`.
import { Command, Option } from 'commander';
import { BENCH_DEFAULTS, OPT_LEVELS, SCENARIOS, benchOptionsFromFlags, type BenchFlags } from '../bench/index.js';
import { COMPARE_DEFAULTS, COMPARE_METRICS, runCompare, writeCompare, type CompareMetric } from '../compare/index.js';
import { UserError } from '../errors.js';
import { compareMarkdown, escapePlain, fmtRatio } from '../report/index.js';
import { checkOutputPath, readResults } from '../results/index.js';
import { parseDuration, parsePercent, parseWhole } from '../units.js';

const collect = (value: string, previous: string[]) => [...previous, value];

interface CompareFlags extends Omit<BenchFlags, 'maxDuration'> {
  base?: string;
  head?: string;
  baseResults?: string;
  allowDifferentDevice?: boolean;
  threshold: string;
  metric: string;
  maxDuration: string;
  minRounds: string;
  maxRounds: string;
  json?: string;
}

export function compareCommand(): Command {
  const d = COMPARE_DEFAULTS;
  const cmd = new Command('compare')
    .description('is head slower than base? both measured in alternating rounds on this machine, judged with a 95% interval')
    .option('--base <file>', 'the base .onnx or .ort file')
    .option('--head <file>', 'the head .onnx or .ort file')
    .option('--base-results <file>', 'compare head against a stored results document (edgeml bench --json) instead of measuring a base')
    .option('--allow-different-device', 'accept a --base-results document from another device or runtime version (shown in the verdict)')
    .option('--threshold <percent>', 'smallest change that counts', `${d.threshold * 100}%`)
    .addOption(new Option('--metric <percentile>', 'the percentile that decides the verdict').choices([...COMPARE_METRICS]).default(d.metric))
    .option('--max-duration <time>', 'time for the whole comparison', `${d.maxDurationMs / 1000}s`)
    .option('--min-rounds <n>', 'rounds before the first look at the data', String(d.minRounds))
    .option('--max-rounds <n>', 'rounds at most (0 = until --max-duration)', String(d.maxRounds))
    .option('--input <name=shape>', 'fix an input shape, e.g. x=1x3x224x224 (repeatable)', collect, [])
    .option('--dim <name=size>', 'fix a named dynamic dim wherever it appears (repeatable)', collect, [])
    .option('--data <name=file.npy|number>', 'feed an input from a .npy file or a constant (repeatable)', collect, [])
    .option('--threads <n>', 'intra-op threads (0 = ONNX Runtime default)', String(BENCH_DEFAULTS.threads))
    .option('--ep <name>', 'execution provider', BENCH_DEFAULTS.executionProvider)
    .addOption(new Option('--opt-level <level>', 'graph optimization level').choices([...OPT_LEVELS]).default(BENCH_DEFAULTS.optLevel))
    .addOption(new Option('--scenario <name>', 'MLPerf scenario').choices([...SCENARIOS]).default(BENCH_DEFAULTS.scenario))
    .option('--samples-per-query <n>', 'samples in one query (multi-stream default 8, offline 32)')
    .option('--warmup <n>', 'untimed queries before each measurement', String(d.warmup))
    .option('--min-iterations <n>', 'timed queries in each measurement at least', String(d.minIterations))
    .option('--max-iterations <n>', 'timed queries in each measurement at most (0 = no cap)', String(BENCH_DEFAULTS.maxIterations))
    .option('--min-duration <time>', 'each measurement (one process) lasts at least this long', `${d.minDurationMs / 1000}s`)
    .option('--seed <n>', 'seed of the random inputs', String(BENCH_DEFAULTS.seed))
    .option('--device-label <label>', 'name of this device in reports')
    .option('--json <file>', 'write the compare document here');
  cmd.action(async (flags: CompareFlags) => {
    if (!flags.head) throw new UserError('no head given: edgeml compare --base A.onnx --head B.onnx');
    if (flags.base && flags.baseResults) throw new UserError('--base and --base-results both given; give one: a model to measure here, or a stored results document');
    if (!flags.base && !flags.baseResults) throw new UserError('no base given: edgeml compare --base A.onnx --head B.onnx (or --base-results results.json)');
    const threshold = parsePercent(flags.threshold, '--threshold');
    if (threshold <= 0 || threshold >= 1) throw new UserError(`--threshold ${flags.threshold}: expected a percentage between 0% and 100%, such as 5%`);
    const maxDurationMs = parseDuration(flags.maxDuration, '--max-duration');
    const minDurationMs = parseDuration(flags.minDuration, '--min-duration');
    if (maxDurationMs < minDurationMs) {
      throw new UserError(`--max-duration ${flags.maxDuration} is shorter than one measurement (--min-duration ${flags.minDuration}); raise --max-duration`);
    }
    // Each measurement may overrun its minimum (slow queries, --min-iterations), but not by much.
    const perRun = `${Math.max(3 * minDurationMs, minDurationMs + 5000)}ms`;
    const { model: _m, profile: _p, keepSamples: _k, ...bench } = benchOptionsFromFlags(flags.head, { ...flags, maxDuration: perRun });
    const minRounds = parseWhole(flags.minRounds, '--min-rounds', 2);
    const maxRounds = parseWhole(flags.maxRounds, '--max-rounds');
    if (flags.json) checkOutputPath(flags.json, '--json');
    const baseResults = flags.baseResults ? { file: flags.baseResults, doc: readResults(flags.baseResults) } : undefined;
    const doc = await runCompare(
      {
        bench, head: flags.head, ...(flags.base ? { base: flags.base } : {}), ...(baseResults ? { baseResults } : {}),
        allowDifferentDevice: !!flags.allowDifferentDevice, threshold, metric: flags.metric as CompareMetric, maxDurationMs, minRounds, maxRounds,
      },
      {
        onLook: (l) => {
          const r = l.ratio[l.metric];
          const ci = r.ci95 ? `[${r.ci95[0].toFixed(3)}, ${r.ci95[1].toFixed(3)}]` : '(too few rounds)';
          process.stderr.write(`round ${l.rounds}, look ${l.looks}: ${l.metric} head/base ${fmtRatio(r.estimate)} ${ci} ${l.verdict}\n`);
        },
      },
    );
    process.stdout.write(`${compareMarkdown(doc, escapePlain)}\n`);
    if (flags.json) {
      writeCompare(flags.json, doc);
      process.stderr.write(`compare document written to ${flags.json}\n`);
    }
    if (doc.verdict === 'slower') process.exitCode = 1;
  });
  return cmd;
}
