// The device's TUF client: tuf-js's Updater on the device's metadata folder, with the trusted
// root checked before it is copied in, local metadata written atomically (write, fsync, rename:
// a torn write can never leave a cached timestamp that freezes the device), and target URLs mapped
// to release assets when the channel is a GitHub release.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata, MetadataKind } from '@tufjs/models';
import { Updater, type Fetcher } from 'tuf-js';
import { DefaultFetcher } from 'tuf-js/dist/fetcher.js';
import { UserError, oneLine } from '../errors.js';
import { assetName } from '../fleet/index.js';
import { writeFileDurable, type Layout } from './slots.js';

/** A GitHub release download URL (…/OWNER/REPO/releases/download/TAG): the channel is flat release assets. */
export function isReleaseChannel(url: string): boolean {
  return /\/[^/]+\/[^/]+\/releases\/download\/[^/]+\/*$/.test(new URL(url).pathname);
}

/** The URL of a stored channel file (`targets/...`, a metadata file): a release asset on a release channel. */
export function channelFileUrl(base: string, path: string): string {
  const root = base.replace(/\/+$/, '');
  return isReleaseChannel(root) ? `${root}/${encodeURIComponent(assetName(path))}` : `${root}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * tuf-js's fetcher with each URL under `base` mapped to the release asset that holds the path
 * (assetName, as the release store names them). Everything else of the default fetcher stays:
 * its size limits, timeouts and the HTTP errors tuf-js tells apart (a 404 ends the root walk).
 */
export function releaseAssetFetcher(base: string, options: { timeout?: number; retry?: number }): Fetcher {
  const root = `${base.replace(/\/+$/, '')}/`;
  class ReleaseAssetFetcher extends DefaultFetcher {
    override fetch(url: string) {
      const path = url.startsWith(root) ? decodeURIComponent(url.slice(root.length)) : null;
      return super.fetch(path === null ? url : `${root}${encodeURIComponent(assetName(path))}`);
    }
  }
  return new ReleaseAssetFetcher(options);
}

/** Checks that `file` is a TUF root that verifies with its own keys; the device's trust starts here. */
export function checkTrustedRoot(file: string, flag = '--root'): void {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${flag} ${file}: not JSON (${oneLine(e)}); ship the channel's 1.root.json with the device`);
  }
  try {
    const type = (json as { signed?: { _type?: unknown } })?.signed?._type;
    if (type !== 'root') throw new Error(type === undefined ? 'no signed._type' : `signed._type is ${JSON.stringify(type)}`);
    const root = Metadata.fromJSON(MetadataKind.Root, json as never);
    root.verifyDelegate('root', root);
  } catch (e) {
    throw new UserError(`${flag} ${file}: not a TUF root that verifies with its own keys (${oneLine(e)}); ship the channel's 1.root.json with the device`);
  }
}

export function makeUpdater(channelUrl: string, root: string, l: Layout, fetchTimeoutMs: number): Updater {
  const base = channelUrl.replace(/\/+$/, '');
  const fetcher = isReleaseChannel(base) ? releaseAssetFetcher(base, { timeout: fetchTimeoutMs, retry: 0 }) : undefined;
  const make = () => {
    const up = new Updater({
      metadataDir: l.metadata, metadataBaseUrl: base, targetDir: l.staging, targetBaseUrl: `${base}/targets`,
      config: { fetchTimeout: fetchTimeoutMs, fetchRetry: 0 }, fetcher,
    });
    // tuf-js writes its metadata in place; a kill mid-write would leave a torn file.
    (up as unknown as { persistMetadata: (name: string, bytes: Buffer) => void }).persistMetadata = (name, bytes) =>
      writeFileDurable(join(l.metadata, `${encodeURIComponent(name)}.json`), bytes);
    return up;
  };
  if (!existsSync(join(l.metadata, 'root.json'))) copyFileSync(root, join(l.metadata, 'root.json'));
  try {
    return make();
  } catch {
    // The cached root does not load: start again from the root shipped with the device.
    copyFileSync(root, join(l.metadata, 'root.json'));
    return make();
  }
}
