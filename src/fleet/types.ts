// The fleet area's types: what its modules take and give back (index.ts exports them all).
// Types only: nothing here runs.

import type { FidelityFloor } from '../tensors/index.js';
import type { FleetStatus, GateResult, GateThresholds } from '../fleet-status/index.js';
import type { KeyObject } from 'node:crypto';
import type { Metadata, Root, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
import type { RolloutPlan } from '../config/index.js';

/** A tensor: its dtype and dims, and its values as little-endian bytes (base64) or the seed that makes them. */
export interface EvidenceTensor {
  dtype: string;
  dims: number[];
  data?: string;
  seed?: number;
}

export interface EvidenceSample {
  inputs: Record<string, EvidenceTensor>;
  /** Every output the artifact gives; `data` only for float32 outputs (the ones compared by cosine). */
  outputs: Record<string, EvidenceTensor>;
}

export interface Evidence {
  schema: 'edgeml-evidence/1';
  model: { file: string; sha256: string };
  source: 'data' | 'random';
  floor: FidelityFloor;
  /** Latency CI measured for this target (bench results), on the device named by `device`. */
  latency: { p50Ms: number; p90Ms?: number; device: string } | null;
  /**
   * The latency budgets of edgeml.yml that applied to this target in CI (from the check document
   * publish was given), judged again on the device. Absent in documents made before budgets were signed.
   */
  budgets?: LatencyBudget[];
  samples: EvidenceSample[];
}

/** A latency budget as CI judged it: `latency.p90 <= 8ms`, with CI's figure and the device it ran on. */
export interface LatencyBudget {
  key: 'latency.p50' | 'latency.p90' | 'latency.p99';
  /** The limit in milliseconds, and as written in edgeml.yml. */
  maxMs: number;
  text: string;
  /** What CI measured against it, and the device label of that measurement (null when CI did not judge it). */
  ciMs: number | null;
  device: string | null;
}

/** How a release points at its evidence: in signed custom metadata, so the device checks what it fetches. */
export interface EvidenceRef {
  path: string;
  sha256: string;
  length: number;
}

export interface EvidenceRequest {
  /** The artifact file (ONNX). */
  file: string;
  name: string;
  sha256: string;
  /** Input name -> .npy file (rows are samples); empty: seeded random inputs. */
  data: Record<string, string>;
  floor?: FidelityFloor;
  latency?: { p50Ms: number; p90Ms?: number; device: string } | null;
  budgets?: LatencyBudget[];
  /** Names the setting in messages: `--data NAME=FILE`, or the file when the artifact is at fault. */
  given: (name: string, file: string) => string;
}

/** A file to publish, resolved and hashed. */
export interface ArtifactInput {
  target: string;
  file: string;
  localPath: string;
  sha256: string;
  bytes: number;
  precision: string | null;
  runtime: { name: string; versionRange: string };
  hardware: Hardware;
  metrics: Record<string, number>;
  /** Set once the artifact is pushed to an OCI registry: signed into the release with it. */
  oci?: { repository: string; tag: string; digest: string };
  /** The fidelity floor the artifact passed in optimize (default: optimize's default floor). */
  floor?: FidelityFloor;
  /** Latency CI measured for it (bench results) and the device label it was measured on. */
  latency?: { p50Ms: number; p90Ms?: number; device: string } | null;
  /** The latency budgets CI judged it against (the check document), signed into its evidence for the device. */
  latencyBudgets?: LatencyBudget[];
  /** Acceptance evidence made elsewhere (buildEvidence); publish makes it when absent. */
  evidence?: { bytes: Buffer; ref: EvidenceRef };
}

export type Channel = 'canary' | 'beta' | 'stable';

/** The roles that sign something: root keys are numbered (root-1, root-2, ...). */
export type RoleName = 'root' | 'targets' | 'snapshot' | 'timestamp' | Channel;

export interface PublicKeyInfo {
  role: RoleName;
  /** File name of the private key in the keys folder, e.g. root-2.pem. */
  file: string;
  keyId: string;
  /** Raw ed25519 public key, hex: the form TUF metadata carries. */
  public: string;
}

export interface PublicKeys {
  schema: 'edgeml-keys/1';
  rootThreshold: number;
  keys: PublicKeyInfo[];
}

export interface SigningKey extends PublicKeyInfo {
  privateKey: KeyObject;
}

export interface KeysInitOptions {
  rootKeys: number;
  rootThreshold: number;
}

export interface Rollout {
  /** Devices whose bucket (0..99) is below this install the release (a whole number: canonical JSON has no floats). */
  percent: number;
  salt: string;
  /** ISO time before which no device installs it (null: at once). */
  notBefore: string | null;
}

export interface Hardware {
  /** 'any', or Node's process.platform value (linux, darwin, win32). */
  os: string;
  /** 'any', or Node's process.arch value (x64, arm64). */
  arch: string;
  /** 'none' (runs anywhere), or what the device must have: cuda, tensorrt, openvino, npu... */
  accelerator: string;
}

/** The custom metadata of one released file: `custom.edgeml` of its TUF target entry. */
export interface ReleaseInfo {
  model: string;
  version: string;
  /** Monotonic per channel: devices install only a higher one (anti-rollback survives rollbacks). */
  release: number;
  target: string;
  file: string;
  runtime: { name: string; versionRange: string };
  hardware: Hardware;
  precision: string | null;
  /** Headline metrics as decimal strings: TUF's canonical JSON has no floating-point numbers. */
  metrics: Record<string, string>;
  rollout: Rollout;
  publishedAt: string;
  /** Where the same bytes are as an OCI artifact (ModelPack), when the release was pushed to a registry. */
  oci?: { repository: string; tag: string; digest: string };
  /** What the device must reproduce before switching (src/fleet/evidence.ts): sha256 and length of the stored document. */
  evidence?: { path: string; sha256: string; length: number };
  /** The reference profile drift is judged against on the device (src/drift): made from the same data as the evidence. */
  profile?: { path: string; sha256: string; length: number };
}

/** The settings the release operations' messages name. */
export type FleetSetting = 'version' | 'rollout' | 'channel' | 'model' | 'manifest' | 'artifacts' | 'results' | 'data';

export interface FleetNaming {
  /** The setting with the value given: `--version 1.4.0`, `input 'version' "1.4.0"`. */
  given(setting: FleetSetting, value: string | number): string;
  /** The setting alone, in a hint: `--model`, `input 'model'`. */
  name(setting: FleetSetting): string;
  /** How to go on anyway, before "to publish ...": `pass --force`, `set force: true`. */
  force: string;
  /** How a forced run is named in its warning: `--force`, `force: true` (default: the `force` hint). */
  forced?: string;
}

/** Where a release is: each channel that lists it, at what share, since when (the stage's start). */
export interface Placement { channel: Channel; percent: number; since: string }

export interface GatedPromoteRequest {
  version: string;
  model?: string;
  /** Given explicitly (flags, inputs); otherwise the plan's next stage, else stable at 100%. */
  channel?: Channel;
  percent?: number;
  notBefore?: string | null;
  from?: Channel;
  gate: boolean;
  plan?: RolloutPlan;
  /** Explicit thresholds (flags, inputs) override the stage's and the plan's. */
  thresholds?: Partial<GateThresholds>;
  soakMs?: number;
  autoRollback?: boolean;
  keysDir: string;
}

export interface GatedPromoteDeps {
  /** Runs a channel operation on the store (`message`: the commit message of a git store). */
  onStore: <T>(fn: (storage: ChannelStorage) => Promise<T>, message: (r: T) => string) => Promise<T>;
  readFleet: () => Promise<FleetStatus>;
  now?: () => Date;
}

export type PromoteDecision = 'promoted' | 'held' | 'rolled-back' | 'complete';

export interface GatedPromoteResult {
  decision: PromoteDecision;
  /** The stage judged (null without a plan) and the move asked for. */
  stage: { index: number; channel: Channel; percent: number } | null;
  to: { channel: Channel; percent: number } | null;
  from: Channel | null;
  thresholds: GateThresholds & { soakMs: number };
  status: FleetStatus | null;
  gate: GateResult | null;
  /** The promotion or the rollback made (null when held or complete). */
  release: ReleaseResult | null;
  /** The verdict in one line (the gate's, the soak, or why nothing was done). */
  line: string;
}

export interface PruneRequest {
  channel: Channel;
  /** Releases kept per model, newest first (at least 1). */
  keep: number;
  /** Only this model's releases (default: every model on the channel). */
  model?: string;
}

export interface PruneResult {
  status: 'pruned' | 'unchanged';
  channel: Channel;
  kept: Array<{ model: string; version: string; release: number }>;
  dropped: Array<{ model: string; version: string; release: number }>;
  /** Stored files deleted: model files no release lists any more, and their Mender Artifacts. */
  removed: string[];
  timestampVersion: number;
}

export type RefreshRole = 'root' | 'targets' | 'snapshot' | 'timestamp' | Channel;

export interface RefreshOptions {
  /** How long the new timestamp is valid. */
  timestampExpiresInMs?: number;
  /** How often refresh runs: a role expiring before the next run fails this one. */
  intervalMs?: number;
}

export interface RefreshResult {
  timestampVersion: number;
  expires: string;
  renewed: Array<{ role: RefreshRole; version: number; expires: string }>;
  /** Roles due for renewal whose key was not given: one entry each, with what is missing. */
  notRenewed: Array<{ role: RefreshRole; expires: string; missing: string }>;
  /** Roles (renewed or not) that expire before the next scheduled refresh. */
  expiring: Array<{ role: RefreshRole; expires: string }>;
}

export type ReleaseStatus = 'published' | 'unchanged' | 'promoted' | 'rollout-updated' | 'rolled-back';

export interface ReleaseResult {
  status: ReleaseStatus;
  channel: Channel;
  model: string;
  version: string;
  release: number;
  rollout: ReleaseInfo['rollout'];
  targets: Array<{ target: string; path: string; sha256: string; bytes: number; metrics: Record<string, string>; oci?: ReleaseInfo['oci'] }>;
  timestampVersion: number;
}

export interface RolloutRequest {
  percent: number;
  notBefore: string | null;
}

export interface Entry {
  path: string;
  file: TargetFile;
  info: ReleaseInfo;
}

export interface PublishRequest {
  channel: Channel;
  model: string;
  version: string;
  artifacts: ArtifactInput[];
  rollout: RolloutRequest;
  /** Input name -> .npy file whose rows become the acceptance evidence's inputs (default: seeded random). */
  data?: Record<string, string>;
  /** How messages name the settings (default: the CLI's flags). */
  naming?: FleetNaming;
}

export interface PromoteRequest {
  channel: Channel;
  version: string;
  model?: string;
  from?: Channel;
  rollout: RolloutRequest;
  /** How messages name the settings (default: the CLI's flags). */
  naming?: FleetNaming;
}

export interface ChannelState {
  root: Metadata<Root>;
  top: Metadata<Targets>;
  channels: Record<Channel, Metadata<Targets>>;
  snapshot: Metadata<Snapshot>;
  timestamp: Metadata<Timestamp>;
}

/** A targets role (top-level `targets` or a channel) re-signed at a new version. */
export interface RoleChange {
  role: 'targets' | Channel;
  signed: Targets;
  /** Several while a key is rotated: the old and the new key both sign until the root names the new one. */
  key: SigningKey | SigningKey[];
}

export interface SigningKeys {
  snapshot: SigningKey | SigningKey[];
  timestamp: SigningKey | SigningKey[];
  channel?: SigningKey;
}

export interface RotateTarget {
  role: RoleName;
  /** The key's file in the keys folder: root-2.pem, beta.pem, ... */
  file: string;
}

export interface RotateResult {
  role: RoleName;
  file: string;
  oldKeyId: string;
  newKeyId: string;
  /** The root version that lists the new key (null for a channel key). */
  rootVersion: number | null;
  /** The timestamp version after the role was re-signed (null when only root changed). */
  timestampVersion: number | null;
}

export interface ChannelStorage {
  /** Human-readable location for messages. */
  readonly location: string;
  read(path: string): Promise<Buffer | null>;
  /** Creates `path`; false if it already exists (someone else won the version: reload and retry). */
  createExclusive(path: string, bytes: Buffer): Promise<boolean>;
  /** Stores a content-addressed file from a local path unless it is there already. */
  putTarget(path: string, localFile: string): Promise<void>;
  /** Copies a stored file to a new path unless it is there already. */
  copy(from: string, to: string): Promise<void>;
  /** Replaces `path` atomically: readers see the old bytes or the new ones. */
  replace(path: string, bytes: Buffer): Promise<void>;
  /** File names directly in a folder ('' = the top). */
  list(dir: string): Promise<string[]>;
  /** Removes a file: one this publisher created and never made visible (a lost race), or one no release lists (prune). */
  remove(path: string): Promise<boolean>;
  /** What holds `path`: two paths with the same key are one stored file. */
  fileKey(path: string): string;
  /** Serialises writers of this channel; returns the release function. */
  lock(): Promise<() => Promise<void>>;
}
