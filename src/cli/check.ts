// `edgeml check`: budgets of edgeml.yml against results -> table on stdout, document to --json.
// Exit 0 pass, 1 a budget at level error failed (or compare said slower), 2 bad input.
import { Command } from 'commander';
import { CHECK_SETTINGS, runCheck, writeCheck } from '../budgets/index.js';
import { checkMarkdown, escapePlain } from '../report/index.js';
import { CheckFailure } from '../errors.js';
import { checkOutputPath } from '../documents/index.js';
import { addSettings } from './settings.js';

export function checkCommand(): Command {
  const cmd = new Command('check')
    .description('hold results to the budgets in edgeml.yml: latency (judged with its interval), throughput, memory, size, accuracy, regression');
  return addSettings(cmd, CHECK_SETTINGS)
    .action((flags: { config: string; results: string[]; inspect: string[]; compare?: string; json?: string }) => {
      if (flags.json) checkOutputPath(flags.json, '--json');
      const { doc, notices } = runCheck({ config: flags.config, results: flags.results, inspect: flags.inspect, ...(flags.compare ? { compare: flags.compare } : {}) });
      process.stdout.write(`${checkMarkdown(doc.checks, doc.verdict, escapePlain, notices)}\n`);
      if (flags.json) {
        writeCheck(flags.json, doc);
        process.stderr.write(`check document written to ${flags.json}\n`);
      }
      if (doc.verdict === 'fail') throw new CheckFailure(`check: ${doc.counts.fail} budget limit(s) failed`);
    });
}
