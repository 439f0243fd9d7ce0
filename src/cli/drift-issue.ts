// `edgeml drift-issue`: the edgeml-drift repository_dispatch as one issue per model and metric
// (examples/workflows/edgeml-drift.yml runs it).
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { parseDriftEvent, upsertDriftIssue } from '../github/drift-issue.js';
import { DRIFT_ISSUE_SETTINGS } from '../drift/index.js';
import { asFlag, parseSettings, type RawValue } from '../settings/index.js';
import { addSettings } from './settings.js';

export function driftIssueCommand(): Command {
  const cmd = new Command('drift-issue')
    .description('open or update the issue of a drifted model and metric from an edgeml-drift repository_dispatch (one issue each, never a duplicate)');
  return addSettings(cmd, DRIFT_ISSUE_SETTINGS)
    .action(async (raw: Record<string, RawValue>) => {
      const flags = parseSettings(DRIFT_ISSUE_SETTINGS, raw, asFlag);
      const file = flags.event ?? process.env.GITHUB_EVENT_PATH;
      if (!file) throw new UserError('--event is required outside a workflow run: the repository_dispatch event file ($GITHUB_EVENT_PATH)');
      const repository = flags.repo ?? process.env.GITHUB_REPOSITORY;
      if (!repository) throw new UserError('--repo is required outside a workflow run: OWNER/REPO');
      const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN;
      if (!token) throw new UserError('set GITHUB_TOKEN (the workflow\'s github.token with issues: write)');
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new UserError(`--event ${file}: no such file`);
      }
      const payload = parseDriftEvent(text, file);
      const log = { info: (m: string) => process.stderr.write(`${m}\n`), warning: (m: string) => process.stderr.write(`warning: ${m}\n`), group: <T>(_n: string, fn: () => Promise<T>) => fn() };
      const r = await upsertDriftIssue(token, repository, payload, log as never);
      process.stdout.write(`${r.action} issue #${r.number}: drift of ${payload.model} on ${payload.metric}\n`);
    });
}
