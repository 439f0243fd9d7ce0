// The receiving end of the retraining loop: the `edgeml-drift` repository_dispatch a device fleet
// sends (edgeml drift --dispatch) becomes one issue per model and metric, opened once and then
// updated (reopened if it was closed), never a duplicate: the issue is found by its label and the
// marker its body starts with. The payload comes from whoever holds a token that may dispatch:
// every string is checked and escaped before it reaches Markdown.
import type { Logger } from './types.js';
import { octokitWithRetry } from './api.js';
import { UserError, oneLine } from '../errors.js';
import { escapeMarkdown } from '../report/index.js';

export const DRIFT_LABEL = 'edgeml-drift';

export interface DriftPayload {
  model: string;
  version: string | null;
  sha256: string;
  cohort: string | null;
  metric: string;
  score: number;
  windows: number;
  devices: string[];
  devicesTotal: number;
  at: string;
}

/** The payload of a repository_dispatch event document ($GITHUB_EVENT_PATH), checked field by field. */
export function parseDriftEvent(text: string, file: string): DriftPayload {
  let doc: { action?: unknown; client_payload?: Record<string, unknown> };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw new UserError(`${file}: not JSON; give the event file of a repository_dispatch run ($GITHUB_EVENT_PATH)`);
  }
  if (doc?.action !== 'edgeml-drift') throw new UserError(`${file}: not an edgeml-drift repository_dispatch (action is ${JSON.stringify(doc?.action ?? null)})`);
  const p = doc.client_payload ?? {};
  const bad = (key: string, want: string) => new UserError(`${file}: client_payload.${key} must be ${want}; the dispatch comes from 'edgeml drift --dispatch'`);
  const str = (k: string, max = 200) => {
    if (typeof p[k] !== 'string' || !(p[k] as string).length || (p[k] as string).length > max) throw bad(k, `a string of 1 to ${max} characters`);
    return p[k] as string;
  };
  const optStr = (k: string) => (p[k] === null || p[k] === undefined ? null : str(k));
  const num = (k: string, min = 0) => {
    if (typeof p[k] !== 'number' || !Number.isFinite(p[k]) || (p[k] as number) < min) throw bad(k, `a number of at least ${min}`);
    return p[k] as number;
  };
  if (!/^[0-9a-f]{64}$/.test(String(p.sha256))) throw bad('sha256', '64 hex digits');
  if (!Array.isArray(p.devices) || p.devices.length > 100 || !p.devices.every((d) => typeof d === 'string' && d.length <= 200)) throw bad('devices', 'a list of at most 100 device ids');
  return {
    model: str('model', 100), version: optStr('version'), sha256: String(p.sha256), cohort: optStr('cohort'), metric: str('metric'),
    score: num('score'), windows: num('windows', 1), devices: p.devices as string[], devicesTotal: num('devicesTotal'), at: str('at', 40),
  };
}

export function driftMarker(p: Pick<DriftPayload, 'model' | 'metric'>): string {
  return `<!-- edgeml-drift:${encodeURIComponent(p.model)}:${encodeURIComponent(p.metric)} -->`;
}

/** The issue's title and body: the drift table, the devices, and where to start retraining. */
export function driftIssue(p: DriftPayload): { title: string; body: string } {
  const e = escapeMarkdown;
  const devices = p.devices.map((d) => `\`${d.replace(/`/g, "'")}\``).join(', ') + (p.devicesTotal > p.devices.length ? ` and ${p.devicesTotal - p.devices.length} more` : '');
  const body = [
    driftMarker(p),
    `### ${e(p.model)}: its predictions drifted on the fleet`,
    '',
    '| model | version | sha256 | cohort | metric | PSI | windows in a row | devices | last report |',
    '| :-- | :-- | :-- | :-- | :-- | --: | --: | --: | :-- |',
    `| ${e(p.model)} | ${e(p.version ?? '—')} | ${p.sha256.slice(0, 12)} | ${e(p.cohort ?? '—')} | ${e(p.metric)} | ${p.score.toFixed(3)} | ${p.windows} | ${p.devicesTotal} | ${e(p.at)} |`,
    '',
    `Devices: ${devices || '—'}`,
    '',
    '#### Where to start retraining',
    `1. See the windows: \`edgeml drift --broker URL --fleet NAME --json drift.json\` (or \`--telemetry DIR\` on a device) shows each window's PSI, Jensen-Shannon distance and KS p-value for ${e(p.metric)}.`,
    '2. Collect field samples from the devices above and add them to the dataset of this model under `datasets:` in `edgeml.yml` (labelled), next to the data it was trained on.',
    '3. Retrain and open a pull request: the PR workflow measures the new model against the budgets and the old one.',
    `4. Publish it with \`edgeml publish --data ...\`: the release carries a new reference profile, so the fleet judges drift against the data it was retrained on.`,
    '',
    `_Updated by the edgeml-drift workflow at each dispatch; close it when the retrained model is out. A new drift of ${e(p.model)} on ${e(p.metric)} reopens it._`,
  ].join('\n');
  return { title: `Drift: ${p.model.slice(0, 100)} ${p.metric.slice(0, 100)}`, body };
}

/** Opens the issue of this model and metric, or updates (and reopens) the one there is. */
export async function upsertDriftIssue(token: string, repository: string, p: DriftPayload, log: Logger): Promise<{ number: number; action: 'opened' | 'updated' }> {
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) throw new UserError(`--repo ${JSON.stringify(repository)}: give OWNER/REPO`);
  const octokit = octokitWithRetry(token, log);
  const { title, body } = driftIssue(p);
  const marker = driftMarker(p);
  try {
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, labels: DRIFT_LABEL, state: 'all', per_page: 100 });
    const found = issues.filter((i) => !i.pull_request && (i.body ?? '').startsWith(marker)).sort((a, b) => a.number - b.number)[0];
    if (found) {
      await octokit.rest.issues.update({ owner, repo, issue_number: found.number, title, body, state: 'open' });
      return { number: found.number, action: 'updated' };
    }
    const created = await octokit.rest.issues.create({ owner, repo, title, body, labels: [DRIFT_LABEL] });
    return { number: created.data.number, action: 'opened' };
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 401 || status === 403) throw new UserError(`--repo ${repository}: the token may not write issues (${status}); give the workflow permissions: issues: write`);
    if (status === 404) throw new UserError(`--repo ${repository}: the repository was not found, or the token may not see it`);
    throw new UserError(`--repo ${repository}: GitHub answered ${status ?? 'nothing'} (${oneLine(e).slice(0, 200)})`);
  }
}
