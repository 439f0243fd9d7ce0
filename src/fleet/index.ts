// The fleet update channel: keys, TUF metadata, storage, releases and rollout cohorts.
export { CHANNELS, checkChannel, initKeys, isChannel, keyIdOf, readPublicKeys, signerFor, tufKey, type Channel, type PublicKeys, type SigningKey } from './keys.js';
export { EXPIRY_MS, isSemver, releaseInfoOf, targetPath, type Hardware, type ReleaseInfo, type Rollout } from './metadata.js';
export { LocalDirStorage, type ChannelStorage } from './storage.js';
export { loadState, type ChannelState } from './repo.js';
export { RENEW_WITHIN_MS, refreshChannel, type RefreshResult, type RefreshRole } from './refresh.js';
export { addCheckBudgets, addResultsMetrics, collectArtifacts, describeBudget, failedBudgets, releaseGate, releaseModelName, type ArtifactInput } from './inputs.js';
export { promoteRelease, publishRelease, releasesOf, rollbackChannel, storedPath, type ReleaseResult } from './release.js';
export { FLAG_NAMING, type FleetNaming, type FleetSetting } from './naming.js';
export { cohortBucket, inRollout, parseNotBefore, parsePercent } from './rollout.js';
export { describeStore, onStore, parseRepository, parseStore, releaseDownloadUrl, type ReleaseLocation, type StoreSpec } from './stores.js';
export { MAX_ASSET_BYTES, ReleaseAssetStorage, assetName, type ReleaseAsset, type ReleaseAssetsApi, type ReleaseRef } from './release-assets.js';
export {
  loadMenderKey, menderArtifact, menderPath, menderRequest, publishWithMender, readMenderKey, writeMenderArtifacts,
  type MenderNaming, type MenderOptions, type MenderRequest, type MenderSetting, type MenderSettings, type PublishedRelease,
} from './mender.js';
export { finishRotation, parseRotateRole, rotateKey, type RotateResult, type RotateTarget } from './rotate.js';
export { EVIDENCE_SCHEMA, buildEvidence, evidencePath, readEvidence, tensorData, type Evidence, type EvidenceRef, type LatencyBudget } from './evidence.js';
export { pruneChannel, type PruneRequest, type PruneResult } from './prune.js';
export { pushOciArtifacts, pushOciRelease, registryCredentials, type OciLocation, type OciRequest, type OciResult } from './oci.js';
export { parseOciReference, type OciReference } from './oci-registry.js';
export { GATE_DEFAULTS, currentStage, gatedPromote, type GatedPromoteRequest, type GatedPromoteResult, type Placement, type PromoteDecision } from './promote.js';
export { GATE_SETTINGS, PROMOTE_SETTINGS, STORE_SETTINGS, gateThresholds } from './settings.js';
