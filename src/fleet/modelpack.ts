// One artifact as a CNCF ModelPack OCI artifact (modelpack/model-spec, docs/spec.md, config.md,
// annotations.md): an OCI image manifest with artifactType application/vnd.cncf.model.manifest.v1+json,
// a model config (descriptor, config, modelfs with the layers' diff ids), the model file as a raw
// weight layer and the documents that vouch for it as raw doc layers. Pure: bytes in, bytes out.
import { basename } from 'node:path';
import { OCI_INDEX, OCI_MANIFEST, sha256Digest } from './oci-registry.js';
import type { Layer, ModelPackArtifact, ModelPackInput } from './store-types.js';

export const MODEL_ARTIFACT_TYPE = 'application/vnd.cncf.model.manifest.v1+json';
export const MODEL_CONFIG = 'application/vnd.cncf.model.config.v1+json';
export const WEIGHT_RAW = 'application/vnd.cncf.model.weight.v1.raw';
export const DOC_RAW = 'application/vnd.cncf.model.doc.v1.raw';
export const FILEPATH = 'org.cncf.model.filepath';
export const FILE_METADATA = 'org.cncf.model.file.metadata+json';
/** Our annotation on the index entries and manifests: which target of the release this is. */
export const TARGET_ANNOTATION = 'io.github.edgeml.target';

const PRECISION: Record<string, string> = { fp32: 'float32', fp16: 'float16', int8: 'int8', uint8: 'uint8', float32: 'float32', float16: 'float16' };

/** The spec's precision names; a mixed-precision artifact lists each, comma-separated (config.md). */
function precisionOf(precision: string | null, target: string): string | undefined {
  if (precision === 'mixed') return /int8/.test(target) ? 'int8,float32' : /fp16/.test(target) ? 'float16,float32' : undefined;
  return precision ? PRECISION[precision] ?? precision : undefined;
}

function fileMetadata(name: string, size: number, mtime: string): string {
  // The spec's FileMetadata (annotations.md): typeflag is tar's '0' (a regular file) as a byte.
  return JSON.stringify({ name, mode: 0o644, uid: 0, gid: 0, size, mtime, typeflag: 48 });
}

export function modelPackArtifact(a: ModelPackInput): ModelPackArtifact {
  const weight: Layer = {
    descriptor: {
      mediaType: WEIGHT_RAW, digest: `sha256:${a.sha256}`, size: a.bytes,
      annotations: { [FILEPATH]: basename(a.file), [FILE_METADATA]: fileMetadata(basename(a.file), a.bytes, a.createdAt) },
    },
    source: { file: a.file },
  };
  const docs: Layer[] = a.docs.map((d) => ({
    descriptor: {
      mediaType: DOC_RAW, digest: sha256Digest(d.bytes), size: d.bytes.length,
      annotations: { [FILEPATH]: d.path, [FILE_METADATA]: fileMetadata(d.path, d.bytes.length, a.createdAt) },
    },
    source: { bytes: d.bytes },
  }));
  const layers = [weight, ...docs];
  const precision = precisionOf(a.precision, a.target);
  const config = {
    descriptor: {
      name: a.model, version: a.version, createdAt: a.createdAt,
      ...(a.licenses?.length ? { licenses: a.licenses } : {}),
      ...(a.source ? { sourceURL: a.source } : {}),
      ...(a.revision ? { revision: a.revision } : {}),
    },
    config: {
      format: a.file.endsWith('.ort') ? 'ort' : 'onnx',
      ...(precision ? { precision } : {}),
      ...(/int8|uint8/.test(a.target) ? { quantization: a.target } : {}),
    },
    // Raw layers are not archives: the diff id of each is the digest of its bytes.
    modelfs: { type: 'layers', diffIds: layers.map((l) => l.descriptor.digest) },
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configLayer: Layer = { descriptor: { mediaType: MODEL_CONFIG, digest: sha256Digest(configBytes), size: configBytes.length }, source: { bytes: configBytes } };
  const annotations: Record<string, string> = {
    'org.opencontainers.image.title': `${a.model} ${a.version} ${a.target}`,
    'org.opencontainers.image.version': a.version,
    'org.opencontainers.image.created': a.createdAt,
    [TARGET_ANNOTATION]: a.target,
  };
  if (a.source) annotations['org.opencontainers.image.source'] = a.source;
  if (a.revision) annotations['org.opencontainers.image.revision'] = a.revision;
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: MODEL_ARTIFACT_TYPE,
    config: configLayer.descriptor, layers: layers.map((l) => l.descriptor), annotations,
  }));
  return { manifest, digest: sha256Digest(manifest), config: configLayer, layers };
}

/** An OCI image index over a release's per-target manifests: one tag names the whole release. */
export function releaseIndex(entries: Array<{ target: string; digest: string; size: number }>, annotations: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX, artifactType: MODEL_ARTIFACT_TYPE,
    manifests: entries.map((e) => ({ mediaType: OCI_MANIFEST, artifactType: MODEL_ARTIFACT_TYPE, digest: e.digest, size: e.size, annotations: { [TARGET_ANNOTATION]: e.target } })),
    annotations,
  }));
}
