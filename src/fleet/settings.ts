// The update channel's settings: where it is stored (every command that changes it), the gate of
// `edgeml promote --gate`, and `edgeml promote` with the promote action's inputs: one table each
// (see src/settings/). The action defaults to the gate; the CLI gates only when asked. And
// `edgeml publish` with the publish action's inputs; `edgeml rollback`, `refresh`, `keys init`,
// `keys rotate` and `prune`.
import { OPERATOR_BROKER_SETTINGS } from '../devices/settings.js';
import { STATUS_SETTINGS } from '../fleet-status/settings.js';
import type { SettingsTable } from '../settings/index.js';
import type { GateThresholds } from '../fleet-status/index.js';
import { GATE_DEFAULTS } from './promote.js';

export const STORE_SETTINGS = {
  store: {
    kind: 'string', value: '<where>',
    help: 'dir (the --repo folder; the default); git:BRANCH: commit to BRANCH of the checkout here and push, e.g. git:gh-pages; or release:TAG: the assets of that GitHub release (token in GITHUB_TOKEN)',
    input: { description: 'Where the channel lives: git:BRANCH (commit to BRANCH of the checkout and push), release:TAG (assets of that GitHub release) or dir (the repo folder). Default: dir when repo is set, else git:gh-pages.' },
  },
  remote: { kind: 'string', value: '<name>', default: 'origin', help: 'with --store git:BRANCH, the remote to push to', input: { description: 'With store git:BRANCH, the git remote to push to (needs permissions: contents: write).' } },
  githubRepo: { kind: 'string', value: '<owner/repo>', help: 'with --store release:TAG, the repository (default: GITHUB_REPOSITORY)' },
} as const satisfies SettingsTable;

export const GATE_SETTINGS = {
  gate: {
    kind: 'boolean', help: 'promote only when the devices of the current stage report success (reads the fleet from --broker)',
    input: { default: 'true', description: 'Promote only when the devices of the current stage report success (reads the fleet from broker). false promotes without looking.' },
  },
  minDevices: {
    kind: 'count', min: 1, value: '<n>', help: `with --gate: reporting devices of the stage needed (default: --config, else ${GATE_DEFAULTS.minDevices})`,
    input: { description: `Reporting devices of the stage needed (default: config, else ${GATE_DEFAULTS.minDevices}).` },
  },
  successThreshold: {
    kind: 'share', value: '<percent>', help: `with --gate: share of the stage that must have installed it (default: --config, else ${GATE_DEFAULTS.successThreshold})`,
    input: { description: `Share (percent) of the stage that must have installed it (default: config, else ${GATE_DEFAULTS.successThreshold}).` },
  },
  errorThreshold: {
    kind: 'share', value: '<percent>', help: `with --gate: a failed share above this stops the rollout (default: --config, else ${GATE_DEFAULTS.errorThreshold})`,
    input: { description: `A failed share (percent) above this stops the rollout (default: config, else ${GATE_DEFAULTS.errorThreshold}).` },
  },
  soak: {
    kind: 'duration', value: '<time>', unit: 'ms', help: 'with --gate: how long the release stays at its stage before it goes further, e.g. 4h (default: --config, else 0s)',
    input: { description: 'How long the release stays at its stage before it goes further, e.g. 4h (default: config, else 0s).' },
  },
  autoRollback: {
    kind: 'boolean', help: "with --gate: roll the stage's channel back when the error threshold is crossed",
    // Empty, not false: not given, rollout: in config decides.
    input: { default: '', description: "Roll the stage's channel back when the error threshold is crossed (default: config, else false)." },
  },
} as const satisfies SettingsTable;

const SECRET = 'from a secret';

/** A signing key of `role`, an action input from a secret. */
const KEY_FROM_SECRET = (role: string) => ({ kind: 'string', flag: false, help: `the ${role} key`, input: { description: `PEM private key of the ${role} role (${SECRET}). Never logged.` } }) as const;

const channelKey = <C extends string>(c: C) => ({
  kind: 'string', flag: false, help: `the ${c} channel key`,
  input: { description: `PEM private key of the ${c} channel role (${SECRET}), when the promotion or a rollback signs ${c}. Never logged.` },
}) as const;

export const PROMOTE_SETTINGS = {
  store: STORE_SETTINGS.store,
  remote: STORE_SETTINGS.remote,
  githubToken: { kind: 'string', flag: false, help: 'a token that may write releases', input: { default: '${{ github.token }}', description: 'With store release:TAG: a token that may write releases.' } },
  githubRepo: STORE_SETTINGS.githubRepo,
  repo: {
    kind: 'path', value: '<dir>', help: 'the channel folder (with --store git:BRANCH, a folder inside the branch)',
    input: { description: 'With store dir: the channel folder. With git:BRANCH: a folder inside the branch (default: its top).' },
  },
  version: { kind: 'string', value: '<semver>', help: 'the release to promote', input: { required: true, description: 'The release to promote (semver), e.g. 1.4.0.' } },
  model: { kind: 'string', value: '<name>', help: 'the model, when the channel holds several', input: {} },
  config: {
    kind: 'path', value: '<file>', help: 'edgeml.yml whose rollout: names the stages and their gates (the flags below override it)',
    input: { description: 'edgeml.yml whose rollout: section names the stages and their gates; the inputs below override it.' },
  },
  channel: {
    kind: 'string', value: '<name>', help: 'the channel to promote to (default: the next stage of rollout: in --config, else stable)',
    input: { description: 'The channel to promote to. Default: the next stage of rollout: in config, else stable.' },
  },
  from: {
    kind: 'string', value: '<channel>', help: 'where the release is now (default: its stage in --config, else the nearest channel that has it)',
    input: { description: 'The channel whose devices the gate judges. Default: the current stage in config, else the nearest channel that has the release.' },
  },
  rollout: {
    kind: 'share', whole: true, value: '<percent>', help: "share of devices that install it (default: the next stage's, else 100)",
    input: { description: "Share of devices (0-100) that install it. Default: the next stage's, else 100." },
  },
  notBefore: { kind: 'string', value: '<time>', help: 'no device installs it before this ISO time', input: { description: 'ISO time before which no device installs it.' } },
  gate: GATE_SETTINGS.gate,
  ...OPERATOR_BROKER_SETTINGS,
  brokerCert: {
    kind: 'string', flag: false, help: "an operator's PEM certificate",
    input: { description: `PEM certificate of an operator (edgeml devices provision --operator NAME), ${SECRET}. Written 0600 to a private temp folder, removed after.` },
  },
  brokerKey: { kind: 'string', flag: false, help: 'its PEM private key', input: { description: `PEM private key of that operator certificate, ${SECRET}. Masked, written 0600 to a private temp folder, removed after.` } },
  brokerCa: { kind: 'string', flag: false, help: "the fleet CA's PEM certificate", input: { description: 'PEM certificate of the fleet CA (ca.crt).' } },
  silentAfter: STATUS_SETTINGS.silentAfter,
  markdown: STATUS_SETTINGS.markdown,
  minDevices: GATE_SETTINGS.minDevices,
  successThreshold: GATE_SETTINGS.successThreshold,
  errorThreshold: GATE_SETTINGS.errorThreshold,
  soak: GATE_SETTINGS.soak,
  autoRollback: GATE_SETTINGS.autoRollback,
  canaryKey: channelKey('canary'),
  betaKey: channelKey('beta'),
  stableKey: channelKey('stable'),
  snapshotKey: KEY_FROM_SECRET('snapshot'),
  timestampKey: KEY_FROM_SECRET('timestamp'),
  keys: { kind: 'path', value: '<dir>', help: 'signing keys (the target channel key, snapshot and timestamp)' },
  keysDir: { kind: 'path', flag: false, help: 'a folder made by edgeml keys init', input: { description: 'Instead of the key inputs: a folder made by `edgeml keys init`.' } },
  json: { kind: 'path', value: '<file>', help: 'write the result here' },
} as const satisfies SettingsTable;

/** `edgeml publish` and the publish action. In Actions the store defaults to git:gh-pages (dir when repo is set). */
export const PUBLISH_SETTINGS = {
  store: {
    ...STORE_SETTINGS.store,
    input: {
      description: 'Where the channel lives: git:BRANCH (commit to BRANCH of the checkout and push; a rejected push is redone on the new tip), release:TAG (assets of that GitHub release of this repository, created if missing; for models too big for a Pages branch) or dir (the repo folder). Default: dir when repo is set, else git:gh-pages.',
    },
  },
  remote: STORE_SETTINGS.remote,
  githubToken: {
    kind: 'string', flag: false, help: 'a token that may write releases',
    input: { default: '${{ github.token }}', description: 'With store release:TAG: a token that may write releases (the job needs permissions: contents: write).' },
  },
  githubRepo: STORE_SETTINGS.githubRepo,
  repo: {
    kind: 'path', value: '<dir>', help: 'the channel folder (created on first publish); with --store git:BRANCH, a folder inside the branch (default: its top)',
    input: { description: 'With store dir: the folder holding the channel (created on first publish). With git:BRANCH: a folder inside the branch (default: its top, what Pages serves). Not used with release:TAG.' },
  },
  keys: { kind: 'path', value: '<dir>', help: 'signing keys (the channel key, snapshot and timestamp; all of them on first publish)' },
  channel: { kind: 'string', value: '<name>', default: 'beta', help: 'canary, beta or stable', input: { description: 'canary, beta or stable.' } },
  version: {
    kind: 'string', value: '<semver>', help: 'release version, e.g. 1.4.0',
    input: { description: 'Release version (semver). Default: the tag the workflow runs on, without a leading v.' },
  },
  model: { kind: 'string', value: '<name>', default: 'model', help: 'model name in the channel', input: { description: 'Model name in the channel.' } },
  artifacts: {
    kind: 'path', value: '<dir>', help: 'folder of artifact files, one per target (cpu-int8.onnx -> target cpu-int8)',
    input: { description: 'Folder of artifact files, one per target (cpu-int8.onnx is target cpu-int8).' },
  },
  manifest: {
    kind: 'path', value: '<file>', help: "manifest.json written by 'edgeml optimize'",
    input: { description: 'manifest.json written by the optimize action (takes precedence over the plain folder).' },
  },
  check: {
    kind: 'path', value: '<file>', help: "check document ('edgeml check --json'): a failed check refuses the release",
    input: { description: 'Check document: a failed check refuses the release (unless force).' },
  },
  results: {
    kind: 'pairs', value: '<file>', help: 'bench results of an artifact, for the headline metrics (repeatable)',
    input: { description: 'Benchmark results documents of the artifacts, one per line, for the headline metrics.' },
  },
  data: {
    kind: 'pairs', value: '<name=file.npy>',
    help: 'inputs of the acceptance evidence devices reproduce before switching: rows of a .npy file per model input (repeatable; default: seeded random inputs)',
  },
  rollout: { kind: 'share', whole: true, value: '<percent>', default: '100', help: 'share of devices that install it', input: { description: 'Share of devices (0-100) that install the release.' } },
  notBefore: { kind: 'string', value: '<time>', help: 'no device installs it before this ISO time', input: { description: 'ISO time before which no device installs it.' } },
  force: { kind: 'boolean', help: 'publish even though the check failed', input: {} },
  json: { kind: 'path', value: '<file>', help: 'write what was published here' },
  channelKey: KEY_FROM_SECRET('channel'),
  snapshotKey: KEY_FROM_SECRET('snapshot'),
  timestampKey: KEY_FROM_SECRET('timestamp'),
  keysDir: {
    kind: 'path', flag: false, help: 'a folder made by edgeml keys init',
    input: { description: 'Instead of the three key inputs: a folder made by `edgeml keys init` (needed, with the root keys, for the very first publish).' },
  },
  mender: {
    kind: 'boolean', help: 'also write a signed Mender Artifact (module-image, single-file) per target, at mender/<channel>/<model>/<version>/<target>.mender',
    input: { description: 'Also write a signed Mender Artifact (module-image, single-file) per target of a new release, at mender/CHANNEL/MODEL/VERSION/TARGET.mender next to the channel, for fleets already on Mender.' },
  },
  menderKey: {
    kind: 'string', value: '<pem>', help: 'with --mender: ECDSA P-256 or RSA private key that signs the artifacts',
    input: { description: 'With mender: PEM private key (ECDSA P-256 or RSA) that signs the Mender Artifacts (from a secret). Never logged, never written to disk.' },
  },
  // The flag repeats, the input lists: two names until the names pass settles one.
  menderDeviceType: { kind: 'pairs', value: '<type>', help: 'with --mender: a Mender device type that may install it (repeatable)' },
  menderDeviceTypes: {
    kind: 'list', flag: false, help: 'the Mender device types that may install it',
    input: { description: 'With mender (required then): the Mender device types that may install it, one per line or comma-separated.' },
  },
  menderDestDir: {
    kind: 'string', value: '<dir>', default: '/var/lib/edgeml/models', help: 'with --mender: the folder the model file is installed to on the device',
    input: { description: 'With mender: the absolute folder on the device the model file is installed to.' },
  },
  oci: {
    kind: 'string', value: '<ref>',
    help: 'also push each artifact to an OCI registry as a CNCF ModelPack artifact: REGISTRY/REPOSITORY:TAG (tags TAG-<target> and an index at TAG; credentials from EDGEML_OCI_USERNAME/EDGEML_OCI_PASSWORD or the docker config)',
    input: { description: 'Also push each artifact to an OCI registry as a CNCF ModelPack artifact: REGISTRY/REPOSITORY:TAG, e.g. ghcr.io/OWNER/MODEL:1.4.0 (tags TAG-TARGET and an index at TAG). The digests are signed into the release. For ghcr.io give the job permissions: packages: write.' },
  },
  ociUsername: { kind: 'string', flag: false, help: 'the registry user name', input: { description: 'With oci: the registry user name (default: the actor who ran the workflow).' } },
  ociPassword: { kind: 'string', flag: false, help: 'the registry password', input: { description: 'With oci: the registry password or token, from a secret (default for ghcr.io: input github-token).' } },
  plainHttp: {
    kind: 'boolean', help: 'with --oci: talk HTTP to the registry, not HTTPS (a registry on localhost or inside a plant network)',
    input: { description: 'With oci: talk HTTP to the registry, not HTTPS (a registry on localhost or inside a plant network).' },
  },
  ociChunkSize: { kind: 'string', value: '<bytes>', default: String(32 * 1024 * 1024), help: 'with --oci: blobs larger than this are uploaded in chunks of this size' },
} as const satisfies SettingsTable;

/** The channel folder of a command that only the CLI has. */
const CHANNEL_REPO = { kind: 'path', value: '<dir>', help: 'the channel folder (with --store git:BRANCH, a folder inside the branch)' } as const;

/** `edgeml rollback` (no action). */
export const ROLLBACK_SETTINGS = {
  ...STORE_SETTINGS,
  repo: CHANNEL_REPO,
  keys: { kind: 'path', value: '<dir>', help: 'signing keys (the channel key, snapshot and timestamp)' },
  channel: { kind: 'string', value: '<name>', default: 'stable', help: 'the channel to roll back' },
  model: { kind: 'string', value: '<name>', help: 'the model, when the channel holds several' },
  json: { kind: 'path', value: '<file>', help: 'write the result here' },
} as const satisfies SettingsTable;

/** `edgeml refresh` (no action; a scheduled workflow runs the CLI). */
export const REFRESH_SETTINGS = {
  ...STORE_SETTINGS,
  repo: CHANNEL_REPO,
  keys: { kind: 'path', value: '<dir>', help: 'signing keys: timestamp, plus snapshot, the channel keys and targets (and root) to renew those' },
  expires: { kind: 'duration', value: '<duration>', unit: 'ms', default: '48h', help: 'how long the new timestamp is valid' },
  interval: { kind: 'duration', value: '<duration>', unit: 'ms', default: '24h', help: 'how often refresh runs: a role that would expire before the next run fails this one' },
} as const satisfies SettingsTable;

/** `edgeml keys init` (no action). */
export const KEYS_INIT_SETTINGS = {
  out: { kind: 'path', value: '<dir>', help: 'folder to create the keys in (private keys mode 0600)' },
  rootKeys: { kind: 'count', min: 1, value: '<n>', default: '3', help: 'number of root keys' },
  threshold: { kind: 'count', min: 1, value: '<n>', default: '2', help: 'root signatures required' },
} as const satisfies SettingsTable;

/** `edgeml keys rotate` (no action). */
export const KEYS_ROTATE_SETTINGS = {
  ...STORE_SETTINGS,
  repo: CHANNEL_REPO,
  keys: {
    kind: 'path', value: '<dir>',
    help: 'the keys folder: the key to replace, and what signs the change (root keys for root-N/targets/snapshot/timestamp, targets.pem for a channel; snapshot and timestamp)',
  },
  role: { kind: 'string', value: '<key>', help: 'root-N (e.g. root-2), targets, snapshot, timestamp, canary, beta or stable' },
  json: { kind: 'path', value: '<file>', help: 'write the result here' },
} as const satisfies SettingsTable;

/** `edgeml prune` (no action); its channel defaults as publish's does. */
export const PRUNE_SETTINGS = {
  ...STORE_SETTINGS,
  repo: CHANNEL_REPO,
  keys: { kind: 'path', value: '<dir>', help: 'signing keys (the channel key, snapshot and timestamp)' },
  channel: { kind: 'string', value: '<name>', default: PUBLISH_SETTINGS.channel.default, help: 'the channel to prune' },
  keep: { kind: 'count', min: 1, value: '<n>', default: '3', help: 'releases kept per model, newest first (2 or more keeps rollback possible)' },
  model: { kind: 'string', value: '<name>', help: 'only this model (default: every model on the channel)' },
  json: { kind: 'path', value: '<file>', help: 'write the result here' },
} as const satisfies SettingsTable;

/** The gate's thresholds given (flags or inputs, typed: percents 0-100); the rest come from rollout: or the defaults. */
export function gateThresholds(v: Partial<GateThresholds>): Partial<GateThresholds> {
  return Object.fromEntries((['minDevices', 'successThreshold', 'errorThreshold'] as const).filter((k) => v[k] !== undefined).map((k) => [k, v[k]]));
}
