// The reference profile a release carries for drift on the device: the artifact's own inputs and
// predictions on the release's data (the rows the evidence takes its samples from), stored
// content-addressed beside the evidence; the release's signed custom metadata holds its sha256
// and length, so a mirror cannot swap it.
import { createHash } from 'node:crypto';
import { profileModel } from '../drift/index.js';
import type { EvidenceRef } from './types.js';

export function profilePath(sha256: string): string {
  return `targets/profiles/${sha256}.json`;
}

/** Profiles the artifact on `data` (input name -> .npy of reference rows) and returns the bytes to store. */
export async function profileDocument(file: string, model: string, data: Record<string, string>): Promise<{ bytes: Buffer; ref: EvidenceRef }> {
  const profile = await profileModel(file, model, Object.fromEntries(Object.entries(data).map(([k, path]) => [k, { kind: 'npy' as const, path }])));
  const bytes = Buffer.from(`${JSON.stringify(profile)}\n`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, ref: { path: profilePath(sha256), sha256, length: bytes.length } };
}
