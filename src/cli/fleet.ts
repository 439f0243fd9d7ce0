// `edgeml keys init`, `keys rotate`, `publish`, `promote`, `rollback`, `refresh`, `prune`: the
// release manager's side of the update channel. Flags (settings tables in src/fleet/settings.ts)
// -> core calls in src/fleet -> a short report on stdout, --json on disk.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { CheckFailure, UserError } from '../errors.js';
import {
  assetName, checkChannel, pruneChannel, type PruneResult, finishRotation, parseRotateRole, rotateKey, initKeys, isSemver, menderRequest, onStore, parseNotBefore, parseStore,
  KEYS_INIT_SETTINGS, KEYS_ROTATE_SETTINGS, PROMOTE_SETTINGS, PRUNE_SETTINGS, PUBLISH_SETTINGS, REFRESH_SETTINGS, ROLLBACK_SETTINGS, gateThresholds, gatedPromote, publishToChannel, readMenderKey, refreshChannel, releaseCommitMessage, releaseDownloadUrl, rollbackChannel,
  parseOciReference, pushOciArtifacts, registryCredentials, type ArtifactInput, type OciResult,
  type ChannelStorage, type MenderNaming, type MenderRequest, type PublishedRelease, type RefreshResult, type StoreSpec,
} from '../fleet/index.js';
import { releaseAssetsApiFor } from '../github/releases.js';
import { parseBytes } from '../units.js';
import { writeFileAtomic } from '../documents/index.js';
import { printGate, readFleet } from './fleet-status.js';
import { addSettings } from './settings.js';
import { asFlag, parseSettings, type RawValue, type SettingValues } from '../settings/index.js';
import { loadConfig } from '../config/index.js';

interface StoreFlags { repo?: string; store?: string; remote?: string; githubRepo?: string }

function storeOf(flags: StoreFlags): StoreSpec {
  return parseStore(flags.store, flags.repo, { remote: flags.remote, repository: flags.githubRepo ?? process.env.GITHUB_REPOSITORY });
}

/** Retries on a branch (another job pushed first), uploads and lock waits are worth a line. */
const retryLog = (line: string) => process.stderr.write(`${line}\n`);
const cliLogger = { info: retryLog, warning: (m: string) => retryLog(`warning: ${m}`), group: <T>(_name: string, fn: () => Promise<T>) => fn() };

/** Runs a channel operation on the store; a release store gets the GitHub API with the token from the environment. */
function inStore<T>(store: StoreSpec, fn: (storage: ChannelStorage) => Promise<T>, message: (result: T) => string): Promise<T> {
  if (store.kind !== 'release') return onStore(store, fn, message, retryLog);
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN;
  if (!token) throw new UserError(`--store release:${store.tag} needs a GitHub token that may write releases (contents: write): set GITHUB_TOKEN or GH_TOKEN`);
  return onStore(store, fn, message, retryLog, releaseAssetsApiFor(store, token, cliLogger));
}

function needKeys(dir: string | undefined): string {
  if (!dir) throw new UserError("--keys is required: the folder of signing keys made by 'edgeml keys init'");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--keys ${dir}: no such folder; give the folder made by 'edgeml keys init'`);
  return dir;
}

function checkVersion(v: string | undefined): string {
  if (!v) throw new UserError('--version is required, e.g. --version 1.4.0');
  const version = v.replace(/^v(?=\d)/, '');
  if (!isSemver(version)) throw new UserError(`--version ${JSON.stringify(v)}: not a semantic version; use MAJOR.MINOR.PATCH such as 1.4.0`);
  return version;
}

function report(r: PublishedRelease & { oci?: OciResult }, json?: string): void {
  const what = { published: 'published', unchanged: 'already published (no change)', promoted: 'promoted', 'rollout-updated': 'rollout changed', 'rolled-back': 'rolled back to' }[r.status];
  process.stdout.write(`${r.channel}: ${what} ${r.model} ${r.version} (release ${r.release}, rollout ${r.rollout.percent}%, timestamp v${r.timestampVersion})\n`);
  for (const t of r.targets) process.stdout.write(`  ${t.target}  ${t.bytes} bytes  sha256 ${t.sha256.slice(0, 12)}  ${t.path}\n`);
  for (const m of r.mender ?? []) process.stdout.write(`  mender  ${m}\n`);
  if (json) writeFileAtomic(json, `${JSON.stringify(r, null, 2)}\n`);
}

function keysCommand(): Command {
  const keys = new Command('keys').description('signing keys of an update channel');
  const init = keys.command('init').exitOverride()
    .description('create root (threshold), targets, snapshot, timestamp and per-channel ed25519 keys');
  addSettings(init, KEYS_INIT_SETTINGS).action((raw: Record<string, RawValue>) => {
    const { out, rootKeys, threshold } = parseSettings(KEYS_INIT_SETTINGS, raw, asFlag);
    if (!out) throw new UserError('--out is required: the folder to create the keys in, e.g. edgeml keys init --out keys');
    const pub = initKeys(out, { rootKeys, rootThreshold: threshold });
    process.stdout.write(`keys written to ${out} (private keys are never printed; keep root-*.pem and targets.pem offline)\n`);
    for (const k of pub.keys) process.stdout.write(`  ${k.file.padEnd(14)} ${k.role.padEnd(9)} keyid ${k.keyId}  public ${k.public}\n`);
  });
  const rotate = keys.command('rotate').exitOverride()
    .description('replace one signing key (root-N, targets, snapshot, timestamp or a channel): the channel lists the new key, devices follow');
  addSettings(rotate, KEYS_ROTATE_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const flags = parseSettings(KEYS_ROTATE_SETTINGS, raw, asFlag);
    const which = parseRotateRole(flags.role);
    const store = storeOf(flags);
    const dir = needKeys(flags.keys);
    const r = await inStore(store, (storage) => rotateKey(storage, dir, which), (x) => `edgeml keys rotate: ${x.file.replace(/\.pem$/, '')} key ${x.oldKeyId.slice(0, 12)} -> ${x.newKeyId.slice(0, 12)}`);
    const retired = finishRotation(dir, r);
    const name = r.file.replace(/\.pem$/, '');
    const wrote = [r.rootVersion && `root v${r.rootVersion}`, r.timestampVersion && `timestamp v${r.timestampVersion}`].filter(Boolean).join(', ');
    process.stdout.write(`rotated the ${name} key: ${r.oldKeyId.slice(0, 12)} -> ${r.newKeyId.slice(0, 12)}${wrote ? ` (${wrote})` : ''}\n`);
    process.stdout.write(`  new key ${join(dir, r.file)}${retired ? `; the old one is in ${retired}` : ''}\n`);
    if (r.role !== 'root' && r.role !== 'targets') process.stdout.write(`  give CI the new ${r.file} (e.g. the secret EDGEML_${name.toUpperCase()}_KEY)\n`);
    if (flags.json) writeFileAtomic(flags.json, `${JSON.stringify({ ...r, retired }, null, 2)}\n`);
  });
  return keys;
}

type PublishFlags = SettingValues<typeof PUBLISH_SETTINGS>;

const MENDER_FLAGS = { 'mender-key': '--mender-key', 'mender-device-types': '--mender-device-type', 'mender-dest-dir': '--mender-dest-dir' } as const;

/** The Mender options, checked before anything is published. */
function menderOf(flags: PublishFlags): MenderRequest | null {
  const naming: MenderNaming = {
    name: (s) => (s === 'mender-key' ? `--mender-key ${flags.menderKey}` : MENDER_FLAGS[s]),
    missing: (s) => `${MENDER_FLAGS[s]} is required with --mender`,
    keyFrom: " file, e.g. one made by 'openssl ecparam -genkey -name prime256v1 -noout -out mender.pem'",
  };
  return menderRequest({
    mender: flags.mender,
    key: flags.mender && flags.menderKey ? readMenderKey(flags.menderKey) : undefined,
    deviceTypes: flags.menderDeviceType,
    destDir: flags.menderDestDir,
  }, naming);
}

export function publishCommand(): Command {
  const cmd = new Command('publish').description('sign and publish a release of optimized artifacts to a channel');
  return addSettings(cmd, PUBLISH_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const flags = parseSettings(PUBLISH_SETTINGS, raw, asFlag);
    const channel = checkChannel(flags.channel);
    const version = checkVersion(flags.version);
    const store = storeOf(flags);
    const keys = needKeys(flags.keys);
    const rollout = { percent: flags.rollout, notBefore: parseNotBefore(flags.notBefore) };
    const { release: r, oci } = await publishToChannel({
      channel, version, model: flags.model, rollout, force: flags.force, check: flags.check, artifactsDir: flags.artifacts, manifest: flags.manifest,
      results: flags.results, data: dataFiles(flags.data), mender: menderOf(flags),
    }, {
      warn: (line) => process.stderr.write(`warning: ${line}\n`),
      keys: () => keys,
      pushOci: (artifacts, model) => ociOf(flags, artifacts, model, version),
      onStore: (fn, message) => inStore(store, fn, message),
    });
    if (oci) {
      process.stdout.write(`oci: ${oci.status} ${oci.reference}@${oci.digest}\n`);
      for (const t of oci.targets) process.stdout.write(`  ${t.target}  ${t.repository}:${t.tag}@${t.digest}${t.status === 'unchanged' ? ' (unchanged)' : ''}\n`);
    }
    // In a release store a path is held by the asset of its flattened name: that is what users find.
    report({ ...(store.kind === 'release' && r.mender ? { ...r, mender: r.mender.map(assetName) } : r), ...(oci ? { oci } : {}) }, flags.json);
    if (store.kind === 'release') process.stdout.write(`devices: edgeml agent --channel-url ${releaseDownloadUrl(store)} ...\n`);
  });
}

/** With --oci: the artifacts pushed to the registry first, each then carrying its location into the signed release. */
async function ociOf(flags: PublishFlags, artifacts: ArtifactInput[], model: string, version: string): Promise<OciResult | null> {
  if (!flags.oci) {
    if (flags.plainHttp) throw new UserError('--plain-http goes with --oci REGISTRY/REPOSITORY:TAG');
    return null;
  }
  const ref = parseOciReference(flags.oci);
  const chunkBytes = parseBytes(flags.ociChunkSize, '--oci-chunk-size');
  if (chunkBytes < 1024) throw new UserError(`--oci-chunk-size ${flags.ociChunkSize}: use at least 1KiB`);
  return pushOciArtifacts(artifacts, {
    reference: flags.oci, model, version, plainHttp: flags.plainHttp, force: flags.force, chunkBytes,
    credentials: registryCredentials(ref.registry), manifestFile: flags.manifest, resultsFiles: flags.results, log: retryLog,
  });
}

/** `--data NAME=file.npy` flags: input name -> file. */
function dataFiles(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of raw) {
    const at = r.indexOf('=');
    if (at <= 0 || !/\.npy$/i.test(r.slice(at + 1))) throw new UserError(`--data ${r}: expected NAME=file.npy (a row per sample), e.g. --data input=samples.npy`);
    if (!existsSync(r.slice(at + 1))) throw new UserError(`--data ${r}: no such file ${r.slice(at + 1)}`);
    out[r.slice(0, at)] = r.slice(at + 1);
  }
  return out;
}

export function promoteCommand(): Command {
  const cmd = new Command('promote')
    .description('copy a release to another channel (new release counter), or change its rollout where it is; with --gate only when the fleet says it is healthy');
  // --gate: the CLI gates only when asked (the action's input defaults to true).
  return addSettings(cmd, PROMOTE_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const v = parseSettings(PROMOTE_SETTINGS, raw, asFlag);
    // A flag given overrides rollout: in --config; without one the plan (else stable at 100%) decides.
    const plan = v.config ? loadConfig(v.config).rollout : undefined;
    if (v.config && !plan) throw new UserError(`--config ${v.config}: has no rollout: section; add rollout: stages: (see docs/fleet-reporting.md) or drop --config`);
    const channel = v.channel ? checkChannel(v.channel) : undefined;
    const from = v.from ? checkChannel(v.from, '--from') : undefined;
    const version = checkVersion(v.version);
    const notBefore = parseNotBefore(v.notBefore);
    const store = storeOf(v);
    const keys = needKeys(v.keys);
    const r = await gatedPromote({
      version, model: v.model, channel, percent: v.rollout, notBefore, from, gate: v.gate, plan, thresholds: gateThresholds(v), soakMs: v.soak,
      autoRollback: v.autoRollback ? true : undefined, keysDir: keys,
    }, { onStore: (fn, message) => inStore(store, fn, message), readFleet: () => readFleet(v, 'promote --gate') });
    if (r.status) printGate(v.markdown, r.status, r.gate?.line ?? r.line);
    if (r.release) report(r.release, v.json);
    if (r.decision === 'complete') process.stdout.write(`${r.line}\n`);
    if (r.decision === 'held' || r.decision === 'rolled-back') throw new CheckFailure(r.line);
  });
}

export function rollbackCommand(): Command {
  const cmd = new Command('rollback').description('withdraw the current release of a channel and re-issue the previous one under a new release counter');
  return addSettings(cmd, ROLLBACK_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const flags = parseSettings(ROLLBACK_SETTINGS, raw, asFlag);
    const channel = checkChannel(flags.channel);
    const store = storeOf(flags);
    const keys = needKeys(flags.keys);
    report(await inStore(store, (storage) => rollbackChannel(storage, keys, { channel, model: flags.model }), releaseCommitMessage), flags.json);
  });
}

export function refreshCommand(): Command {
  const cmd = new Command('refresh').description('re-sign timestamp.json, and every role close to expiry whose key is given; run it on a schedule');
  return addSettings(cmd, REFRESH_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const flags = parseSettings(REFRESH_SETTINGS, raw, asFlag);
    const store = storeOf(flags);
    if (store.kind === 'dir' && !existsSync(store.dir)) throw new UserError(`--repo ${store.dir}: no such folder; give the channel folder`);
    const keys = needKeys(flags.keys);
    const r = await inStore(store, (storage) => refreshChannel(storage, keys, new Date(), { timestampExpiresInMs: flags.expires, intervalMs: flags.interval }),
      (x) => `edgeml refresh: timestamp v${x.timestampVersion}${x.renewed.length ? `, renewed ${x.renewed.map((y) => y.role).join(', ')}` : ''}`);
    // The interval as it was given (commander fills in the table's default).
    reportRefresh(r, String(raw.interval));
  });
}

/** One line per renewed role on stdout, one per role not renewed on stderr; exit 1 if one expires before the next run. */
export function reportRefresh(r: RefreshResult, interval: string): void {
  process.stdout.write(`timestamp v${r.timestampVersion} valid until ${r.expires}\n`);
  for (const x of r.renewed) process.stdout.write(`renewed ${x.role} v${x.version}, valid until ${x.expires}\n`);
  for (const x of r.notRenewed) process.stderr.write(`not renewed: ${x.role} expires ${x.expires}; give --keys ${x.missing} to renew it\n`);
  if (r.expiring.length) {
    throw new CheckFailure(`${r.expiring.map((x) => `${x.role} expires ${x.expires}`).join(', ')}: before the next refresh (--interval ${interval}); devices will refuse the channel then, renew with the missing keys`);
  }
}

export function pruneCommand(): Command {
  const cmd = new Command('prune').description('keep the newest releases of each model on a channel; re-sign it without the rest and delete the files nothing lists any more');
  return addSettings(cmd, PRUNE_SETTINGS).action(async (raw: Record<string, RawValue>) => {
    const flags = parseSettings(PRUNE_SETTINGS, raw, asFlag);
    const channel = checkChannel(flags.channel);
    const store = storeOf(flags);
    const keys = needKeys(flags.keys);
    const r = await inStore(store, (storage) => pruneChannel(storage, keys, { channel, keep: flags.keep, model: flags.model }, new Date()),
      (x) => `edgeml prune: ${x.channel} keeps ${x.kept.length} releases, drops ${x.dropped.length}`);
    const list = (xs: PruneResult['kept']) => xs.map((x) => `${x.model} ${x.version} (release ${x.release})`).join(', ') || 'none';
    process.stdout.write(r.status === 'unchanged'
      ? `${r.channel}: nothing to prune (${list(r.kept)})\n`
      : `${r.channel}: kept ${list(r.kept)}; dropped ${list(r.dropped)}; deleted ${r.removed.length} files (timestamp v${r.timestampVersion})\n`);
    if (flags.json) writeFileAtomic(flags.json, `${JSON.stringify(r, null, 2)}\n`);
  });
}

export function fleetCommands(): Command[] {
  return [keysCommand(), publishCommand(), promoteCommand(), rollbackCommand(), refreshCommand(), pruneCommand()];
}
