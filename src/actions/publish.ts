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
  PUBLISH_SETTINGS, assetName, checkChannel, describeStore, isSemver, menderRequest, onStore, parseNotBefore,
  parseOciReference, parseStore, publishToChannel, pushOciArtifacts, releaseDownloadUrl,
  type ArtifactInput, type FleetNaming, type MenderNaming, type MenderRequest, type OciResult, type PublishedRelease,
} from '../fleet/index.js';
import { actionsLogger as log, maskSecret, readInputs, releaseAssetsApiFor, runAction, setOutput, writeSummary } from '../github/index.js';
import { escapeMarkdown } from '../report/index.js';
import type { SettingValues } from '../settings/index.js';

type Inputs = SettingValues<typeof PUBLISH_SETTINGS>;

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

const keyInputs = (channel: string) => [['channel-key', `${channel}.pem`, 'channelKey'], ['snapshot-key', 'snapshot.pem', 'snapshotKey'], ['timestamp-key', 'timestamp.pem', 'timestampKey']] as const;

/** Key material from secrets (masked as soon as the inputs are read) into a private folder: all three, or none. */
function writeKeys(v: Inputs, channel: string): string {
  for (const [input, file, prop] of keyInputs(channel)) {
    if (!v[prop]) throw new UserError(`input '${input}' is empty; pass the ${file} key from a secret, e.g. \${{ secrets.EDGEML_${file.replace('.pem', '').toUpperCase()}_KEY }}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'edgeml-keys-'));
  chmodSync(dir, 0o700);
  for (const [, file, prop] of keyInputs(channel)) {
    const pem = v[prop] ?? '';
    writeFileSync(join(dir, file), pem.endsWith('\n') ? pem : `${pem}\n`, { mode: 0o600 });
  }
  return dir;
}

function needToken(token: string | undefined, tag: string): string {
  if (!token) throw new UserError(`input 'github-token' is empty; store release:${tag} needs a token that may write releases, e.g. \${{ github.token }} with permissions: contents: write`);
  core.setSecret(token);
  return token;
}

/**
 * The settings as the workflow gave them: inputs, and a version taken from the tag named as such
 * (the user set no input then).
 */
function inputNaming(version: string | undefined, ref: string | undefined): FleetNaming {
  const tag = ref?.startsWith('refs/tags/') && !version ? ref.slice('refs/tags/'.length) : '';
  return {
    given: (s, v) => (s === 'version' && tag ? `version ${v} (from the tag ${tag})` : `input '${s}' ${JSON.stringify(String(v))}`),
    name: (s) => `input '${s}'`,
    force: 'set force: true',
    forced: 'force: true',
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
function menderInputs(v: Inputs): MenderRequest | null {
  if (v.menderKey) maskSecret(v.menderKey);
  return menderRequest({ mender: v.mender, key: v.menderKey || undefined, deviceTypes: v.menderDeviceTypes, destDir: v.menderDestDir }, MENDER_NAMING);
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
async function ociInputs(v: Inputs, artifacts: ArtifactInput[], model: string, version: string): Promise<OciResult | null> {
  const { oci: reference, plainHttp, force } = v;
  if (!reference) {
    if (plainHttp) throw new UserError("input 'plain-http' goes with input 'oci' (REGISTRY/REPOSITORY:TAG)");
    return null;
  }
  const ref = parseOciReference(reference, "input 'oci'");
  const password = v.ociPassword || (ref.registry === 'ghcr.io' ? v.githubToken : '');
  if (password) core.setSecret(password);
  const credentials = password ? { username: v.ociUsername || process.env.GITHUB_ACTOR || 'edgeml', password } : undefined;
  return log.group(`Push to ${reference}`, () => pushOciArtifacts(artifacts, {
    reference, model, version, plainHttp, force, credentials, manifestFile: v.manifest || undefined, resultsFiles: v.results,
    setting: "input 'oci'", forceHint: 'set force: true', credentialsHint: "set inputs 'oci-username' and 'oci-password' (from a secret)", log: (line) => log.info(line),
  }));
}

async function main(): Promise<void> {
  const v = readInputs(PUBLISH_SETTINGS);
  for (const pem of [v.channelKey, v.snapshotKey, v.timestampKey]) if (pem) maskSecret(pem);
  const channel = checkChannel(v.channel, "input 'channel'");
  const version = releaseVersion(v.version ?? '', process.env.GITHUB_REF);
  const rollout = { percent: v.rollout, notBefore: parseNotBefore(v.notBefore, "input 'not-before'") };
  const naming = inputNaming(v.version, process.env.GITHUB_REF);
  const mender = menderInputs(v);
  // Inside Actions the channel goes to the Pages branch unless a folder is named.
  const store = parseStore(v.store || (v.repo ? 'dir' : 'git:gh-pages'), v.repo || undefined, {
    remote: v.remote, repository: process.env.GITHUB_REPOSITORY, flag: "input 'store'", repoFlag: "input 'repo'", repositoryFlag: 'GITHUB_REPOSITORY',
  });
  const releaseApi = store.kind === 'release' ? releaseAssetsApiFor(store, needToken(v.githubToken, store.tag), log) : undefined;
  // Written from the secrets once the artifacts are checked, removed when the step ends.
  let written: string | undefined;
  try {
    const { release: r, oci } = await publishToChannel({
      channel, version, model: v.model, rollout, force: v.force, check: v.check || undefined, artifactsDir: v.artifacts || undefined,
      manifest: v.manifest || undefined, results: v.results, mender, naming,
    }, {
      warn: (line) => log.warning(line),
      keys: () => v.keysDir || (written = writeKeys(v, channel)),
      pushOci: (artifacts, model) => ociInputs(v, artifacts, model, version),
      onStore: (fn, message) => log.group(`Publish ${version} to ${channel} (${describeStore(store)})`, () =>
        onStore(store, fn, message, (line) => log.info(line), releaseApi).catch((e: unknown) => {
          throw written && isUserError(e) ? new UserError(inInputTerms(e.message, written, channel)) : e;
        })),
    });
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
    if (written) rmSync(written, { recursive: true, force: true });
  }
}

void runAction(main);
