// `rollout:` in edgeml.yml and the one gated-promote implementation the CLI and the promote
// action call: the stages a release goes through, each stage's gate (hawkBit's success and error
// thresholds, minimum reporting devices, soak), flags over the file over the defaults, and bad
// keys refused as `edgeml.yml:line:col: rollout.<key>: ...`. The channel is real (signed metadata
// in a folder); the fleet is the aggregation of real status messages (the broker path is in
// fleet-mqtt.test.ts and the promote action's test).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { LocalDirStorage, collectArtifacts, gatedPromote, initKeys, publishRelease, type ChannelStorage } from '../src/fleet/index.js';
import { STATUS_SCHEMA, aggregate, type FleetStatus, type Message } from '../src/fleet-status/index.js';
import { MODELS, artifactsOf, edgeml, tempDir } from './helpers.js';

const dir = tempDir('edgeml-rollout-');
const yml = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

const PLAN = `rollout:
  min-devices: 3
  success-threshold: 60%
  error-threshold: 20%
  auto-rollback: true
  stages:
    - channel: beta
      percent: 10
    - channel: beta
      soak: 1h
    - channel: stable
      percent: 50
      min-devices: 4
`;

describe('rollout: in edgeml.yml', () => {
  test('stages, their gates and the shared settings, with documented defaults', () => {
    const plan = loadConfig(yml('plan.yml', PLAN)).rollout!;
    expect(plan).toMatchObject({ minDevices: 3, successThreshold: 60, errorThreshold: 20, autoRollback: true });
    expect(plan.stages.map((s) => [s.channel, s.percent, s.minDevices, s.soakMs])).toEqual([['beta', 10, undefined, undefined], ['beta', 100, undefined, 3_600_000], ['stable', 50, 4, undefined]]);
    expect(plan.stages[2].at).toMatchObject({ line: 11, col: 7 });
  });

  test.each([
    ['a misspelt key', 'rollout:\n  stage:\n    - channel: beta\n', /stage\.yml:2:3: rollout\.stage: unknown key; expected one of min-devices, success-threshold, error-threshold, soak, auto-rollback, stages \(did you mean 'stages'\?\)/],
    ['no stages', 'rollout:\n  soak: 1h\n', /:2:3: rollout: missing key 'stages'/],
    ['a misspelt channel', 'rollout:\n  stages:\n    - channel: stabel\n', /:3:16: rollout\.stages\[0\]\.channel: expected one of canary, beta, stable, got "stabel" \(did you mean 'stable'\?\)/],
    ['a threshold without %', 'rollout:\n  success-threshold: 95\n  stages:\n    - channel: beta\n', /:2:22: rollout\.success-threshold: expected a percentage such as 5%, got 95/],
    ['a share over 100', 'rollout:\n  stages:\n    - channel: beta\n      percent: 150\n', /:4:16: rollout\.stages\[0\]\.percent: must be <= 100, got 150/],
    ['a soak without its unit', 'rollout:\n  soak: 4 hours\n  stages:\n    - channel: beta\n', /:2:9: rollout\.soak: expected a time with its unit, e\.g\. 30m, 4h or 90s, got "4 hours"/],
    ['stages going back', 'rollout:\n  stages:\n    - channel: stable\n    - channel: beta\n', /:4:7: rollout\.stages\[1\]: beta 100% comes after stable 100%; list the stages from the first to the last/],
  ])('%s: one line naming edgeml.yml:line:col and rollout.<key>', (name, text, expected) => {
    const file = yml(`${name === 'a misspelt key' ? 'stage' : name.replace(/\W+/g, '-')}.yml`, text);
    expect(() => loadConfig(file)).toThrow(expected);
  });

  test('edgeml promote --config with a bad key: exit 2, one line, nothing promoted', () => {
    const file = yml('bad-cli.yml', 'rollout:\n  stages:\n    - channel: beta\n      percent: 150\n');
    const r = edgeml(['promote', '--repo', join(dir, 'nothing'), '--keys', join(dir, 'nothing'), '--version', '1.0.0', '--gate', '--config', file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^edgeml: error: .*bad-cli\.yml:4:16: rollout\.stages\[0\]\.percent: must be <= 100, got 150$/)]);
    const none = edgeml(['promote', '--repo', join(dir, 'nothing'), '--keys', join(dir, 'nothing'), '--version', '1.0.0', '--config', yml('no-rollout.yml', 'budgets: []\n')]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no-rollout\.yml: has no rollout: section; add rollout: stages:/);
  });
});

describe('gated promote through the stages of rollout:', () => {
  let keys: string;
  let storage: ChannelStorage;
  let repo: string;
  const plan = () => loadConfig(yml('plan.yml', PLAN)).rollout!;

  beforeEach(async () => {
    const base = tempDir('edgeml-rollout-channel-');
    keys = join(base, 'keys');
    repo = join(base, 'repo');
    initKeys(keys);
    storage = new LocalDirStorage(repo);
    const art = await collectArtifacts({ artifactsDir: artifactsOf(MODELS.digits) });
    for (const [version, percent] of [['1.0.0', 100], ['2.0.0', 10]] as const) {
      await publishRelease(storage, keys, { channel: 'beta', model: 'digits', version, artifacts: art, rollout: { percent, notBefore: null } });
    }
  });

  const fleet = (states: string[]): FleetStatus => aggregate('demo', states.map((state, i): Message => ({
    topic: `edgeml/demo/d${i}/status`,
    payload: JSON.stringify({
      schema: STATUS_SCHEMA, deviceId: `d${i}`, channel: 'beta', model: 'digits', desired: { version: '2.0.0', release: 2 },
      installed: { version: state === 'failure' ? '1.0.0' : '2.0.0', release: 2 }, state, error: state === 'failure' ? { type: 'health-check', message: 'NaN' } : null, time: new Date().toISOString(),
    }),
  })), { silentAfterMs: 3_600_000 });

  const deps = (states: string[], now = () => new Date()) => ({ onStore: <T>(fn: (s: ChannelStorage) => Promise<T>) => fn(storage), readFleet: async () => fleet(states), now });
  const role = (channel: string) => {
    const v = Math.max(0, ...readdirSync(repo).map((f) => new RegExp(`^(\\d+)\\.${channel}\\.json$`).exec(f)).filter(Boolean).map((m) => Number(m![1])));
    return v ? Object.values(JSON.parse(readFileSync(join(repo, `${v}.${channel}.json`), 'utf8')).signed.targets) as Array<{ custom: { edgeml: { version: string; rollout: { percent: number } } } }> : [];
  };

  test('a passing stage goes to the next one; the soak holds it; the last stage is complete', async () => {
    const ok = ['success', 'success', 'already-installed', 'downloading'];
    const first = await gatedPromote({ version: '2.0.0', gate: true, plan: plan(), keysDir: keys }, deps(ok));
    expect(first).toMatchObject({ decision: 'promoted', stage: { index: 0, channel: 'beta', percent: 10 }, to: { channel: 'beta', percent: 100 }, thresholds: { minDevices: 3, successThreshold: 60, errorThreshold: 20, soakMs: 0 }, release: { status: 'rollout-updated' } });
    expect(role('beta').find((t) => t.custom.edgeml.version === '2.0.0')?.custom.edgeml.rollout.percent).toBe(100);
    // Stage 2 soaks an hour from the moment it started.
    const held = await gatedPromote({ version: '2.0.0', gate: true, plan: plan(), keysDir: keys }, deps(ok));
    expect(held).toMatchObject({ decision: 'held', stage: { index: 1 }, release: null, gate: { verdict: 'pass' } });
    expect(held.line).toMatch(/^gate: 2\.0\.0 passes but soaks on beta 100% until .+ \(soak 60 min from .+\); not promoted$/);
    expect(role('stable')).toEqual([]);
    const later = () => new Date(Date.now() + 2 * 3_600_000);
    // Stage 2 (beta 100%) is judged by its gate: 4 devices report, 75% succeeded.
    const second = await gatedPromote({ version: '2.0.0', gate: true, plan: plan(), keysDir: keys }, deps(ok, later));
    expect(second).toMatchObject({ decision: 'promoted', to: { channel: 'stable', percent: 50 }, release: { status: 'promoted', channel: 'stable' } });
    const done = await gatedPromote({ version: '2.0.0', gate: true, plan: plan(), keysDir: keys }, deps(ok, later));
    expect(done).toMatchObject({ decision: 'complete', release: null });
    expect(done.line).toBe('rollout: 2.0.0 is at the last stage (stable 50%); nothing to promote');
  });

  test('flags override the file: a higher min-devices holds the stage', async () => {
    const r = await gatedPromote({ version: '2.0.0', gate: true, plan: plan(), thresholds: { minDevices: 10 }, keysDir: keys }, deps(['success', 'success', 'success']));
    expect(r).toMatchObject({ decision: 'held', thresholds: { minDevices: 10, successThreshold: 60 }, gate: { verdict: 'too-few-devices' } });
    expect(r.line).toMatch(/^gate: 2\.0\.0 is not judged yet: 3 of the 10 devices needed report it .*; not promoted$/);
  });

  test('auto-rollback and soak need the gate; without it the plan\'s next stage is taken as asked', async () => {
    await expect(gatedPromote({ version: '2.0.0', gate: false, soakMs: 60_000, keysDir: keys }, deps([]))).rejects.toThrow(/--soak needs --gate/);
    await expect(gatedPromote({ version: '2.0.0', gate: false, autoRollback: true, keysDir: keys }, deps([]))).rejects.toThrow(/--auto-rollback needs --gate/);
    const r = await gatedPromote({ version: '2.0.0', gate: false, plan: plan(), keysDir: keys }, deps([]));
    expect(r).toMatchObject({ decision: 'promoted', status: null, gate: null, to: { channel: 'beta', percent: 100 } });
  });

  test('the error threshold crossed with auto-rollback: true in the file rolls the stage\'s channel back', async () => {
    const r = await gatedPromote({ version: '2.0.0', gate: true, plan: plan(), keysDir: keys }, deps(['success', 'failure', 'failure', 'success']));
    expect(r).toMatchObject({ decision: 'rolled-back', gate: { verdict: 'error-threshold-crossed' }, release: { status: 'rolled-back', channel: 'beta', version: '1.0.0' } });
    expect(r.line).toMatch(/crossed the error threshold: 2 of 4 devices failed \(50% > 20%\); rolled beta back \(auto-rollback\) to 1\.0\.0/);
  });

  test('a release on no stage of the plan is refused naming the file and the first stage', async () => {
    const only = loadConfig(yml('canary-first.yml', 'rollout:\n  stages:\n    - channel: canary\n    - channel: stable\n')).rollout!;
    await expect(gatedPromote({ version: '2.0.0', gate: true, plan: only, keysDir: keys }, deps(['success'])))
      .rejects.toThrow(/canary-first\.yml:3:7: rollout\.stages: 2\.0\.0 has reached no stage \(it is on beta 10%\); publish it to the first stage, canary 100%/);
  });
});
