// `edgeml compare`: base and head in alternating rounds -> verdict table on stdout, document to --json.
// Exit 1 when the verdict is `slower`.
import { Command, Option } from 'commander';
import { COMPARE_FLAG_DEFAULTS, COMPARE_METRICS, DESIGN_CHOICES, decidingRatio, compareOptionsFromFlags, runCompare, writeCompare, type CompareFlags } from '../compare/index.js';
import { UserError } from '../errors.js';
import { compareMarkdown, escapePlain, fmtRatio } from '../report/index.js';
import { readResults } from '../results/index.js';
import { checkOutputPath } from '../documents/index.js';
import { addBenchFlags, configuredFlags } from './bench.js';

interface Given extends CompareFlags {
  base?: string;
  head?: string;
  baseResults?: string;
  allowDifferentDevice?: boolean;
  config?: string;
  json?: string;
}

export function compareCommand(): Command {
  const d = COMPARE_FLAG_DEFAULTS;
  const cmd = new Command('compare')
    .description('is head slower than base? both measured in alternating rounds on this machine, judged with a 95% interval')
    .option('--base <file>', 'the base .onnx or .ort file')
    .option('--head <file>', 'the head .onnx or .ort file')
    .option('--base-results <file>', 'compare head against a stored results document (edgeml bench --json) instead of measuring a base')
    .option('--allow-different-device', 'accept a --base-results document from another device or runtime version (shown in the verdict)')
    .option('--threshold <percent>', 'smallest change that counts', d.threshold)
    .addOption(new Option('--metric <percentile>', 'the percentile that decides the verdict').choices([...COMPARE_METRICS]).default(d.metric))
    .option('--min-rounds <n>', 'rounds before the first look at the data', d.minRounds)
    .option('--max-rounds <n>', 'rounds at most (0 = until --max-duration)', d.maxRounds)
    .addOption(new Option('--design <design>', 'paired: base and head in one process, alternating short batches; processes: a fresh process per measurement; auto: paired where possible').choices([...DESIGN_CHOICES]).default(d.design));
  // The bench flags with compare's defaults: short measurements, since the rounds, not the runs,
  // carry the statistics; --max-duration bounds the whole comparison.
  addBenchFlags(cmd, {
    defaults: d,
    help: {
      config: 'take the settings from this edgeml.yml (benchmark: what is measured; compare: how long and how judged; input, dim, data of the model whose path is --head); flags given here win',
      warmup: 'untimed queries before each measurement',
      minIterations: 'timed queries in each measurement at least',
      maxIterations: 'timed queries in each measurement at most (0 = no cap)',
      minDuration: 'each measurement (one process) lasts at least this long',
      maxDuration: 'time for the whole comparison',
    },
    benchOnly: false,
  });
  cmd.option('--json <file>', 'write the compare document here');
  cmd.action(async (given: Given) => {
    if (!given.head) throw new UserError('no head given: edgeml compare --base A.onnx --head B.onnx');
    if (given.base && given.baseResults) throw new UserError('--base and --base-results both given; give one: a model to measure here, or a stored results document');
    if (!given.base && !given.baseResults) throw new UserError('no base given: edgeml compare --base A.onnx --head B.onnx (or --base-results results.json)');
    const { flags, names, note } = configuredFlags(cmd, given, 'compare', given.head);
    const settings = compareOptionsFromFlags(flags, names);
    if (flags.json) checkOutputPath(flags.json, '--json');
    const baseResults = flags.baseResults ? { file: flags.baseResults, doc: readResults(flags.baseResults) } : undefined;
    const doc = await runCompare(
      { ...settings, head: given.head, ...(flags.base ? { base: flags.base } : {}), ...(baseResults ? { baseResults } : {}), allowDifferentDevice: !!flags.allowDifferentDevice },
      {
        onLook: (l) => {
          const r = decidingRatio(l);
          const ci = r.ci95 ? `[${r.ci95[0].toFixed(3)}, ${r.ci95[1].toFixed(3)}]` : '(too few rounds)';
          process.stderr.write(`round ${l.rounds}, look ${l.looks}: ${l.metric} head/base ${fmtRatio(r.estimate)} ${ci} ${l.verdict}\n`);
        },
        onDesign: (d) => process.stderr.write(`design: ${d.used} (${d.reason})\n`),
        onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
      },
    );
    process.stdout.write(`${compareMarkdown(doc, escapePlain)}\n`);
    if (note) process.stderr.write(`${note}\n`);
    if (flags.json) {
      writeCompare(flags.json, doc);
      process.stderr.write(`compare document written to ${flags.json}\n`);
    }
    if (doc.verdict === 'slower') process.exitCode = 1;
  });
  return cmd;
}
