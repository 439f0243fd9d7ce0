// `edgeml history append` and `edgeml dashboard`.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { readCheck } from '../budgets/index.js';
import { readCompare } from '../compare/index.js';
import { renderDashboard, writeDashboard } from '../dashboard/index.js';
import { UserError } from '../errors.js';
import {
  appendEntry, appendToBranch, budgetLinesFrom, buildEntry, commitContext, describeAppend, parseBudgetFlag, parseVerdictFlag, readEntries, verdictsFrom,
} from '../history/index.js';
import { collect } from './collect.js';

export function historyCommand(): Command {
  const history = new Command('history').description('the benchmark history across commits (a data branch or a folder)');
  history
    .command('append')
    .description('append the results of this commit on this device; never rewrites what is there')
    .requiredOption('--results <file...>', 'results documents written by edgeml bench --json (one device)')
    .option('--data <dir>', 'append to this folder instead of a git branch')
    .option('--branch <name>', 'the data branch', 'edgeml-data')
    .option('--remote <name>', 'the git remote to push to', 'origin')
    .option('--repo <dir>', 'the git checkout to push from', '.')
    .option('--commit <sha>', 'the commit measured (default: GITHUB_SHA or HEAD)')
    .option('--model-name <name>', 'the model name in charts (default: file name)')
    .option('--target <name>', 'the target the results were measured as (default: onnx or ort)')
    .option('--verdict <model=verdict>', 'what edgeml compare said of a model on this commit (repeatable)', collect, [])
    .option('--budget <metric=limit>', 'a budget line to draw, in the chart unit (repeatable)', collect, [])
    .option('--compare <files...>', "compare documents of this commit (edgeml compare --json): slower points are marked", [])
    .option('--check <file>', "the check document of this commit (edgeml check --json): its limits are drawn as budget lines")
    .option('--dashboard', 'with a branch: rebuild the dashboard (index.html) on it in the same commit')
    .option('--title <text>', 'dashboard title')
    .action(async (o: {
      results: string[]; data?: string; branch: string; remote: string; repo: string; commit?: string; modelName?: string;
      target?: string; verdict: string[]; budget: string[]; compare: string[]; check?: string; dashboard?: boolean; title?: string;
    }) => {
      const ctx = commitContext(resolve(o.repo), o.commit);
      const entry = buildEntry({
        results: o.results,
        ...ctx,
        ...(o.modelName ? { modelName: o.modelName } : {}),
        ...(o.target ? { target: o.target } : {}),
        verdicts: { ...verdictsFrom(o.compare.map(readCompare), o.modelName), ...Object.fromEntries(o.verdict.map(parseVerdictFlag)) },
        budgets: [...(o.check ? budgetLinesFrom(readCheck(o.check), o.modelName) : []), ...o.budget.map(parseBudgetFlag)],
      });
      if (o.data) {
        const r = appendEntry(resolve(o.data), entry);
        process.stdout.write(`${describeAppend(r.status, r.path)}\n`);
        return;
      }
      const r = await appendToBranch(entry, {
        repo: resolve(o.repo),
        remote: o.remote,
        branch: o.branch,
        log: (line) => process.stderr.write(`${line}\n`),
        ...(o.dashboard
          ? { afterAppend: (dir: string) => { writeDashboard(dir, renderDashboard(readEntries(dir).entries, o.title ? { title: o.title } : {})); } }
          : {}),
      });
      process.stdout.write(`${describeAppend(r.status, `${o.branch}:${r.path}`)}\n`);
    });
  return history;
}

export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('build the static dashboard (index.html) from a history folder')
    .requiredOption('--data <dir>', 'the history folder (a checkout of the data branch)')
    .requiredOption('--out <dir>', 'where to write index.html')
    .option('--title <text>', 'page title')
    .action((o: { data: string; out: string; title?: string }) => {
      if (!existsSync(o.data) || !statSync(o.data).isDirectory()) {
        throw new UserError(`--data ${o.data}: no such folder; give a checkout of the data branch (git worktree add site origin/edgeml-data)`);
      }
      const { entries, skipped } = readEntries(resolve(o.data));
      for (const s of skipped) process.stderr.write(`skipped ${s}\n`);
      const file = writeDashboard(resolve(o.out), renderDashboard(entries, o.title ? { title: o.title } : {}));
      process.stdout.write(`${file}: ${entries.length} entries\n`);
    });
}
