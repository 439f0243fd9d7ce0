// A release's artifacts pushed to an OCI registry as CNCF ModelPack artifacts: one manifest per
// target, tagged `<tag>-<target>`, and an image index tagged `<tag>` over them. Order keeps a
// failure from leaving a tag on something half-pushed: check every tag, upload every blob (HEAD
// first), store every manifest by digest, and only then move the tags, the index last.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { readResults } from '../results/index.js';
import { modelPackArtifact, MODEL_ARTIFACT_TYPE, releaseIndex } from './modelpack.js';
import { OCI_INDEX, OCI_MANIFEST, parseOciReference, RegistryClient, RegistryError } from './oci-registry.js';
import type { ModelPackArtifact, OciReference, OciRequest, OciResult, OciTargetResult, RegistryCredentials } from './store-types.js';
import type { ArtifactInput } from './types.js';

/** Registry credentials: EDGEML_OCI_USERNAME/EDGEML_OCI_PASSWORD, else the docker config's `auths` entry. */
export function registryCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): RegistryCredentials | undefined {
  if (env.EDGEML_OCI_PASSWORD) return { username: env.EDGEML_OCI_USERNAME || 'edgeml', password: env.EDGEML_OCI_PASSWORD };
  const file = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  if (!existsSync(file)) return undefined;
  let auths: Record<string, { auth?: string }> = {};
  try {
    auths = (JSON.parse(readFileSync(file, 'utf8')) as { auths?: typeof auths }).auths ?? {};
  } catch {
    throw new UserError(`${file}: not valid JSON; fix the docker config or set EDGEML_OCI_USERNAME and EDGEML_OCI_PASSWORD`);
  }
  const entry = auths[registry] ?? auths[`https://${registry}`];
  if (!entry?.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const at = text.indexOf(':');
  return at > 0 ? { username: text.slice(0, at), password: text.slice(at + 1) } : undefined;
}

function docsFor(a: ArtifactInput, req: OciRequest): Array<{ path: string; bytes: Buffer }> {
  const docs: Array<{ path: string; bytes: Buffer }> = [];
  if (req.manifestFile) docs.push({ path: 'optimize-manifest.json', bytes: readFileSync(req.manifestFile) });
  for (const f of req.resultsFiles ?? []) {
    if (readResults(f).model.sha256 === a.sha256) docs.push({ path: 'results.json', bytes: readFileSync(f) });
  }
  return docs;
}

function createdAtOf(req: OciRequest): string {
  if (req.manifestFile) {
    const at = (JSON.parse(readFileSync(req.manifestFile, 'utf8')) as { createdAt?: unknown }).createdAt;
    if (typeof at === 'string') return at;
  }
  return (req.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function defaultSource(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}` : undefined;
}

export async function pushOciRelease(artifacts: ArtifactInput[], req: OciRequest): Promise<OciResult> {
  const setting = req.setting ?? '--oci';
  const ref = parseOciReference(req.reference, setting);
  const log = req.log ?? (() => undefined);
  const tagOf = (target: string) => `${ref.tag}-${target}`;
  for (const a of artifacts) {
    if (tagOf(a.target).length > 128) throw new UserError(`${setting} ${req.reference}: tag ${tagOf(a.target)} is longer than 128 characters; use a shorter tag`);
  }
  const createdAt = createdAtOf(req);
  const source = req.source ?? defaultSource(process.env);
  const revision = req.revision ?? process.env.GITHUB_SHA;
  const built: Array<{ a: ArtifactInput; pack: ModelPackArtifact }> = artifacts.map((a) => ({
    a,
    pack: modelPackArtifact({
      model: req.model, version: req.version, target: a.target, file: a.localPath, sha256: a.sha256, bytes: a.bytes, precision: a.precision,
      createdAt, docs: docsFor(a, req), licenses: req.licenses, source, revision,
    }),
  }));
  const indexAnnotations: Record<string, string> = {
    'org.opencontainers.image.title': `${req.model} ${req.version}`, 'org.opencontainers.image.version': req.version, 'org.opencontainers.image.created': createdAt,
  };
  if (source) indexAnnotations['org.opencontainers.image.source'] = source;
  if (revision) indexAnnotations['org.opencontainers.image.revision'] = revision;
  const client = new RegistryClient(ref, { plainHttp: req.plainHttp, credentials: req.credentials, chunkBytes: req.chunkBytes, credentialsHint: req.credentialsHint });
  const force = req.forceHint ?? 'pass --force';
  await client.ping();
  // Every tag first: one that names other content stops the push before anything is uploaded.
  // Content, not bytes: a manifest with the same layers made at another time is the same artifact.
  const existing = new Map<string, { digest: string; size: number }>();
  for (const { a, pack } of built) {
    const now = await client.getManifest(tagOf(a.target));
    if (!now) continue;
    if (sameDigests(layerDigests(now.bytes), pack.layers.map((l) => l.descriptor.digest))) existing.set(a.target, { digest: now.digest, size: now.bytes.length });
    else if (!req.force) throw moved(setting, req.reference, tagOf(a.target), now.digest, force);
  }
  const entries = built.map(({ a, pack }) => ({ target: a.target, ...(existing.get(a.target) ?? { digest: pack.digest, size: pack.manifest.length }) }));
  const currentIndex = await client.getManifest(ref.tag);
  const indexSame = currentIndex !== null && sameDigests(indexDigests(currentIndex.bytes), entries.map((e) => e.digest));
  if (currentIndex && !indexSame && !req.force) throw moved(setting, req.reference, ref.tag, currentIndex.digest, force);

  const results: OciTargetResult[] = [];
  for (const { a, pack } of built) {
    const repository = `${ref.registry}/${ref.repository}`;
    const digest = existing.get(a.target)?.digest;
    if (digest) {
      results.push({ target: a.target, repository, tag: tagOf(a.target), digest, status: 'unchanged', uploadedBlobs: 0 });
      continue;
    }
    let uploaded = 0;
    for (const layer of [pack.config, ...pack.layers]) {
      if (await client.pushBlob(layer.descriptor.digest, layer.descriptor.size, layer.source, log)) uploaded++;
    }
    await client.putManifest(pack.digest, pack.manifest, OCI_MANIFEST);
    results.push({ target: a.target, repository, tag: tagOf(a.target), digest: pack.digest, status: 'pushed', uploadedBlobs: uploaded });
  }
  // Only now move the tags: until here nothing a tag names has changed.
  for (const { a, pack } of built) if (!existing.has(a.target)) await client.putManifest(tagOf(a.target), pack.manifest, OCI_MANIFEST);
  let digest = currentIndex?.digest ?? '';
  if (!indexSame) {
    const index = releaseIndex(entries, indexAnnotations);
    digest = await client.putManifest(ref.tag, index, OCI_INDEX);
  }
  const all = results.every((r) => r.status === 'unchanged') && indexSame;
  return { reference: `${ref.registry}/${ref.repository}:${ref.tag}`, digest, status: all ? 'unchanged' : 'pushed', targets: results };
}

function moved(setting: string, reference: string, tag: string, digest: string, force: string): RegistryError {
  return new RegistryError(`${setting} ${reference}: tag ${tag} already points at ${digest}, another artifact; publish a new version, or ${force} to move the tag`);
}

function parsed(bytes: Buffer): { layers?: Array<{ digest?: unknown }>; manifests?: Array<{ digest?: unknown }> } {
  try {
    return JSON.parse(bytes.toString('utf8')) as ReturnType<typeof parsed>;
  } catch {
    return {};
  }
}

function layerDigests(bytes: Buffer): string[] {
  return (parsed(bytes).layers ?? []).map((l) => String(l.digest));
}

function indexDigests(bytes: Buffer): string[] {
  return (parsed(bytes).manifests ?? []).map((m) => String(m.digest));
}

function sameDigests(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Pushes the release to the registry, then records each target's location on its artifact, so publish signs it into the release. */
export async function pushOciArtifacts(artifacts: ArtifactInput[], req: OciRequest): Promise<OciResult> {
  const r = await pushOciRelease(artifacts, req);
  for (const t of r.targets) {
    const a = artifacts.find((x) => x.target === t.target)!;
    a.oci = { repository: t.repository, tag: t.tag, digest: t.digest };
  }
  return r;
}

export { parseOciReference, MODEL_ARTIFACT_TYPE, type OciReference };
