// `edgeml compare`: base and head in alternating rounds -> verdict table on stdout, document to --json.
// Exit 1 when the verdict is `slower`.
import { Command } from 'commander';
import { COMPARE_SETTINGS, decidingRatio, compareOptions, runCompare, writeCompare } from '../compare/index.js';
import { CheckFailure, UserError } from '../errors.js';
import { compareMarkdown, escapePlain, fmtRatio } from '../report/index.js';
import { readResults } from '../results/index.js';
import { checkOutputPath } from '../documents/index.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { configuredValues } from './bench.js';
import { addSettings } from './settings.js';

export function compareCommand(): Command {
  const cmd = new Command('compare')
    .description('is head slower than base? both measured in alternating rounds on this machine, judged with a 95% interval');
  // The bench flags with compare's defaults: short measurements, since the rounds, not the runs,
  // carry the statistics; --max-duration bounds the whole comparison.
  addSettings(cmd, COMPARE_SETTINGS);
  cmd.action(async (raw: Record<string, RawValue>) => {
    if (!raw.head) throw new UserError('no head given: edgeml compare --base A.onnx --head B.onnx');
    if (raw.base && raw.baseResults) throw new UserError('--base and --base-results both given; give one: a model to measure here, or a stored results document');
    if (!raw.base && !raw.baseResults) throw new UserError('no base given: edgeml compare --base A.onnx --head B.onnx (or --base-results results.json)');
    // The flags' text parsed once, by the table; with --config, the file's typed values under them.
    const given = parseSettings(COMPARE_SETTINGS, raw, asFlag);
    const head = given.head!; // given: checked above
    const { values: flags, names, note } = configuredValues(cmd, given, 'compare', head);
    const settings = compareOptions(flags, names);
    if (flags.json) checkOutputPath(flags.json, '--json');
    const baseResults = flags.baseResults ? { file: flags.baseResults, doc: readResults(flags.baseResults) } : undefined;
    const doc = await runCompare(
      { ...settings, head, ...(flags.base ? { base: flags.base } : {}), ...(baseResults ? { baseResults } : {}), allowDifferentDevice: flags.allowDifferentDevice },
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
    if (doc.verdict === 'slower') throw new CheckFailure(`compare: head is slower than base (${doc.metric})`);
  });
  return cmd;
}
