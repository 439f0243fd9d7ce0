// The `promote` action: the gated promotion of `edgeml promote --gate` (one implementation,
// gatedPromote), with the channel keys and the operator's broker certificate taken from secrets
// (masked, written 0600 to a private temp folder and removed afterwards), the decision and the
// stage's counts as outputs, and the fleet status table as the job summary.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { loadConfig } from '../config/index.js';
import { checkBrokerUrl } from '../devices/index.js';
import { CheckFailure, UserError, isUserError } from '../errors.js';
import { CHANNELS, PROMOTE_SETTINGS, checkChannel, gateThresholds, gatedPromote, isSemver, type GatedPromoteResult, onStore, parseNotBefore, parseStore, type Channel } from '../fleet/index.js';
import { checkFleet, fleetMarkdown, readFleetStatus } from '../fleet-status/index.js';
import { actionsLogger as log, maskSecret, getInput, readInputs, releaseAssetsApiFor, runAction, setOutput, writeSummary } from '../github/index.js';

function write(dir: string, file: string, pem: string): string {
  const path = join(dir, file);
  writeFileSync(path, pem.endsWith('\n') ? pem : `${pem}\n`, { mode: 0o600 });
  return path;
}

/** The signing keys given as inputs, in a private folder named as `edgeml keys init` names them. */
function writeKeys(dir: string): string {
  const keys = join(dir, 'keys');
  mkdirSync(keys, { mode: 0o700 });
  const inputs: Array<[string, string]> = [...CHANNELS.map((c): [string, string] => [`${c}-key`, `${c}.pem`]), ['snapshot-key', 'snapshot.pem'], ['timestamp-key', 'timestamp.pem']];
  for (const [input, file] of inputs) {
    const pem = core.getInput(input);
    if (!pem.trim()) continue;
    maskSecret(pem);
    write(keys, file, pem);
  }
  for (const [input, file] of inputs.slice(CHANNELS.length)) {
    if (!core.getInput(input).trim()) throw new UserError(`input '${input}' is empty; pass the ${file} key from a secret, e.g. \${{ secrets.EDGEML_${file.replace('.pem', '').toUpperCase()}_KEY }} (or give 'keys-dir')`);
  }
  return keys;
}

/** The operator's certificate, key and the fleet CA from inputs (PEM text) into the private folder. */
function writeIdentity(dir: string): { cert?: string; key?: string; ca?: string } {
  const out: { cert?: string; key?: string; ca?: string } = {};
  for (const [input, file, field, secret] of [['broker-cert', 'operator.crt', 'cert', false], ['broker-key', 'operator.key', 'key', true], ['broker-ca', 'ca.crt', 'ca', false]] as const) {
    const pem = core.getInput(input);
    if (!pem.trim()) continue;
    if (secret) maskSecret(pem);
    if (!/-----BEGIN [A-Z ]+-----/.test(pem)) throw new UserError(`input '${input}' is not PEM text; pass the file's content from a secret, e.g. \${{ secrets.EDGEML_OPERATOR_${field === 'ca' ? 'CA' : field.toUpperCase()} }}`);
    out[field] = write(dir, file, pem);
  }
  return out;
}

function outputs(r: GatedPromoteResult): void {
  setOutput('decision', r.decision);
  setOutput('verdict', r.gate?.verdict ?? '');
  setOutput('line', r.line);
  for (const k of ['reporting', 'succeeded', 'failed', 'pending', 'silent'] as const) setOutput(k, r.gate ? r.gate[k] : '');
  setOutput('channel', r.release?.channel ?? r.to?.channel ?? '');
  setOutput('rollout', r.release?.rollout.percent ?? '');
  setOutput('release', r.release?.release ?? '');
}

async function main(): Promise<void> {
  const v = readInputs(PROMOTE_SETTINGS);
  const version = (v.version ?? '').replace(/^v(?=\d)/, '');
  if (!isSemver(version)) throw new UserError(`input 'version' ${JSON.stringify(v.version ?? '')}: not a semantic version; use MAJOR.MINOR.PATCH such as 1.4.0`);
  const plan = v.config ? loadConfig(v.config).rollout : undefined;
  if (v.config && !plan) throw new UserError(`input 'config' ${v.config}: has no rollout: section; add rollout: stages: (see docs/fleet-reporting.md)`);
  const { gate } = v;
  const channel = v.channel ? checkChannel(v.channel, "input 'channel'") : undefined;
  const from = v.from ? checkChannel(v.from, "input 'from'") as Channel : undefined;
  const notBefore = parseNotBefore(v.notBefore, "input 'not-before'");
  const thresholds = gateThresholds(v);
  // Not given: rollout: in config decides (a boolean input alone cannot say "not given").
  const autoRollback = getInput('auto-rollback') ? v.autoRollback : undefined;
  const url = gate ? checkBrokerUrl(v.broker, "input 'broker'") : '';
  const fleet = gate ? checkFleet(v.fleet, "input 'fleet'") : '';
  const store = parseStore(v.store || (v.repo ? 'dir' : 'git:gh-pages'), v.repo, {
    remote: v.remote, repository: process.env.GITHUB_REPOSITORY, flag: "input 'store'", repoFlag: "input 'repo'", repositoryFlag: 'GITHUB_REPOSITORY',
  });
  const token = store.kind === 'release' ? (v.githubToken ?? '') : '';
  if (store.kind === 'release' && !token) throw new UserError(`input 'github-token' is empty; store release:${store.tag} needs a token that may write releases`);
  if (token) core.setSecret(token);
  const releaseApi = store.kind === 'release' ? releaseAssetsApiFor(store, token, log) : undefined;
  // Everything secret goes to one private folder, removed whatever happens.
  const secret = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'edgeml-promote-'));
  chmodSync(secret, 0o700);
  try {
    const keysDir = v.keysDir || writeKeys(secret);
    const identity = writeIdentity(secret);
    const r = await gatedPromote({
      version, model: v.model, channel, percent: v.rollout, notBefore, from, gate, plan, thresholds, soakMs: v.soak, autoRollback, keysDir,
    }, {
      onStore: (fn, message) => onStore(store, fn, message, (line) => log.info(line), releaseApi),
      readFleet: () => log.group(`Read fleet ${fleet} from ${url}`, () => readFleetStatus({ url, ...identity, fleet, waitMs: v.wait, silentAfterMs: v.silentAfter })),
    }).catch((e: unknown) => {
      // The core names files of the private folder the workflow author never sees: name the input instead.
      if (!isUserError(e) || v.keysDir) throw e;
      throw new UserError(e.message.replaceAll(secret, '').replace(/\/keys\/([a-z]+)\.pem/g, "input '$1-key' ($1.pem)").replace(/\/(operator\.crt|operator\.key|ca\.crt)/g, (_m, f: string) => `input '${{ 'operator.crt': 'broker-cert', 'operator.key': 'broker-key', 'ca.crt': 'broker-ca' }[f]}'`));
    });
    outputs(r);
    log.info(r.line);
    if (r.release) log.info(`${r.release.channel}: ${r.release.status} ${r.release.model} ${r.release.version} (release ${r.release.release}, rollout ${r.release.rollout.percent}%)`);
    await writeSummary(r.status ? fleetMarkdown(r.status, [r.line]) : `${r.line}\n`);
    // Exit 1 as the CLI's: a CheckFailure, which runAction (the one mapping) turns into setFailed.
    if (r.decision === 'held' || r.decision === 'rolled-back') throw new CheckFailure(r.line);
  } finally {
    rmSync(secret, { recursive: true, force: true });
  }
}

void runAction(main);
