// The history: entries from real results documents, a folder store that never rewrites, and a
// git data branch that two jobs can append to at once.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCH_DEFAULTS, runBenchmark } from '../src/bench/index.js';
import { appendEntry, budgetLinesFrom, buildEntry, readEntries, sparkline, trend, verdictsFrom, type HistoryEntry } from '../src/history/index.js';
import { writeResults, type BenchResults } from '../src/results/index.js';
import { CLI, MODELS, edgeml, runActionBundle, tempDir } from './helpers.js';

let bench: BenchResults;
let resultsFile: string;
const dir = tempDir('edgeml-history-');

beforeAll(async () => {
  bench = await runBenchmark({ ...BENCH_DEFAULTS, model: MODELS.digits, inputs: {}, warmup: 1, minIterations: 10, minDurationMs: 0, deviceLabel: 'ci-box' });
  resultsFile = join(dir, 'digits.json');
  writeResults(resultsFile, bench);
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function entry(commit: string, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return { ...buildEntry({ results: [resultsFile], commit, ref: 'main', timestamp: '2026-11-01T00:00:00Z' }), ...extra };
}

describe('history entries', () => {
  it('wrap results documents of one device, without raw samples', () => {
    const e = buildEntry({ results: [resultsFile], commit: 'abc1234', ref: 'main', timestamp: '2026-11-01T10:00:00+01:00', verdicts: { mlp: 'slower' } });
    expect(e.device).toEqual({ label: 'ci-box', fingerprint: bench.device.fingerprint });
    expect(e.timestamp).toBe('2026-11-01T09:00:00.000Z');
    expect(e.results).toHaveLength(1);
    expect(e.results[0]).toMatchObject({ model: 'mlp', target: 'onnx', verdict: 'slower' });
    expect(e.results[0].bench.samplesMs).toBeUndefined();
  });
  it('refuse results from two devices, bad commits and bad times, naming the fix', () => {
    const other = join(dir, 'other.json');
    writeResults(other, { ...bench, device: { ...bench.device, label: 'rpi5', fingerprint: '0123456789abcdef' } });
    expect(() => buildEntry({ results: [resultsFile, other], commit: 'abc1234', ref: 'main', timestamp: '2026-11-01T00:00:00Z' })).toThrow(
      /other\.json: measured on device 'rpi5' \(0123456789abcdef\), the others on 'ci-box' .*; append each device's results separately/,
    );
    expect(() => buildEntry({ results: [resultsFile], commit: 'main', ref: 'main', timestamp: '2026-11-01T00:00:00Z' })).toThrow(
      '--commit "main": expected a commit hash (7 to 64 hex digits)',
    );
    expect(() => buildEntry({ results: [resultsFile], commit: 'abc1234', ref: 'main', timestamp: 'yesterday' })).toThrow(
      '--timestamp "yesterday": expected an ISO 8601 time',
    );
  });
});

describe('history folder', () => {
  it('adds once, is a no-op for the same entry, and keeps the first results of a re-run', () => {
    const root = tempDir();
    const e = entry('abc1234');
    expect(appendEntry(root, e)).toEqual({ path: `data/abc1234/ci-box-${bench.device.fingerprint}.json`, status: 'added' });
    expect(appendEntry(root, e).status).toBe('unchanged');
    const before = readFileSync(join(root, `data/abc1234/ci-box-${bench.device.fingerprint}.json`), 'utf8');
    expect(appendEntry(root, { ...e, ref: 'other' }).status).toBe('kept');
    expect(readFileSync(join(root, `data/abc1234/ci-box-${bench.device.fingerprint}.json`), 'utf8')).toBe(before);
  });
  it('reads entries oldest first and skips files that fail the schema', () => {
    const root = tempDir();
    appendEntry(root, entry('bbbbbbb', { timestamp: '2026-11-02T00:00:00.000Z' }));
    appendEntry(root, entry('aaaaaaa', { timestamp: '2026-11-01T00:00:00.000Z' }));
    mkdirSync(join(root, 'data/ccccccc'));
    writeFileSync(join(root, 'data/ccccccc/evil.json'), JSON.stringify({ schema: { name: 'edgeml-history-entry', version: 1 }, commit: '<script>' }));
    const { entries, skipped } = readEntries(root);
    expect(entries.map((e) => e.commit)).toEqual(['aaaaaaa', 'bbbbbbb']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/^data\/ccccccc\/evil\.json: /);
  });
  it('takes verdicts from compare documents and budget lines from a check document, in chart units', async () => {
    const { checkDoc, compareDoc } = await import('./report-fixtures.js');
    const e = buildEntry({
      results: [resultsFile], commit: 'abc1234', ref: 'main', timestamp: '2026-11-01T00:00:00Z',
      verdicts: verdictsFrom([compareDoc(bench, bench, 'slower')]),
      budgets: budgetLinesFrom(checkDoc([
        { key: 'latency.p90', value: 0.1, limit: 5, status: 'pass', level: 'error', message: '', model: 'mlp.onnx' },
        { key: 'memory.peak', value: 1, limit: 200 * 2 ** 20, status: 'pass', level: 'error', message: '', model: 'mlp.onnx' },
        { key: 'accuracy.top1', value: 0.97, limit: 0.95, status: 'pass', level: 'error', message: '' },
      ])),
    });
    expect(e.results[0].verdict).toBe('slower');
    expect(e.budgets).toEqual([{ metric: 'latency.p90', limit: 5, model: 'mlp' }, { metric: 'memory.peak', limit: 200, model: 'mlp' }]);
  });
  it('gives a small trend from the same device only', () => {
    const p90 = (v: number): BenchResults => ({ ...bench, latencyMs: { ...bench.latencyMs, p90: v } });
    const entries = [1, 2, 3].map((v, i) => ({ ...entry(`aaaaaa${i}`), results: [{ model: 'mlp', target: 'onnx', bench: p90(v) }] }));
    const foreign = { ...entry('fffffff'), device: { label: 'ci-box', fingerprint: '0123456789abcdef' }, results: [{ model: 'mlp', target: 'onnx', bench: p90(99) }] };
    const t = trend([...entries, foreign], { model: 'mlp', target: 'onnx', fingerprint: bench.device.fingerprint, metric: 'latency.p90' });
    expect(t).toEqual([1, 2, 3]);
    expect(sparkline(t)).toBe('▁▅█');
  });
});

describe('edgeml history append to a git data branch', () => {
  function setup() {
    const root = tempDir('edgeml-git-');
    const remote = join(root, 'remote.git');
    git(root, 'init', '--quiet', '--bare', remote);
    const work = (name: string) => {
      const path = join(root, name);
      git(root, 'clone', '--quiet', remote, path);
      git(path, 'config', 'user.email', 'dev@example.com');
      git(path, 'config', 'user.name', 'dev');
      writeFileSync(join(path, 'README.md'), 'model repo\n');
      git(path, 'add', '.');
      git(path, 'commit', '--quiet', '-m', 'init');
      return path;
    };
    return { root, remote, work };
  }

  it('creates the branch, appends, and is a no-op the second time', () => {
    const { work, remote } = setup();
    const a = work('a');
    const sha = git(a, 'rev-parse', 'HEAD');
    const r = edgeml(['history', 'append', '--repo', a, '--results', resultsFile, '--dashboard'], { GITHUB_SHA: '', GITHUB_REF_NAME: '' });
    expect(r.stderr).toContain('pushed data/');
    expect(r.status).toBe(0);
    const files = git(remote, 'ls-tree', '-r', '--name-only', 'edgeml-data').split('\n');
    expect(files).toEqual(['data/' + sha + `/ci-box-${bench.device.fingerprint}.json`, 'index.html']);
    const again = edgeml(['history', 'append', '--repo', a, '--results', resultsFile]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already there, unchanged');
    expect(git(remote, 'rev-list', '--count', 'edgeml-data')).toBe('1');
    // The branch holds only history, not the model repository's files.
    expect(files).not.toContain('README.md');
  });

  it('lets two jobs append at once: both land, nothing is rewritten', async () => {
    const { work, remote } = setup();
    const a = work('a');
    const base = git(a, 'rev-parse', 'HEAD');
    git(a, 'push', '--quiet', 'origin', 'HEAD:main');
    edgeml(['history', 'append', '--repo', a, '--results', resultsFile, '--commit', base]);
    const firstTip = git(remote, 'rev-parse', 'edgeml-data');
    const b = join(tempDir(), 'b');
    git(a, 'clone', '--quiet', remote, b);
    const devices = ['jetson-orin', 'rpi5', 'x86-nuc', 'pi-zero'];
    const files = devices.map((d) => {
      const f = join(dir, `${d}.json`);
      writeResults(f, { ...bench, device: { ...bench.device, label: d, fingerprint: `${d.length}`.padStart(16, 'a') } });
      return f;
    });
    const run = (repo: string, file: string) =>
      new Promise<number>((resolve) => {
        const p = spawn(process.execPath, [CLI, 'history', 'append', '--repo', repo, '--results', file, '--commit', 'fedcba9', '--dashboard'], { stdio: 'ignore' });
        p.on('close', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all(files.map((f, i) => run(i % 2 ? a : b, f)));
    expect(codes).toEqual([0, 0, 0, 0]);
    const tree = git(remote, 'ls-tree', '-r', '--name-only', 'edgeml-data');
    for (const d of devices) expect(tree).toContain(`data/fedcba9/${d}-`);
    expect(git(remote, 'rev-list', '--count', 'edgeml-data')).toBe('5');
    // Append-only: the first tip is an ancestor of the final one (no force push, no rewrite).
    expect(() => git(remote, 'merge-base', '--is-ancestor', firstTip, 'edgeml-data')).not.toThrow();
  });

  it('refuses bad input with one line and exit 2', () => {
    const d = tempDir();
    const cases: Array<[string[], RegExp]> = [
      [['history', 'append', '--data-dir', d, '--results', join(d, 'missing.json'), '--commit', 'abc1234'], /missing\.json: no such results file; give the file written by 'edgeml bench --json'$/],
      [['history', 'append', '--data-dir', d, '--results', resultsFile, '--commit', 'HEAD~1'], /--commit "HEAD~1": expected a commit hash/],
      [['history', 'append', '--data-dir', d, '--results', resultsFile, '--commit', 'abc1234', '--budget', 'p90<5'], /--budget p90<5: expected METRIC=LIMIT/],
      [['history', 'append', '--data-dir', d, '--results', resultsFile, '--commit', 'abc1234', '--verdict', 'mlp=worse'], /--verdict mlp=worse: expected MODEL=slower\|faster\|unchanged\|inconclusive/],
      [['history', 'append', '--repo', d, '--results', resultsFile, '--commit', 'abc1234'], /not a git repository; run this in the workflow's checkout or use --data-dir DIR$/],
      [['history', 'append', '--data-dir', d, '--commit', 'abc1234'], /^edgeml: error: --results is required: the results documents of this job \(edgeml bench --json\), one device$/],
    ];
    for (const [args, expected] of cases) {
      const r = edgeml(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(expected);
    }
  });

  it('still takes --data (the old name of --data-dir) until 0.3.0, with one warning', () => {
    const d = tempDir();
    const r = edgeml(['history', 'append', '--data', d, '--results', resultsFile, '--commit', 'abc1234']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('edgeml: warning: --data is deprecated and goes in 0.3.0; use --data-dir\n');
    expect(readEntries(d).entries).toHaveLength(1);
  });
});

describe('actions/history bundle', () => {
  it('names a bad input and appends nothing', () => {
    const d = tempDir();
    const r = runActionBundle('history', { results: resultsFile, 'data-dir': d, verdict: 'mlp=worse' }, { GITHUB_SHA: 'abc1234' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/::error::input 'verdict' mlp=worse: expected MODEL=slower\|faster\|unchanged\|inconclusive, e\.g\. detector=slower/);
    expect(readEntries(d).entries).toHaveLength(0);
  });

  it('appends on a push to main as the runner runs it, with the dashboard, and reports the status', () => {
    const root = tempDir('edgeml-git-');
    const remote = join(root, 'remote.git');
    git(root, 'init', '--quiet', '--bare', remote);
    const work = join(root, 'work');
    git(root, 'clone', '--quiet', remote, work);
    writeFileSync(join(work, 'README.md'), 'x\n');
    git(work, 'add', '.');
    git(work, '-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '--quiet', '-m', 'init');
    const sha = git(work, 'rev-parse', 'HEAD');
    // As on a fresh runner: no git identity configured anywhere.
    const env = { GITHUB_SHA: sha, GITHUB_REF_NAME: 'main', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/models', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    const r = runActionBundle('history', { results: resultsFile, budget: 'latency.p90=5', title: 'acme <models>' }, env, work);
    expect(r.stdout).not.toContain('::error::');
    expect(r.status).toBe(0);
    expect(r.outputs).toEqual({ path: `data/${sha}/ci-box-${bench.device.fingerprint}.json`, status: 'added' });
    const stored = JSON.parse(git(remote, 'show', `edgeml-data:${r.outputs.path}`)) as HistoryEntry;
    expect(stored).toMatchObject({ commit: sha, ref: 'main', url: `https://github.com/acme/models/commit/${sha}`, budgets: [{ metric: 'latency.p90', limit: 5 }] });
    expect(git(remote, 'show', 'edgeml-data:index.html')).toContain('<title>acme &#60;models&#62;</title>');
    // The commit is authored as the Actions bot when the checkout has no identity.
    expect(git(remote, 'log', '-1', '--format=%an', 'edgeml-data')).toBe('github-actions[bot]');
    // The old name of the input (until 0.3.0) makes the same entry, with one warning.
    const same = runActionBundle('history', { results: resultsFile, budgets: 'latency.p90=5', title: 'acme <models>' }, env, work);
    expect(same.outputs.status).toBe('unchanged');
    expect(same.stdout.split('\n').filter((l) => l.includes('deprecated'))).toEqual(["::warning::input 'budgets' is deprecated and goes in 0.3.0; use input 'budget'"]);
    // A re-run of the job measures again: the first results stay, with a warning, not a failure.
    const rerun = runActionBundle('history', { results: resultsFile }, env, work);
    expect(rerun.status).toBe(0);
    expect(rerun.outputs.status).toBe('kept');
    expect(rerun.stdout).toContain('::warning::not added: data/');
    expect(git(remote, 'rev-list', '--count', 'edgeml-data')).toBe('1');
  });
});
