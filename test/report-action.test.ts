// The report action as the runner drives it (test/report-runner.ts): the built bundle with INPUT_*
// variables, the event file and the GITHUB_* files, talking to a GitHub API stand-in that checks
// every request against GitHub's OpenAPI description.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reportMarker } from '../src/github/comment.js';
import { retryDelay } from '../src/github/api.js';
import { startGitHubServer, type GitHubServer } from './github-server.js';
import { tempDir } from './helpers.js';
import { HOSTILE, HOSTILE_ESCAPED, benchDoc, checkDoc, writeJson } from './report-fixtures.js';
import { PR, REPO, action, runReportAction, type Run } from './report-runner.js';

const HEAD_SHA = 'a'.repeat(40);

let gh: GitHubServer;
beforeAll(async () => {
  gh = await startGitHubServer();
});
afterAll(async () => gh.close());
beforeEach(() => {
  gh.comments.clear();
  gh.requests.length = 0;
  gh.faults.length = 0;
  gh.createBarrier = 0;
  gh.createdIds.length = 0;
  gh.logins.clear();
});
afterEach(() => expect(gh.violations).toEqual([]));

const dir = tempDir('edgeml-report-action-');
const pi = writeJson(dir, 'pi5.json', benchDoc({ device: 'pi5', fingerprint: '1111111111111111' }));
const jetson = writeJson(dir, 'jetson.json', benchDoc({ device: 'jetson', fingerprint: '2222222222222222' }));

const runReport = (inputs: Record<string, string>, event?: { name: string; payload: object }, extraEnv?: Record<string, string>) => runReportAction(gh, inputs, event, extraEnv);

const marker = reportMarker('models/report');
const errors = (r: Run) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));
const warnings = (r: Run) => r.stdout.split('\n').filter((l) => l.startsWith('::warning'));

describe('actions/report/action.yml', () => {
  it('is a node24 action running the report bundle, with the documented inputs and outputs', () => {
    expect(action.runs).toEqual({ using: 'node24', main: '../../dist/report/index.js' });
    expect(Object.keys(action.inputs).sort()).toEqual(['check', 'comment', 'comment-author', 'compare', 'compat', 'dashboard-url', 'devices', 'history', 'out', 'pr-number', 'report-id', 'results', 'token'].sort());
    expect(action.inputs.token.default).toBe('${{ github.token }}');
    expect(Object.keys(action.outputs).sort()).toEqual(['comment-id', 'comment-url', 'report', 'status']);
  });
});

describe('dist/report bundle against the GitHub API stand-in', () => {
  it('creates one comment, then updates it in place on a re-run', async () => {
    gh.addComment(PR, `Someone quoting it:\n${marker}\nnot ours`);
    const first = await runReport({ results: `${dir}/*.json` });
    expect(errors(first)).toEqual([]);
    expect(first.status).toBe(0);
    const ours = gh.issueComments(PR).filter((c) => c.body.startsWith(marker));
    expect(ours).toHaveLength(1);
    expect(first.outputs['comment-id']).toBe(String(ours[0].id));
    expect(first.outputs['comment-url']).toBe(ours[0].html_url);
    expect(first.outputs.report).toBe(join(first.dir, 'edgeml-report.md'));
    expect(first.outputs.status).toBe('none');
    expect(ours[0].body).toBe(`${marker}\n${readFileSync(first.outputs.report, 'utf8')}`);
    expect(first.summary).toContain('### 📊 edgeml report: **measured** — 2 results, 1 model, 2 devices');
    expect(first.summary).toContain('| source | jetson |');
    expect(first.stdout).toContain('created the report comment on pull request #7');

    const second = await runReport({ results: `${pi}\n${jetson}`, check: writeJson(tempDir(), 'k.json', checkDoc([{ key: 'size', value: 2, limit: 1, status: 'fail', level: 'error', message: 'model too big', model: 'mlp.onnx' }])) });
    expect(second.status).toBe(0);
    const after = gh.issueComments(PR).filter((c) => c.body.startsWith(marker));
    expect(after.map((c) => c.id)).toEqual([ours[0].id]);
    expect(after[0].body).toContain('**fail** — budgets: 1 fail');
    expect(second.stdout).toContain('::error title=edgeml budget size (mlp.onnx)::model too big');
    expect(gh.requests.filter((q) => q.operationId === 'issues/create-comment')).toHaveLength(1);
    expect(gh.requests.filter((q) => q.operationId === 'issues/update-comment')).toHaveLength(1);
    expect(gh.issueComments(PR)).toHaveLength(2); // the quoting comment is left alone
  });

  it('leaves a comment someone else starts with the marker alone, and posts and updates its own', async () => {
    const human = gh.addComment(PR, `${marker}\nI pasted the marker on purpose`, 'mallory');
    const touched = () => gh.requests.filter((q) => q.path.endsWith(`/issues/comments/${human.id}`));
    const first = await runReport({ results: pi });
    expect(first.status).toBe(0);
    expect(warnings(first)).toEqual([]);
    const ours = gh.issueComments(PR).filter((c) => c.id !== human.id);
    expect(ours).toHaveLength(1);
    expect(ours[0].user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' });
    expect(ours[0].body).toBe(`${marker}\n${readFileSync(first.outputs.report, 'utf8')}`);
    expect(first.outputs['comment-id']).toBe(String(ours[0].id));
    expect(first.stdout).toContain('created the report comment on pull request #7');

    const second = await runReport({ results: jetson });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('updated the report comment on pull request #7');
    expect(second.outputs['comment-id']).toBe(String(ours[0].id));
    expect(gh.issueComments(PR).map((c) => c.id)).toEqual([human.id, ours[0].id]);
    expect(gh.comments.get(human.id)).toMatchObject({ body: human.body, updated_at: human.updated_at, user: { login: 'mallory' } });
    expect(gh.comments.get(ours[0].id)?.body).toContain('| source | jetson |');
    expect(touched()).toEqual([]);
    expect(gh.requests.filter((q) => q.method === 'PATCH').map((q) => q.path)).toEqual([`/repos/acme/models/issues/comments/${ours[0].id}`]);
    expect(gh.requests.filter((q) => q.method === 'DELETE')).toEqual([]);
    // The workflow's token (ghs_) cannot ask GitHub who it is: it is not asked.
    expect(gh.requests.some((q) => q.operationId === 'users/get-authenticated')).toBe(false);
  });

  it('with a personal access token, finds the comment of the user GET /user names', async () => {
    gh.logins.set('ghp_release', 'release-manager');
    const bots = gh.addComment(PR, `${marker}\nposted by the workflow's token`, 'github-actions[bot]');
    const mine = gh.addComment(PR, `${marker}\nposted with the PAT before`, 'release-manager');
    const r = await runReport({ results: pi, token: 'ghp_release' });
    expect(r.status).toBe(0);
    expect(warnings(r)).toEqual([]);
    expect(r.outputs['comment-id']).toBe(String(mine.id));
    expect(gh.comments.get(mine.id)?.body).toContain('edgeml report');
    expect(gh.comments.get(bots.id)?.body).toBe(bots.body);
    expect(gh.requests.map((q) => q.operationId)).toEqual(['users/get-authenticated', 'issues/list-comments', 'issues/update-comment']);
  });

  it("with a GitHub App's token, learns its login from the comment it creates and says to set comment-author", async () => {
    gh.logins.set('ghs_app', 'edgeml-app[bot]');
    const old = gh.addComment(PR, `${marker}\nthe app's report`, 'edgeml-app[bot]');
    const guessed = await runReport({ results: pi, token: 'ghs_app' });
    expect(guessed.status).toBe(0);
    expect(warnings(guessed)).toEqual([
      "::warning::the token writes comments as 'edgeml-app[bot]', not 'github-actions[bot]': set comment-author: edgeml-app[bot], so that re-runs find the report comment instead of posting a new one first",
    ]);
    // Its new comment went again; the app's older one holds the report.
    expect(gh.issueComments(PR).map((c) => c.id)).toEqual([old.id]);
    expect(guessed.outputs['comment-id']).toBe(String(old.id));
    expect(gh.comments.get(old.id)?.body).toContain('edgeml report');

    gh.requests.length = 0;
    const told = await runReport({ results: jetson, token: 'ghs_app', 'comment-author': 'edgeml-app[bot]' });
    expect(warnings(told)).toEqual([]);
    expect(gh.requests.map((q) => q.operationId)).toEqual(['issues/list-comments', 'issues/update-comment']);
    expect(gh.comments.get(old.id)?.body).toContain('| source | jetson |');
  });

  it('follows pagination to find its comment among many', async () => {
    for (let i = 0; i < 230; i++) gh.addComment(PR, `comment ${i}`);
    const old = gh.addComment(PR, `${marker}\nold report`, 'github-actions[bot]');
    const r = await runReport({ results: pi });
    expect(r.status).toBe(0);
    expect(gh.comments.get(old.id)?.body).toContain('edgeml report');
    expect(gh.requests.filter((q) => q.operationId === 'issues/list-comments').length).toBeGreaterThanOrEqual(3);
    expect(gh.requests.some((q) => q.operationId === 'issues/create-comment')).toBe(false);
  });

  it('leaves one comment when two jobs post at the same moment', async () => {
    gh.createBarrier = 2; // both creations are held until both arrived: the race is certain
    const [a, b] = await Promise.all([runReport({ results: pi }), runReport({ results: jetson })]);
    expect([a.status, b.status]).toEqual([0, 0]);
    const ours = gh.issueComments(PR).filter((c) => c.body.startsWith(marker));
    expect(ours).toHaveLength(1);
    expect(gh.requests.filter((q) => q.operationId === 'issues/create-comment')).toHaveLength(2);
    // The oldest survives; both runs point at it.
    expect(ours[0].id).toBe(Math.min(...gh.createdIds));
    expect([a.outputs['comment-id'], b.outputs['comment-id']]).toEqual([String(ours[0].id), String(ours[0].id)]);
  });

  it('keeps separate comments for separate report ids', async () => {
    await runReport({ results: pi, 'report-id': 'models/report/pi5' });
    await runReport({ results: jetson, 'report-id': 'models/report/jetson' });
    expect(gh.issueComments(PR).map((c) => c.body.split('\n')[0])).toEqual([
      '<!-- edgeml-report:models/report/pi5 -->',
      '<!-- edgeml-report:models/report/jetson -->',
    ]);
  });

  it('falls back to the job summary with a warning on 403 (a fork PR), without failing', async () => {
    gh.faults.push({ status: 403, message: 'Resource not accessible by integration', times: Infinity });
    const r = await runReport({ results: pi });
    expect(r.status).toBe(0);
    expect(errors(r)).toEqual([]);
    expect(warnings(r)).toHaveLength(1);
    expect(warnings(r)[0]).toMatch(/^::warning::cannot comment on pull request #7 \(403: Resource not accessible by integration.*\): the report is in the job summary; to get the comment, give the job 'permissions: pull-requests: write'/);
    expect(r.summary).toContain('edgeml report');
    expect(r.outputs['comment-id']).toBeUndefined();
    expect(gh.comments.size).toBe(0);
  });

  it('without a token writes the summary and says how to enable comments', async () => {
    const r = await runReport({ results: pi, token: '' });
    expect(r.status).toBe(0);
    expect(warnings(r)[0]).toMatch(/^::warning::no token, so no comment on pull request #7: the report is in the job summary; to get the comment/);
    expect(r.summary).toContain('edgeml report');
    expect(gh.requests).toEqual([]);
  });

  it('with comment: false writes only the summary and the file', async () => {
    const r = await runReport({ results: pi, comment: 'false', out: 'reports/pr.md' });
    expect(r.status).toBe(0);
    expect(r.outputs.report).toBe(join(r.dir, 'reports/pr.md'));
    expect(r.summary.trimEnd()).toBe(readFileSync(r.outputs.report, 'utf8').trimEnd());
    expect(gh.requests).toEqual([]);
    expect(r.outputs['comment-id']).toBeUndefined();
  });

  it('retries a 502 and a secondary rate limit, then posts', async () => {
    gh.faults.push({ method: 'GET', status: 502, message: 'Bad Gateway', times: 1 });
    gh.faults.push({ method: 'POST', status: 403, message: 'You have exceeded a secondary rate limit', headers: { 'retry-after': '1' }, times: 1 });
    const r = await runReport({ results: pi });
    expect(r.status).toBe(0);
    expect(warnings(r)).toEqual([]);
    expect(r.stdout).toContain('GitHub API GET /repos/acme/models/issues/7/comments: 502; retrying in 1.0 s');
    expect(r.stdout).toContain('GitHub API POST /repos/{owner}/{repo}/issues/{issue_number}/comments: 403; retrying in 1.0 s');
    expect(gh.issueComments(PR)).toHaveLength(1);
  });

  it('renders hostile model names, metadata and device labels inert in the comment', async () => {
    const hostile = benchDoc({ model: HOSTILE, device: HOSTILE });
    hostile.device.cpuModel = HOSTILE;
    hostile.device.runner = { name: HOSTILE, labels: [HOSTILE] };
    const r = await runReport({ results: writeJson(tempDir(), 'evil.json', hostile) });
    expect(r.status).toBe(0);
    const body = gh.issueComments(PR)[0].body;
    expect(body).toContain(`#### ${HOSTILE_ESCAPED}\n`);
    expect(body).toContain(`| source | ${HOSTILE_ESCAPED} |`);
    expect(body).toContain(`| ${HOSTILE_ESCAPED} | \`${hostile.device.fingerprint}\` |`);
    expect(body).toContain(`| ${HOSTILE_ESCAPED} |\n`); // the runner label, last cell of the devices table
    for (const raw of ['<script', '<img', '@org', '](', 'tick`', '|pipe', 'alert(1)']) expect(body).not.toContain(raw);
    expect(r.summary).toContain(`#### ${HOSTILE_ESCAPED}\n`);
  });

  it('posts from workflow_run with a PR number from an artifact only when the PR head is the run head', async () => {
    const event = { name: 'workflow_run', payload: { workflow_run: { head_sha: HEAD_SHA, pull_requests: [] } } };
    gh.pulls.set(PR, HEAD_SHA);
    const ok = await runReport({ results: pi, 'pr-number': '7' }, event);
    expect(ok.status).toBe(0);
    expect(gh.issueComments(PR)).toHaveLength(1);
    gh.pulls.set(PR, 'b'.repeat(40));
    const other = await runReport({ results: pi, 'pr-number': '7' }, event);
    expect(warnings(other)[0]).toContain(`::warning::not commenting: pull request #7 has head bbbbbbbbbbbb, not aaaaaaaaaaaa that the workflow ran on`);
    const none = await runReport({ results: pi }, event);
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('not commenting: the workflow_run event names no pull request');
  });

  it('fails the step with one line for bad input', async () => {
    const missing = await runReport({ results: join(dir, 'gone.json') });
    expect(errors(missing)).toEqual([`::error::${join(dir, 'gone.json')}: no such results file; give the file written by 'edgeml bench --json'`]);
    expect(missing.status).toBe(1);
    const nomatch = await runReport({ results: `${dir}/nothing-*.json` });
    expect(errors(nomatch)).toEqual([`::error::input 'results': ${dir}/nothing-*.json matches no files; check the path the artifacts were downloaded to`]);
    const bool = await runReport({ results: pi, comment: 'sometimes' });
    expect(errors(bool)).toEqual(["::error::input 'comment' \"sometimes\": expected true or false"]);
    const login = await runReport({ results: pi, 'comment-author': '@octocat' });
    expect(errors(login)).toEqual(["::error::input 'comment-author': \"@octocat\" is not a GitHub login; give one such as github-actions[bot], my-app[bot] or octocat (no @)"]);
    expect(login.status).toBe(1);
    expect(gh.comments.size).toBe(0);
  });
});

describe('devices that did not report', () => {
  const matrix = tempDir('edgeml-report-matrix-');
  mkdirSync(join(matrix, 'pi5/results'), { recursive: true });
  writeJson(join(matrix, 'pi5/results'), 'digits.json', benchDoc({ device: 'pi5', fingerprint: '1111111111111111' }));
  mkdirSync(join(matrix, 'pi5/check'));
  writeJson(join(matrix, 'pi5/check'), 'all.json', checkDoc([{ key: 'latency.p90', value: 0.02, limit: 1000, status: 'pass', level: 'error', message: 'p90 within 1s', model: 'digits', device: 'pi5' }]));
  const inputs = { results: `${matrix}/**/results/*.json`, compare: `${matrix}/**/compare/*.json`, check: `${matrix}/**/check/*.json` };

  it('names each expected device without results instead of failing on a pattern that matches nothing; a pass of the others reads inconclusive', async () => {
    const r = await runReport({ ...inputs, devices: 'pi5, jetson-orin\nx86-nuc' });
    expect(errors(r)).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.outputs.status).toBe('inconclusive');
    expect(warnings(r)).toEqual([expect.stringContaining('::warning::devices that did not report: jetson-orin, x86-nuc (no results: its job was skipped')]);
    const body = gh.issueComments(PR)[0].body;
    expect(body).toContain('> ⚠️ **Not reported** (2 devices): jetson&#45;orin, x86&#45;nuc: no results: its job was skipped, cancelled or failed before writing them, or no runner with its label came online.');
    expect(body).toContain('> The results below are from pi5 only.');
    expect(body).toMatch(/edgeml report: \*\*inconclusive\*\*/);
    // Every device there: no note, the pass stands.
    const all = await runReport({ ...inputs, devices: 'pi5' });
    expect(all.outputs.status).toBe('pass');
    expect(gh.issueComments(PR)[0].body).not.toContain('Not reported');
    // Without devices a pattern that matches nothing is still an error.
    const strict = await runReport(inputs);
    expect(errors(strict)).toEqual([`::error::input 'compare': ${matrix}/**/compare/*.json matches no files; check the path the artifacts were downloaded to`]);
  });

  it('on a fork\'s pull request says the devices were not measured; with no device at all, says so', async () => {
    const fork = { name: 'pull_request', payload: { pull_request: { number: 7, head: { repo: { full_name: 'mallory/models' } }, base: { repo: { full_name: REPO } } } } };
    const r = await runReport({ ...inputs, devices: 'pi5, jetson-orin' }, fork);
    expect(r.status).toBe(0);
    expect(r.summary).toContain("(1 device): jetson&#45;orin: not measured: this pull request comes from a fork, and self-hosted devices run only the repository's own pull requests.");
    const none = await runReport({ results: `${matrix}/gone/*.json`, devices: 'jetson-orin' });
    expect(errors(none)).toEqual([]);
    expect(none.outputs.status).toBe('none');
    expect(none.summary).toContain('> No device reported results.');
  });

  it('refuses a pr-number that is not among the pull requests GitHub names for the run', async () => {
    gh.pulls.set(`${REPO}#8`, HEAD_SHA);
    const event = { name: 'workflow_run', payload: { workflow_run: { head_sha: HEAD_SHA, pull_requests: [{ number: 7 }] } } };
    const r = await runReport({ results: pi, 'pr-number': '8' }, event);
    expect(r.status).toBe(0);
    expect(warnings(r)).toEqual(['::warning::not commenting: pr-number 8 is not a pull request of the run that triggered this one (#7); the report is in the job summary']);
    expect(gh.comments.size).toBe(0);
  });
});

describe('size limit', () => {
  it('keeps the comment under 65,536 characters: details cut first, a link to the job summary', async () => {
    const many = tempDir();
    for (let i = 0; i < 60; i++) writeJson(many, `r${i}.json`, benchDoc({ device: `device ${i} ${'x'.repeat(200)}`, fingerprint: `${i}`.padStart(16, '0') }));
    const r = await runReport({ results: `${many}/*.json` });
    expect(r.status).toBe(0);
    const body = gh.issueComments(PR)[0].body;
    expect(r.summary.length).toBeGreaterThan(65_536);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).not.toContain('<summary>Details');
    expect(body).toContain("cut to fit GitHub's comment limit: the full report is in the [job summary](https://github.com/acme/models/actions/runs/99).");
    expect(r.summary).toContain('<summary>Details');
  });
});

describe('the GitHub API stand-in', () => {
  it('rejects what GitHub would not accept, by its OpenAPI description', async () => {
    const call = async (method: string, path: string, body?: unknown) =>
      (await fetch(gh.url + path, { method, headers: { authorization: 'token x', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })).status;
    expect(await call('POST', '/repos/a/b/issues/1/comments', { text: 'x' })).toBe(422);
    expect(await call('POST', '/repos/a/b/issues/1/comments', { body: 5 })).toBe(422);
    expect(await call('POST', '/repos/a/b/issues/1/comment', { body: 'x' })).toBe(404);
    expect(await call('PUT', '/repos/a/b/issues/1/comments', { body: 'x' })).toBe(404);
    expect(await call('GET', '/repos/a/b/issues/1/comments?perpage=5')).toBe(422);
    expect(await call('PATCH', '/repos/a/b/issues/comments/abc', { body: 'x' })).toBe(422);
    expect(gh.violations).toHaveLength(6);
    expect(gh.violations[0]).toMatch(/^POST \/repos\/a\/b\/issues\/1\/comments: body does not match issues\/create-comment: data must have required property 'body'/);
    gh.violations.length = 0;
    // Valid, but GitHub refuses bodies over 65,536 characters: so does the stand-in.
    expect(await call('POST', '/repos/a/b/issues/1/comments', { body: 'x'.repeat(65_537) })).toBe(422);
    expect(gh.violations).toEqual([]);
  });
});

describe('retry policy', () => {
  it('backs off on server errors and honours rate-limit headers, up to a limit', () => {
    const policy = { retries: 3, baseMs: 1000, maxWaitMs: 120_000 };
    expect([0, 1, 2, 3].map((a) => retryDelay({ status: 502 }, a, policy))).toEqual([1000, 2000, 4000, null]);
    expect(retryDelay({ status: 403, response: { headers: { 'retry-after': '7' } } }, 0, policy)).toBe(7000);
    expect(retryDelay({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '100' } } }, 0, policy, 90_000)).toBe(11_000);
    expect(retryDelay({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1000' } } }, 0, policy, 0)).toBeNull();
    expect(retryDelay({ status: 403, message: 'You have exceeded a secondary rate limit' }, 0, policy)).toBe(60_000);
    expect(retryDelay({ status: 403, message: 'Resource not accessible by integration' }, 0, policy)).toBeNull();
    expect(retryDelay({ status: 422 }, 0, policy)).toBeNull();
    expect(retryDelay({ status: 429 }, 1, policy)).toBe(120_000);
  });
});
