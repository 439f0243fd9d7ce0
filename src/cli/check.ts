// `edgeml check`: budgets of edgeml.yml against results -> table on stdout, document to --json.
// Exit 0 pass, 1 a budget at level error failed (or compare said slower), 2 bad input.
import { Command } from 'commander';
import { runCheck, writeCheck } from '../budgets/index.js';
import { checkMarkdown, escapePlain } from '../report/index.js';
import { checkOutputPath } from '../documents/index.js';
import { collect } from './collect.js';

export function checkCommand(): Command {
  return new Command('check')
    .description('hold results to the budgets in edgeml.yml: latency (judged with its interval), throughput, memory, size, accuracy, regression')
    .option('--config <file>', 'the config file', 'edgeml.yml')
    .option('--results <file>', 'a results document from edgeml bench --json (repeatable: one per device or model)', collect, [])
    .option('--compare <file>', 'a compare document from edgeml compare --json, for regression budgets')
    .option('--inspect <file>', 'an inspect document from edgeml inspect --json, for compat.* budgets (repeatable)', collect, [])
    .option('--json <file>', 'write the check document here')
    .action((flags: { config: string; results: string[]; inspect: string[]; compare?: string; json?: string }) => {
      if (flags.json) checkOutputPath(flags.json, '--json');
      const { doc, notices } = runCheck({ config: flags.config, results: flags.results, inspect: flags.inspect, ...(flags.compare ? { compare: flags.compare } : {}) });
      process.stdout.write(`${checkMarkdown(doc.checks, doc.verdict, escapePlain, notices)}\n`);
      if (flags.json) {
        writeCheck(flags.json, doc);
        process.stderr.write(`check document written to ${flags.json}\n`);
      }
      if (doc.verdict === 'fail') process.exitCode = 1;
    });
}
