// The `publish` action: on a tag, sign and publish the optimize artifacts to the channel (the
// gh-pages branch, committed and pushed, unless a folder or a release:TAG store is named),
// with the signing keys taken from secrets (masked, written 0600 to a private temp folder and
// removed afterwards), optionally a signed Mender Artifact per target (its key from a secret,
// masked, kept in memory), and the release notes table in the job summary.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { UserError, isUserError } from '../errors.js';
import {
  addCheckBudgets,   addResultsMetrics, assetName, checkChannel, collectArtifacts, describeStore, isSemver, menderRequest, onStore, parseNotBefore,
  parseOciReference, parseStore, publishWithMender, pushOciArtifacts, releaseDownloadUrl, releaseGate, releaseModelName,
  type ArtifactInput, type FleetNaming, type MenderNaming, type MenderRequest, type OciResult, type PublishedRelease,
} from '../fleet/index.js';
import { actionsLogger as log, getBoolInput, maskSecret, getInput, getInputOr, getListInput, releaseAssetsApiFor, runAction, setOutput, writeSummary } from '../github/index.js';
import { escapeMarkdown } from '../report/index.js';
import { parseShare } from '../units.js';

/** The version from the input, else from a `v1.4.0` / `1.4.0` tag the workflow runs on. */
export function releaseVersion(input: string, ref: string | undefined): string {
  const tag = ref?.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : '';
  const raw = (input || tag).replace(/^v(?=\d)/, '');
  if (!raw) throw new UserError("input 'version' is empty and the run is not on a tag; set version: or run on a tag such as v1.4.0");
  if (!isSemver(raw)) throw new UserError(`input 'version' ${JSON.stringify(raw)}: not a semantic version; use MAJOR.MINOR.PATCH such as 1.4.0`);
  return raw;
}

/** Release notes: one row per target with its size and headline metrics, then the Mender Artifacts written. */
export function releaseNotes(r: PublishedRelease): string {
  const keys = [...new Set(r.targets.flatMap((t) => Object.keys(t.metrics).filter((k) => k !== 'bytes')))];
  const head = `| target | size | sha256 |${keys.map((k) => ` ${escapeMarkdown(k)} |`).join('')}`;
  const sep = `| :-- | --: | :-- |${keys.map(() => ' --: |').join('')}`;
  const rows = r.targets.map((t) =>
    `| ${t.target} | ${(t.bytes / 1024).toFixed(1)} KiB | \`${t.sha256.slice(0, 12)}\` |${keys.map((k) => ` ${escapeMarkdown(t.metrics[k] ?? '')} |`).join('')}`);
  // Model name and version are validated (letters, digits, . _ -): nothing to escape.
  const title = `### ${r.model} ${r.version} on ${r.channel} (${r.status}, release ${r.release}, rollout ${r.rollout.percent}%)`;
  // Store paths are made of the channel, model, version and target names: no backticks in them.
  const mender = r.mender?.length ? ['', 'Mender Artifacts (signed):', '', ...r.mender.map((m) => `- \`${m}\``), ''] : [];
  return [title, '', head, sep, ...rows, ...mender, ''].join('\n');
}

const keyInputs = (channel: string) => [['channel-key', `${channel}.pem`], ['snapshot-key', 'snapshot.pem'], ['timestamp-key', 'timestamp.pem']] as const;

/** Key material from secrets into a private folder, masked in the log first. */
function writeKeys(channel: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgeml-keys-'));
  chmodSync(dir, 0o700);
  for (const [input, file] of keyInputs(channel)) {
    const pem = core.getInput(input);
    if (!pem.trim()) throw new UserError(`input '${input}' is empty; pass the ${file} key from a secret, e.g. \${{ secrets.EDGEML_${file.replace('.pem', '').toUpperCase()}_KEY }}`);
    maskSecret(pem);
    writeFileSync(join(dir, file), pem.endsWith('\n') ? pem : `${pem}\n`, { mode: 0o600 });
  }
  return dir;
}

function needToken(tag: string): string {
  const token = getInput('github-token');
  if (!token) throw new UserError(`input 'github-token' is empty; store release:${tag} needs a token that may write releases, e.g. \${{ github.token }} with permissions: contents: write`);
  core.setSecret(token);
  return token;
}

/**
 * The settings as the workflow gave them: inputs, and a version taken from the tag named as such
 * (the user set no input then).
 */
function inputNaming(ref: string | undefined): FleetNaming {
  const tag = ref?.startsWith('refs/tags/') && !getInput('version') ? ref.slice('refs/tags/'.length) : '';
  return {
    given: (s, v) => (s === 'version' && tag ? `version ${v} (from the tag ${tag})` : `input '${s}' ${JSON.stringify(String(v))}`),
    name: (s) => `input '${s}'`,
    force: 'set force: true',
  };
}

const MENDER_NAMING: MenderNaming = {
  name: (s) => `input '${s}'`,
  missing: (s) => `input '${s}' is empty`,
  keyFrom: ' from a secret, e.g. ${{ secrets.MENDER_ARTIFACT_KEY }}',
};

/**
 * The Mender inputs, checked before anything is published. The key is masked and only parsed in
 * memory: no copy of it is written to disk.
 */
function menderInputs(): MenderRequest | null {
  const mender = getBoolInput('mender', false);
  const pem = getInput('mender-key');
  if (pem) maskSecret(pem);
  return menderRequest({
    mender, key: pem || undefined, deviceTypes: getListInput('mender-device-types'), destDir: getInputOr('mender-dest-dir', '/var/lib/edgeml/models'),
  }, MENDER_NAMING);
}

/**
 * The core names key files by their path in the keys folder, which here is a private temp folder
 * the workflow author never sees: say which input held the key instead.
 */
export function inInputTerms(message: string, keysDir: string, channel: string): string {
  for (const [input, file] of keyInputs(channel)) {
    if (message.startsWith(`${join(keysDir, file)}: `)) return `input '${input}' (${file}): ${message.slice(join(keysDir, file).length + 2)}`;
  }
  // Any other file of the folder (public.json, root-N.pem, targets.pem) is wanted only to create the channel.
  if (message.includes(keysDir)) {
    return "the channel does not exist yet, and creating it needs the offline root and targets keys: run 'edgeml publish' once where they are (or give input 'keys-dir' with every key), then this step";
  }
  return message;
}

/**
 * With input 'oci': the artifacts pushed to the registry before the release is signed, so the
 * release records their digests. For ghcr.io the workflow token is the default password.
 */
async function ociInputs(artifacts: ArtifactInput[], model: string, version: string, force: boolean): Promise<OciResult | null> {
  const reference = getInput('oci');
  const plainHttp = getBoolInput('plain-http', false);
  if (!reference) {
    if (plainHttp) throw new UserError("input 'plain-http' goes with input 'oci' (REGISTRY/REPOSITORY:TAG)");
    return null;
  }
  const ref = parseOciReference(reference, "input 'oci'");
  const password = getInput('oci-password') || (ref.registry === 'ghcr.io' ? getInput('github-token') : '');
  if (password) core.setSecret(password);
  const credentials = password ? { username: getInput('oci-username') || process.env.GITHUB_ACTOR || 'edgeml', password } : undefined;
  return log.group(`Push to ${reference}`, () => pushOciArtifacts(artifacts, {
    reference, model, version, plainHttp, force, credentials, manifestFile: getInput('manifest') || undefined, resultsFiles: getListInput('results'),
    setting: "input 'oci'", forceHint: 'set force: true', credentialsHint: "set inputs 'oci-username' and 'oci-password' (from a secret)", log: (line) => log.info(line),
  }));
}

async function main(): Promise<void> {
  const channel = checkChannel(getInputOr('channel', 'beta'), "input 'channel'");
  const version = releaseVersion(getInput('version'), process.env.GITHUB_REF);
  const rollout = { percent: parseShare(getInputOr('rollout', '100'), "input 'rollout'", true), notBefore: parseNotBefore(getInput('not-before'), "input 'not-before'") };
  const force = getBoolInput('force', false);
  const naming = inputNaming(process.env.GITHUB_REF);
  const mender = menderInputs();
  const { check: checkDoc, failed } = releaseGate(getInput('check') || undefined, force, naming);
  if (failed.length) log.warning(`publishing despite failed budgets (force: true): ${failed.map((b) => b.key).join(', ')}`);
  const artifacts = await collectArtifacts({ artifactsDir: getInput('artifacts') || undefined, manifest: getInput('manifest') || undefined, force, naming });
  addResultsMetrics(artifacts, getListInput('results'), naming);
  for (const note of checkDoc ? addCheckBudgets(artifacts, checkDoc) : []) log.warning(note);
  // Inside Actions the channel goes to the Pages branch unless a folder is named.
  const repo = getInput('repo');
  const store = parseStore(getInput('store') || (repo ? 'dir' : 'git:gh-pages'), repo || undefined, {
    remote: getInputOr('remote', 'origin'), repository: process.env.GITHUB_REPOSITORY, flag: "input 'store'", repoFlag: "input 'repo'", repositoryFlag: 'GITHUB_REPOSITORY',
  });
  const releaseApi = store.kind === 'release' ? releaseAssetsApiFor(store, needToken(store.tag), log) : undefined;
  const model = releaseModelName(getInput('model'), naming);
  const keysDir = getInput('keys-dir') || writeKeys(channel);
  const fromSecrets = !getInput('keys-dir');
  try {
    const oci = await ociInputs(artifacts, model, version, force);
    const r = await log.group(`Publish ${version} to ${channel} (${describeStore(store)})`, () =>
      onStore(store, (storage) => publishWithMender(storage, keysDir, { channel, model, version, artifacts, rollout, naming }, mender),
        (x) => `edgeml ${x.status}: ${x.model} ${x.version} on ${x.channel} (release ${x.release}, rollout ${x.rollout.percent}%)`, (line) => log.info(line), releaseApi)
        .catch((e: unknown) => {
          throw fromSecrets && isUserError(e) ? new UserError(inInputTerms(e.message, keysDir, channel)) : e;
        }));
    log.info(`${r.status}: ${r.model} ${r.version} release ${r.release} on ${r.channel}, timestamp v${r.timestampVersion}`);
    setOutput('status', r.status);
    setOutput('release', r.release);
    setOutput('version', r.version);
    setOutput('timestamp-version', r.timestampVersion);
    if (store.kind === 'release') {
      setOutput('channel-url', releaseDownloadUrl(store));
      log.info(`devices poll ${releaseDownloadUrl(store)} (edgeml agent --channel-url)`);
    }
    // In a release store a path is held by the asset of its flattened name: that is what users find.
    const menderFiles = (r.mender ?? []).map((m) => (store.kind === 'release' ? assetName(m) : m));
    setOutput('mender-artifacts', menderFiles.join('\n'));
    if (oci) {
      setOutput('oci-digest', oci.digest);
      setOutput('oci-digests', oci.targets.map((t) => `${t.target}=${t.repository}@${t.digest}`).join('\n'));
      log.info(`oci: ${oci.status} ${oci.reference}@${oci.digest}`);
    }
    for (const m of menderFiles) log.info(`mender: ${m}`);
    await writeSummary(releaseNotes({ ...r, mender: menderFiles }));
  } finally {
    if (!getInput('keys-dir')) rmSync(keysDir, { recursive: true, force: true });
  }
}

void runAction(main);
