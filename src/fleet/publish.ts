// `edgeml publish` and the publish action: one flow from the typed settings to a signed release
// on the channel (the gate of a check document, the artifacts and their metrics and budgets, an
// OCI push first when asked, then the release and its Mender Artifacts). The adapters bring what
// differs: how messages name a setting, where warnings go, how the store and the registry are
// reached (a token from the environment or an input), and how the outcome is shown.
import { addCheckBudgets, addResultsMetrics, collectArtifacts, releaseGate, releaseModelName } from './inputs.js';
import { publishWithMender } from './mender.js';
import { FLAG_NAMING } from './naming.js';
import type { MenderRequest, OciResult, PublishedRelease } from './store-types.js';
import type { ArtifactInput, Channel, ChannelStorage, FleetNaming, ReleaseResult, RolloutRequest } from './types.js';

export interface PublishToChannelOptions {
  /** Checked by the adapter (checkChannel names its flag or input). */
  channel: Channel;
  version: string;
  model: string;
  rollout: RolloutRequest;
  force: boolean;
  check?: string;
  artifactsDir?: string;
  manifest?: string;
  results: string[];
  data?: Record<string, string>;
  /** Checked before anything is published (menderRequest). */
  mender: MenderRequest | null;
  /** How messages name the settings (default: the CLI's flags). */
  naming?: FleetNaming;
}

export interface PublishToChannelDeps {
  /** A line worth the user's attention that does not stop the release. */
  warn(line: string): void;
  /** The signing keys folder, asked for once the artifacts are checked, before anything is pushed (the action writes it from secrets then). */
  keys(): string;
  /** With OCI: pushes the artifacts before the release is signed, so it records their locations. */
  pushOci?(artifacts: ArtifactInput[], model: string): Promise<OciResult | null>;
  /** Runs the release on the channel's store; `message` is the commit message of a branch store. */
  onStore(fn: (storage: ChannelStorage) => Promise<PublishedRelease>, message: (r: PublishedRelease) => string): Promise<PublishedRelease>;
}

export interface PublishToChannelOutcome {
  release: PublishedRelease;
  oci: OciResult | null;
}

/** The commit message of a release operation on a branch store. */
export function releaseCommitMessage(r: ReleaseResult): string {
  return `edgeml ${r.status}: ${r.model} ${r.version} on ${r.channel} (release ${r.release}, rollout ${r.rollout.percent}%)`;
}

/** Publishes the artifacts as one signed release: a failed check refuses it unless forced. */
export async function publishToChannel(o: PublishToChannelOptions, deps: PublishToChannelDeps): Promise<PublishToChannelOutcome> {
  const naming = o.naming ?? FLAG_NAMING;
  const { check, failed } = releaseGate(o.check, o.force, naming);
  if (failed.length) deps.warn(`publishing despite failed budgets (${naming.forced ?? naming.force}): ${failed.map((b) => b.key).join(', ')}`);
  const artifacts = await collectArtifacts({ artifactsDir: o.artifactsDir, manifest: o.manifest, force: o.force, naming });
  addResultsMetrics(artifacts, o.results, naming);
  // The latency budgets CI judged each target against go into its evidence: the device judges itself by them.
  for (const note of check ? addCheckBudgets(artifacts, check) : []) deps.warn(note);
  const model = releaseModelName(o.model, naming);
  const keysDir = deps.keys();
  const oci = deps.pushOci ? await deps.pushOci(artifacts, model) : null;
  const req = { channel: o.channel, model, version: o.version, artifacts, rollout: o.rollout, ...(o.data ? { data: o.data } : {}), naming };
  const release = await deps.onStore((storage) => publishWithMender(storage, keysDir, req, o.mender), releaseCommitMessage);
  return { release, oci };
}
