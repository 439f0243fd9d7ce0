// The fleet area's types for where a release is stored and what it carries: release assets,
// OCI registries, Mender artifacts, model packs, acceptance evidence (index.ts exports them all).

import type { KeyObject } from 'node:crypto';
import type { ReleaseResult } from './types.js';

export interface MenderOptions {
  /** Artifact name (Mender refuses to install the same name twice in a row). */
  name: string;
  /** Software name and version: provided as rootfs-image.<softwareName>.version. */
  softwareName: string;
  softwareVersion: string;
  deviceTypes: string[];
  /** Folder on the device the file goes to, and its name there. */
  destDir: string;
  fileName: string;
  /** An ECDSA P-256 or RSA private key (PEM); the manifest is signed with sha256. */
  key: KeyObject;
}

export interface MenderRequest {
  key: KeyObject;
  deviceTypes: string[];
  destDir: string;
}

/** The Mender settings of a publish as given, the key's PEM text already read (from a file or a secret). */
export interface MenderSettings {
  mender: boolean;
  /** PEM text; undefined when none was given. */
  key?: string | Buffer;
  deviceTypes: string[];
  destDir: string;
}

export type MenderSetting = 'mender-key' | 'mender-device-types' | 'mender-dest-dir';

/** How the caller (CLI flags or action inputs) words its messages about the Mender settings. */
export interface MenderNaming {
  /** The setting as given: `--mender-key mender.pem`, `input 'mender-key'` (never the key's content). */
  name(setting: MenderSetting): string;
  /** A setting needed with mender that was not given: `--mender-key is required with --mender`, `input 'mender-key' is empty`. */
  missing(setting: MenderSetting): string;
  /** How to pass the key, after "pass an ECDSA P-256 or RSA private key (PEM)": ` file`, ` from a secret, e.g. ...`. */
  keyFrom: string;
}

/** What a publish did, with the Mender Artifacts it wrote (store paths), if any. */
export type PublishedRelease = ReleaseResult & { mender?: string[] };

/** The empty descriptor the OCI 1.1 guidance gives an artifact without a config of its own is not used: ModelPack has one. */
export interface Layer {
  descriptor: Descriptor;
  /** Where the bytes come from when the blob is uploaded. */
  source: { file: string } | { bytes: Buffer };
}

export interface ModelPackInput {
  model: string;
  version: string;
  target: string;
  /** The model file, its sha256 (hex) and size. */
  file: string;
  sha256: string;
  bytes: number;
  /** fp32, fp16, int8, mixed, or null when unknown. */
  precision: string | null;
  /** RFC 3339: when the artifact was made (the optimize manifest's createdAt), so a re-push is byte-identical. */
  createdAt: string;
  /** Documents shipped beside the model: [path in the artifact, bytes]. */
  docs: Array<{ path: string; bytes: Buffer }>;
  licenses?: string[];
  /** The repository's URL (org.opencontainers.image.source) and commit. */
  source?: string;
  revision?: string;
}

export interface ModelPackArtifact {
  manifest: Buffer;
  digest: string;
  config: Layer;
  layers: Layer[];
}

/** `registry/repository:tag`, split. */
export interface OciReference {
  registry: string;
  repository: string;
  tag: string;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryOptions {
  /** Talk HTTP, not HTTPS (a registry on localhost or inside a plant network). */
  plainHttp?: boolean;
  credentials?: RegistryCredentials;
  /** Blobs larger than this go up in chunks of this size (default 32 MiB). */
  chunkBytes?: number;
  /** Attempts for a request that meets a 5xx or a dropped connection (default 4). */
  attempts?: number;
  /** Time without an answer before a request is abandoned (default 60 s). */
  timeoutMs?: number;
  /** How to give credentials, in the caller's words (default: the CLI's environment variables). */
  credentialsHint?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

/** Where a target's artifact is in the registry: recorded in the signed release (`custom.edgeml.oci`). */
export interface OciLocation {
  /** `registry/repository`, where a mirror serves the same digests. */
  repository: string;
  tag: string;
  /** The ModelPack manifest's digest. */
  digest: string;
}

export interface OciRequest {
  /** `REGISTRY/REPOSITORY:TAG` as the user gave it. */
  reference: string;
  model: string;
  version: string;
  plainHttp?: boolean;
  force?: boolean;
  credentials?: RegistryCredentials;
  chunkBytes?: number;
  /** The optimize manifest (a doc layer of every target, and its createdAt). */
  manifestFile?: string;
  /** Bench results documents: each goes with the artifact it measured, as a doc layer. */
  resultsFiles?: string[];
  /** org.opencontainers.image.source / revision (default: from GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA). */
  source?: string;
  revision?: string;
  licenses?: string[];
  /** How messages name the reference setting: `--oci` or `input 'oci'`. */
  setting?: string;
  /** How to go on anyway (`pass --force`) and how to give credentials, in the caller's words. */
  forceHint?: string;
  credentialsHint?: string;
  now?: Date;
  log?: (line: string) => void;
}

export interface OciTargetResult extends OciLocation {
  target: string;
  status: 'pushed' | 'unchanged';
  uploadedBlobs: number;
}

export interface OciResult {
  reference: string;
  /** The index's digest: the whole release under one tag. */
  digest: string;
  status: 'pushed' | 'unchanged';
  targets: OciTargetResult[];
}

export interface ReleaseRef {
  id: number;
  tag: string;
  draft: boolean;
  uploadUrl: string;
}

export interface ReleaseAsset {
  id: number;
  name: string;
  size: number;
  /** 'uploaded', or 'starter' for an upload that failed half-way (safe to delete). */
  state: string;
  createdAt: string;
}

/** The GitHub REST calls the store needs (src/github/releases.ts implements them with Octokit). */
export interface ReleaseAssetsApi {
  /** "OWNER/REPO release TAG", for messages. */
  readonly location: string;
  /** The release of the tag, or null when there is none. */
  find(): Promise<ReleaseRef | null>;
  /** Creates the release (and its tag); returns the existing one if another writer created it first. */
  create(): Promise<ReleaseRef>;
  assets(release: ReleaseRef): Promise<ReleaseAsset[]>;
  download(asset: ReleaseAsset): Promise<Buffer>;
  /** Uploads a new asset; null when an asset of that name exists already. */
  upload(release: ReleaseRef, name: string, bytes: Buffer): Promise<ReleaseAsset | null>;
  rename(asset: ReleaseAsset, name: string): Promise<ReleaseAsset>;
  remove(asset: ReleaseAsset): Promise<void>;
}

export interface ReleaseStoreOptions {
  /** How long to wait for another writer's lock. */
  lockTimeoutMs?: number;
  /** A lock asset older than this was left by a killed writer: taken over. */
  staleLockMs?: number;
  log?: (line: string) => void;
}

export interface ReleaseLocation {
  owner: string;
  repo: string;
  tag: string;
}

export type StoreSpec =
  | { kind: 'dir'; dir: string }
  /** `dir` is the channel's folder inside the branch ('' for its top, what Pages serves). */
  | { kind: 'git'; branch: string; remote: string; checkout: string; dir: string }
  | ({ kind: 'release' } & ReleaseLocation);
