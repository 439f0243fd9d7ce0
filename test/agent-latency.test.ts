// The release's latency budget on the device, and the check after the switch, on real parts: a
// real check document (`edgeml check` on a results document of the artifact's target) goes into
// the release through `edgeml publish --check`; the real agent (the built CLI) times the model
// on this machine against it. The check after the switch is made to miss with the documented
// test hook EDGEML_TEST_SLOW_AFTER_SWITCH=<sha256>:<ms> (every timed inference of that check
// takes <ms> longer, as a device that turns slow once the model is installed): the agent must
// then point `current` back at the previous slot.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readCheck } from '../src/budgets/index.js';
import { addCheckBudgets, type ArtifactInput } from '../src/fleet/index.js';
import { LATENCY_RUNS, judgeLatency, timeInferences, type LatencyRule } from '../src/agent/latency.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { CLI, MODELS, ROOT, artifactsOf, edgeml, tempDir } from './helpers.js';

let base: string;
let keys: string;
let repo: string;
let check: string;
let server: ChannelServer;
const SHA = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results/digits.json'), 'utf8')).model.sha256 as string;

interface Run { status: number | null; stdout: string; stderr: string }

function agent(dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'agent', '--channel-url', server.url, '--root', join(repo, '1.root.json'), '--channel', 'stable',
      '--target', 'cpu-fp32', '--dir', dir, '--device-id', 'device-1', '--once', ...extra], { env: { ...process.env, EDGEML_DEVICE_LABEL: 'pump-7', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const status = (dir: string) => JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));

/** A real check document of `limits` on a results document of the digits model as target cpu-fp32 (measured on ci-x64). */
function checkDocument(name: string, limits: string[]): string {
  const results = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/results/digits.json'), 'utf8'));
  const file = join(base, `${name}.results.json`);
  writeFileSync(file, JSON.stringify({ ...results, target: 'cpu-fp32' }));
  const config = join(base, `${name}.yml`);
  writeFileSync(config, ['budgets:', '  - target: cpu-fp32', '    limits:', ...limits.map((l) => `      ${l}`), ''].join('\n'));
  const out = join(base, `${name}.check.json`);
  const r = edgeml(['check', '--config', config, '--results', file, '--json', out]);
  expect(r.status, r.stderr).toBe(0);
  return out;
}

function publish(version: string, checkFile: string) {
  const r = edgeml(['publish', '--repo', repo, '--keys', keys, '--channel', 'stable', '--version', version, '--artifacts', artifactsOf(MODELS.digits), '--model', 'digits', '--check', checkFile]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

const evidenceOf = (version: string) => {
  const v = Math.max(...readdirSync(repo).map((f) => /^(\d+)\.stable\.json$/.exec(f)).filter(Boolean).map((m) => Number(m![1])));
  const role = JSON.parse(readFileSync(join(repo, `${v}.stable.json`), 'utf8'));
  const ref = role.signed.targets[`stable/models/digits/${version}/cpu-fp32/cpu-fp32.onnx`].custom.edgeml.evidence;
  return JSON.parse(readFileSync(join(repo, ref.path), 'utf8'));
};

beforeAll(async () => {
  base = tempDir('edgeml-latency-');
  keys = join(base, 'keys');
  repo = join(base, 'repo');
  expect(edgeml(['keys', 'init', '--out', keys]).status).toBe(0);
  check = checkDocument('p50', ['latency.p50: 100ms']);
  publish('1.0.0', check);
  server = await serveChannel(repo);
});
afterAll(() => server?.close());

describe('the release carries the latency budget CI judged; the device judges itself by it', () => {
  const dev = () => join(base, 'device');

  test('publish --check signs the target\'s latency budget, CI\'s figure and device into the evidence', () => {
    expect(evidenceOf('1.0.0').budgets).toEqual([{ key: 'latency.p50', maxMs: 100, text: '100ms', ciMs: expect.closeTo(0.0405, 3), device: 'ci-x64' }]);
  });

  test('the device meets it: installed, and status.json says what was measured, on which device, against which budget', async () => {
    const r = await agent(dev());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = status(dev());
    expect(s).toMatchObject({ lastResult: 'installed', current: { version: '1.0.0' } });
    expect(s.acceptance).toMatchObject({ check: 'after-switch', ok: true, version: '1.0.0' });
    expect(s.acceptance.latency).toEqual([expect.objectContaining({
      key: 'latency.p50', limitMs: 100, from: 'release', verdict: 'pass', runs: LATENCY_RUNS['latency.p50'], device: 'pump-7', ciDevice: 'ci-x64',
    })]);
    expect(s.acceptance.latency[0].measuredMs).toBeLessThan(100);
    expect(s.acceptance.latency[0].note).toMatch(/within the release's budget latency\.p50 <= 100 ms \(CI measured 0\.04 ms on ci-x64\); CI's figure is from ci-x64, this device is pump-7$/);
  });

  test('a miss in the check after the switch rolls back: the old slot current again, rolled-back with the reason, stderr, exit 1', async () => {
    publish('1.1.0', check);
    const before = readlinkSync(join(dev(), 'current'));
    // Only the check after the switch to this sha256 is slowed: 150 ms more per inference against the 100 ms budget.
    const r = await agent(dev(), [], { EDGEML_TEST_SLOW_AFTER_SWITCH: `${SHA}:150` });
    expect(r.status).toBe(1);
    const s = status(dev());
    expect(readlinkSync(join(dev(), 'current'))).toBe(before);
    expect(JSON.parse(readFileSync(join(dev(), 'current', 'release.json'), 'utf8'))).toMatchObject({ version: '1.0.0' });
    expect(s).toMatchObject({ lastResult: 'rolled-back', state: 'rolled-back', current: { version: '1.0.0' }, previous: null, rejected: { version: '1.1.0' } });
    // The check before the switch passed (else there would be no check after it), the one after missed.
    expect(s.acceptance).toMatchObject({ check: 'after-switch', ok: false, version: '1.1.0', latency: [{ verdict: 'fail', from: 'release' }] });
    const reason = /^1\.1\.0 \(release 2\) failed its check after the switch and was rolled back, kept 1\.0\.0: p50 latency on this device is over the release's budget latency\.p50 <= 100 ms: 11 of 11 inferences took longer/;
    expect(s.lastError).toMatch(reason);
    expect(r.stderr).toMatch(/failed its check after the switch and was rolled back, kept 1\.0\.0: p50 latency on this device is over/);
    expect(r.stdout).toMatch(/ rolled-back: digits 1\.0\.0 \(release 1\)/);
    // Not downloaded and tried again on the next poll.
    const again = await agent(dev());
    expect(again.status).toBe(1);
    expect(status(dev()).lastError).toMatch(/release 2 \(1\.1\.0\) failed its health check before/);
  });

  test('--max-latency overrides the release\'s limit: refused before the switch', async () => {
    publish('1.2.0', check);
    const r = await agent(dev(), ['--max-latency', '0ms']);
    expect(r.status).toBe(1);
    const s = status(dev());
    expect(s).toMatchObject({ lastResult: 'health-check-failed', current: { version: '1.0.0' }, acceptance: { check: 'before-switch', ok: false, latency: [{ key: 'latency.p50', limitMs: 0, from: '--max-latency', verdict: 'fail' }] } });
    expect(s.lastError).toMatch(/^1\.2\.0 \(release 3\) failed its health check, kept 1\.0\.0: p50 latency on this device is over the --max-latency budget of 0 ms \(p50\)/);
  });

  test('a budget the device cannot judge in the time it has is stated in status.json and on stderr, not passed', async () => {
    const p99 = checkDocument('p99', ['latency.p99: 1s']);
    publish('1.3.0', p99);
    const dir = join(base, 'device-p99');
    // 20 ms more per inference after the switch: about 150 inferences in the check's 3 s, p99 needs 662; none near 1 s.
    const r = await agent(dir, [], { EDGEML_TEST_SLOW_AFTER_SWITCH: `${SHA}:20` });
    expect(r.status).toBe(0);
    const s = status(dir);
    expect(s).toMatchObject({ lastResult: 'installed', current: { version: '1.3.0' }, acceptance: { check: 'after-switch', ok: true, latency: [{ key: 'latency.p99', verdict: 'not judged', measuredMs: null }] } });
    expect(s.acceptance.latency[0].note).toMatch(/^latency\.p99 was not judged on this device: p99 needs 662 timed inferences, \d+ ran in the 3 s the check allows; the release's budget latency\.p99 <= 1000 ms is unchecked here/);
    expect(r.stderr).toMatch(/^edgeml agent: warning: 1\.3\.0 \(release \d+\): latency\.p99 was not judged on this device/m);
  });
});

describe('judging latency (the decisions alone)', () => {
  const rule = (key: LatencyRule['key'], limitMs: number): LatencyRule => ({ key, limitMs, from: 'release', ciMs: 5, ciDevice: 'pump-7' });

  test('a percentile is claimed only with the inferences it needs; over the limit fails as soon as it is certain', async () => {
    const fast = await timeInferences([rule('latency.p90', 8)], async () => {}, 10_000);
    expect(fast).toHaveLength(64);
    const [pass] = judgeLatency([rule('latency.p90', 8)], Array(64).fill(1), 'pump-7');
    expect(pass).toMatchObject({ verdict: 'pass', measuredMs: 1, runs: 64 });
    expect(pass.note).not.toMatch(/this device is/);
    // 7 of 64 over 8 ms: the p90 (the 58th of 64) is over.
    const [fail] = judgeLatency([rule('latency.p90', 8)], [...Array(57).fill(1), ...Array(7).fill(9)], 'pump-7');
    expect(fail).toMatchObject({ verdict: 'fail', measuredMs: 9 });
    // Early: 7 runs over the limit settle a p90 over 64 runs, before the 64 ran.
    let clock = 0;
    const early = await timeInferences([rule('latency.p90', 8)], async () => { clock += 9; }, 10_000, () => clock);
    expect(early).toHaveLength(7);
    expect(judgeLatency([rule('latency.p90', 8)], early)[0]).toMatchObject({ verdict: 'fail', measuredMs: null });
    // Out of time before 64 inferences, none over: not judged.
    const [short] = judgeLatency([rule('latency.p90', 8)], Array(30).fill(1), 'pump-7');
    expect(short).toMatchObject({ verdict: 'not judged', measuredMs: null, runs: 30 });
  });
});

describe('publish: which budgets a release carries', () => {
  const artifact = (target: string, file: string): ArtifactInput => ({
    target, file, localPath: file, sha256: 'x', bytes: 1, precision: null, runtime: { name: 'onnxruntime', versionRange: '*' }, hardware: { os: 'any', arch: 'any', accelerator: 'none' }, metrics: {},
  });

  test('only latency budgets of the artifact\'s target, the strictest per key', () => {
    const p50 = readCheck(check);
    const doc = { ...p50, checks: [...p50.checks, { ...p50.checks[0], limit: 50, limitText: '50ms' }, { ...p50.checks[0], key: 'memory.peak', limit: 1e6, limitText: '1MB' }, { ...p50.checks[0], target: 'cpu-int8' }] };
    const a = [artifact('cpu-fp32', 'cpu-fp32.onnx'), artifact('ort-optimized', 'ort-optimized.onnx')];
    expect(addCheckBudgets(a, doc)).toEqual([]);
    expect(a[0].latencyBudgets).toEqual([{ key: 'latency.p50', maxMs: 50, text: '50ms', ciMs: expect.any(Number), device: 'ci-x64' }]);
    expect(a[1].latencyBudgets).toBeUndefined();
  });

  test('two models judged on one target, neither the artifact\'s file: not signed, and said', () => {
    const p50 = readCheck(check);
    const doc = { ...p50, checks: [{ ...p50.checks[0], model: 'a.onnx' }, { ...p50.checks[0], model: 'b.onnx' }] };
    const a = [artifact('cpu-fp32', 'cpu-fp32.onnx')];
    expect(addCheckBudgets(a, doc)).toEqual([expect.stringMatching(/^cpu-fp32: the check judges latency of several models on this target \(a\.onnx, b\.onnx\)/)]);
    expect(a[0].latencyBudgets).toBeUndefined();
  });
});
