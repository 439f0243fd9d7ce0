// The promote action through examples/workflows/edgeml-promote.yml, run by test/workflow-runner.ts
// on a schedule trigger: a git origin with edgeml.yml (rollout: beta -> stable) on main and the
// signed channel on gh-pages, Debian's mosquitto with TLS and the example ACL, real agents that
// installed the release from the channel and reported over MQTT, and the operator's certificate,
// key and the channel keys given as secrets. The gate passes, the action promotes, the workflow
// pushes gh-pages; the next run finds the release at the last stage. A bad input is one line.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCa, issue } from '../src/devices/index.js';
import { LocalDirStorage, collectArtifacts, initKeys, publishRelease } from '../src/fleet/index.js';
import { serveChannel, type ChannelServer } from './channel-server.js';
import { startGitHubServer, type GitHubServer } from './github-server.js';
import { MODELS, artifactsOf, edgemlAsync, runActionBundle, tempDir } from './helpers.js';
import { startBroker, type Broker } from './mosquitto.js';
import { tool } from './tools.js';
import { ArtifactStore, runWorkflow, type WorkflowRun } from './workflow-runner.js';

const mosquitto = tool(existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto', 'mosquitto');
const REPO = 'acme/models';
const CONFIG = `rollout:
  min-devices: 2
  success-threshold: 50%
  error-threshold: 40%
  stages:
    - channel: beta
    - channel: stable
`;

describe.skipIf(!mosquitto)('the promote action in edgeml-promote.yml', () => {
  const base = tempDir('edgeml-promote-action-');
  const ca = join(base, 'ca');
  const id = (name: string) => join(base, 'ids', name);
  const keys = join(base, 'keys');
  const chan = join(base, 'channel');
  const origin = join(base, 'origin');
  let broker: Broker;
  let server: ChannelServer;
  let gh: GitHubServer;
  const store = new ArtifactStore();
  let runId = 500;
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };
  const git = (...args: string[]) => execFileSync('git', ['-C', origin, ...args], { env, encoding: 'utf8' }).trim();
  const pem = (f: string) => readFileSync(f, 'utf8');

  beforeAll(async () => {
    await createCa(ca);
    await issue(ca, id('broker'), { role: 'server', name: '127.0.0.1' });
    await issue(ca, id('ops'), { role: 'operator', name: 'ops' });
    for (const d of ['p1', 'p2']) await issue(ca, id(d), { role: 'device', name: d });
    mkdirSync(join(base, 'broker'));
    broker = await startBroker(mosquitto!, join(base, 'broker'), id('broker'));
    initKeys(keys);
    await publishRelease(new LocalDirStorage(chan), keys, {
      channel: 'beta', model: 'digits', version: '1.0.0', artifacts: await collectArtifacts({ artifactsDir: artifactsOf(MODELS.digits) }), rollout: { percent: 100, notBefore: null },
    });
    server = await serveChannel(chan);
    // Two devices on beta install 1.0.0 and report it, as the real agent does.
    for (const d of ['p1', 'p2']) {
      const r = await edgemlAsync(['agent', '--channel-url', server.url, '--root', join(chan, '1.root.json'), '--channel', 'beta', '--target', 'cpu-fp32', '--dir', join(base, `dev-${d}`),
        '--device-id', d, '--broker', broker.url, '--cert', join(id(d), 'client.crt'), '--key', join(id(d), 'client.key'), '--ca', join(ca, 'ca.crt'), '--fleet', 'plant', '--once']);
      expect(r.status, r.stderr).toBe(0);
    }
    // github.com/acme/models: edgeml.yml on main, the channel on gh-pages.
    mkdirSync(origin);
    git('init', '-q', '-b', 'main');
    writeFileSync(join(origin, 'edgeml.yml'), CONFIG);
    git('add', '.');
    git('commit', '-q', '-m', 'rollout plan');
    git('checkout', '-q', '--orphan', 'gh-pages');
    git('rm', '-rq', '--cached', '.');
    execFileSync('rm', ['-f', join(origin, 'edgeml.yml')]);
    cpSync(chan, origin, { recursive: true });
    git('add', '.');
    git('commit', '-q', '-m', 'channel');
    git('checkout', '-q', 'main');
    gh = await startGitHubServer();
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await broker?.stop();
    await gh?.close();
  });

  const secrets = () => ({
    EDGEML_OPERATOR_CERT: pem(join(id('ops'), 'client.crt')), EDGEML_OPERATOR_KEY: pem(join(id('ops'), 'client.key')), EDGEML_FLEET_CA: pem(join(ca, 'ca.crt')),
    EDGEML_BETA_KEY: pem(join(keys, 'beta.pem')), EDGEML_STABLE_KEY: pem(join(keys, 'stable.pem')),
    EDGEML_SNAPSHOT_KEY: pem(join(keys, 'snapshot.pem')), EDGEML_TIMESTAMP_KEY: pem(join(keys, 'timestamp.pem')),
  });
  const run = () => runWorkflow('edgeml-promote.yml', {
    gh, repo: REPO, origin, runId: runId++, store, secrets: secrets(), env: { EDGEML_BROKER: broker.url, EDGEML_FLEET: 'plant' },
    event: { name: 'schedule', payload: { schedule: '17 * * * *' }, sha: git('rev-parse', 'main'), ref: 'refs/heads/main' },
  });
  const why = (r: WorkflowRun) => r.jobs.map((j) => j.steps.map((s) => `${s.name}: ${s.ran ? s.status : 'skipped'}\n${s.log}`).join('\n')).join('\n');
  const step = (r: WorkflowRun, name: string) => r.jobs[0].steps.find((s) => s.name === name)!;
  const stableOnPages = () => {
    const files = git('ls-tree', '--name-only', 'gh-pages').split('\n').filter((f) => /^\d+\.stable\.json$/.test(f)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    return files.length ? Object.values(JSON.parse(git('show', `gh-pages:${files.at(-1)}`)).signed.targets).map((t) => (t as { custom: { edgeml: { version: string } } }).custom.edgeml.version) : [];
  };

  test('the gate passes on the devices\' reports: promoted to the next stage, gh-pages pushed, the fleet table in the summary', async () => {
    expect(stableOnPages()).toEqual([]);
    const r = await run();
    expect(r.conclusion, why(r)).toBe('success');
    const promote = step(r, 'Promote if the fleet is healthy');
    expect(promote.log).toMatch(/gate: 1\.0\.0 passes: 2 reporting devices, 100% succeeded, 0% failed/);
    expect(promote.log).toMatch(/stable: promoted digits 1\.0\.0 \(release 1, rollout 100%\)/);
    // The key is masked (the runner hides what ::add-mask:: names) and printed nowhere else.
    const keyLine = pem(join(id('ops'), 'client.key')).split('\n')[1];
    expect(promote.log).toContain(`::add-mask::${keyLine}`);
    expect(promote.log.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(keyLine);
    expect(stableOnPages()).toEqual(['1.0.0']);
    expect(r.jobs[0].summary).toMatch(/fleet plant/i);
    expect(r.jobs[0].summary).toMatch(/gate&#58; 1&#46;0&#46;0 passes/);
    expect(step(r, 'Push the channel').log).toMatch(/edgeml promote: promoted 1\.0\.0 \(schedule\)/);
  });

  test('the next run finds the release at the last stage: nothing promoted, nothing pushed', async () => {
    const before = git('rev-parse', 'gh-pages');
    const r = await run();
    expect(r.conclusion, why(r)).toBe('success');
    expect(step(r, 'Promote if the fleet is healthy').log).toMatch(/rollout: 1\.0\.0 is at the last stage \(stable 100%\); nothing to promote/);
    expect(step(r, 'Push the channel').log).toMatch(/channel unchanged/);
    expect(git('rev-parse', 'gh-pages')).toBe(before);
  });

  test('bad inputs: one line naming the input, and no key left on disk', () => {
    const temp = tempDir('edgeml-runner-temp-');
    const r = runActionBundle('promote', { version: '1.0.0', repo: chan, store: 'dir', broker: broker.url, fleet: 'plant', 'broker-key': 'not a key', 'snapshot-key': pem(join(keys, 'snapshot.pem')), 'timestamp-key': pem(join(keys, 'timestamp.pem')) }, { RUNNER_TEMP: temp });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/::error::input 'broker-key' is not PEM text/);
    expect(readdirSync(temp)).toEqual([]);
    const v = runActionBundle('promote', { version: 'one', repo: chan, store: 'dir' }, { RUNNER_TEMP: temp });
    expect(v.stdout).toMatch(/::error::input 'version' "one": not a semantic version/);
  });
});
