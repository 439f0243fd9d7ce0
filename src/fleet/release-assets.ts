// A channel stored as the assets of one GitHub release (a dedicated tag such as edgeml-channel).
// Release assets are a flat namespace, so every channel path maps to one asset name
// (`assetName`): metadata keeps its name, a target file keeps only its content-addressed file
// name (`<sha256>.<file>`), anything else joins its folders with dots. Devices read
// https://github.com/OWNER/REPO/releases/download/TAG/<asset>; the agent maps tuf-js's URLs with
// the same function, so the metadata and its signatures are exactly those of any other store.
//
// GitHub has no rename-over or compare-and-swap for assets. What stands in for them:
// - creating: an upload whose name is taken is refused (422 already_exists), which is
//   createExclusive;
// - the lock: an `edgeml.lock` asset, created exclusively, taken over when older than staleMs;
// - replacing timestamp.json: upload `pending.timestamp.json`, delete the old asset, rename the
//   new one. A device polling between the last two steps gets a 404 for that one poll and keeps
//   its model; a publisher killed between them leaves the pending asset, which the next writer
//   renames into place under the lock before doing anything else.
import { readFileSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { ReleaseAsset, ReleaseAssetsApi, ReleaseRef, ReleaseStoreOptions } from './store-types.js';
import type { ChannelStorage } from './types.js';

/** GitHub's limit for one release asset. */
export const MAX_ASSET_BYTES = 2 * 1024 ** 3 - 1;
const LOCK = 'edgeml.lock';
const PENDING = 'pending.';

/** The asset that holds a channel path. */
export function assetName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  // Target files are content-addressed (`<sha256>.<file>`): the name alone is unique.
  const flat = parts[0] === 'targets' ? parts[parts.length - 1] : parts.join('.');
  // GitHub renames names with other characters; map them ourselves so both sides agree.
  return flat.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+|\.+$/g, '');
}

export class ReleaseAssetStorage implements ChannelStorage {
  private release: ReleaseRef | null | undefined;
  private assets = new Map<string, ReleaseAsset>();
  /** lock() found no release: the lock is taken when the first write creates it. */
  private lockOnCreate = false;
  private holding = false;
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;
  private readonly log: (line: string) => void;

  constructor(private readonly api: ReleaseAssetsApi, opts: ReleaseStoreOptions = {}) {
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 5 * 60_000;
    this.staleLockMs = opts.staleLockMs ?? 15 * 60_000;
    this.log = opts.log ?? (() => {});
  }

  get location(): string {
    return this.api.location;
  }

  private async load(): Promise<ReleaseRef | null> {
    if (this.release === undefined) {
      this.release = await this.api.find();
      if (this.release?.draft) {
        throw new UserError(`${this.location} is a draft: devices cannot download a draft's assets; publish the release on GitHub, or use another tag`);
      }
      await this.refresh();
    }
    return this.release;
  }

  private async refresh(): Promise<void> {
    this.assets = new Map(this.release ? (await this.api.assets(this.release)).map((a) => [a.name, a]) : []);
  }

  /** The release to write to; the first write to a new tag creates it, and takes the lock a lock() could not. */
  private async writable(): Promise<ReleaseRef> {
    const found = await this.load();
    if (found) return found;
    this.release = await this.api.create();
    this.log(`created ${this.location}`);
    await this.refresh();
    if (this.lockOnCreate) {
      this.lockOnCreate = false;
      await this.acquire();
    }
    return this.release;
  }

  private uploaded(name: string): ReleaseAsset | undefined {
    const a = this.assets.get(name);
    return a && a.state === 'uploaded' ? a : undefined;
  }

  /** Uploads `name`; false when an uploaded asset of that name exists. Clears a failed upload's leftover first. */
  private async put(name: string, bytes: Buffer): Promise<boolean> {
    const release = await this.writable();
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = this.assets.get(name);
      if (existing?.state === 'uploaded') return false;
      if (existing) await this.dropAsset(existing);
      const asset = await this.api.upload(release, name, bytes);
      if (asset) {
        if (asset.name !== name) {
          await this.api.remove(asset);
          throw new UserError(`${this.location}: GitHub stored ${name} as ${asset.name}; rename the artifact to letters, digits, '.', '_' and '-'`);
        }
        this.assets.set(name, asset);
        return true;
      }
      await this.refresh(); // taken meanwhile: by a finished upload, or by a failed one (state starter)
    }
    return false;
  }

  private async dropAsset(asset: ReleaseAsset): Promise<void> {
    await this.api.remove(asset);
    this.assets.delete(asset.name);
  }

  async read(path: string): Promise<Buffer | null> {
    await this.load();
    const asset = this.uploaded(assetName(path));
    return asset ? this.api.download(asset) : null;
  }

  async createExclusive(path: string, bytes: Buffer): Promise<boolean> {
    return this.put(assetName(path), bytes);
  }

  async putTarget(path: string, localFile: string): Promise<void> {
    const name = assetName(path);
    const size = statSync(localFile).size;
    if (size > MAX_ASSET_BYTES) {
      throw new UserError(`${localFile}: ${size} bytes is over GitHub's 2 GiB limit for a release asset; use --store git:BRANCH or dir for this model`);
    }
    await this.load();
    // Content-addressed: an uploaded asset of that name and size holds these bytes.
    if (this.uploaded(name)?.size === size) return;
    this.log(`uploading ${name} (${(size / 1024 ** 2).toFixed(1)} MiB) to ${this.location}`);
    if (!(await this.put(name, readFileSync(localFile))) && this.uploaded(name)?.size !== size) {
      throw new UserError(`${this.location}: asset ${name} exists with another size; delete it on GitHub (it is not referenced by a release yet) and publish again`);
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const name = assetName(to);
    if (assetName(from) === name || this.uploaded(name)) return;
    const bytes = await this.read(from);
    if (!bytes) throw new UserError(`${this.location}: asset ${assetName(from)} is missing; restore the channel from its source`);
    await this.put(name, bytes);
  }

  async replace(path: string, bytes: Buffer): Promise<void> {
    const name = assetName(path);
    const pending = `${PENDING}${name}`;
    await this.writable();
    const stale = this.assets.get(pending);
    if (stale) await this.dropAsset(stale);
    if (!(await this.put(pending, bytes))) throw new UserError(`${this.location}: could not upload ${pending}; another writer is active without the lock`);
    await this.swapIn(name);
  }

  /** Deletes `name` and renames its pending upload into place. */
  private async swapIn(name: string): Promise<void> {
    const next = this.assets.get(`${PENDING}${name}`)!;
    const old = this.assets.get(name);
    if (old) await this.dropAsset(old);
    this.assets.delete(next.name);
    this.assets.set(name, await this.api.rename(next, name));
  }

  async list(dir: string): Promise<string[]> {
    if (dir !== '') throw new Error(`internal: release assets have no folders (asked for ${dir})`);
    await this.load();
    return [...this.assets.values()].filter((a) => a.state === 'uploaded' && a.name !== LOCK && !a.name.startsWith(PENDING)).map((a) => a.name);
  }

  fileKey(path: string): string {
    return assetName(path);
  }

  async remove(path: string): Promise<boolean> {
    await this.load();
    const asset = this.assets.get(assetName(path));
    if (asset) await this.dropAsset(asset);
    return !!asset;
  }

  async lock(): Promise<() => Promise<void>> {
    // No release yet: nothing to read or guard, and promote/rollback/refresh must not create one.
    if (!(await this.load())) this.lockOnCreate = true;
    else await this.acquire();
    return async () => {
      this.lockOnCreate = false;
      const lock = this.assets.get(LOCK);
      if (this.holding && lock) await this.dropAsset(lock);
      this.holding = false;
    };
  }

  private async acquire(): Promise<void> {
    const deadline = Date.now() + this.lockTimeoutMs;
    const holder = JSON.stringify({ pid: process.pid, run: process.env.GITHUB_RUN_ID ?? null, at: new Date().toISOString() });
    for (let wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
      if (await this.put(LOCK, Buffer.from(holder))) break;
      const held = this.assets.get(LOCK);
      if (held && Date.now() - Date.parse(held.createdAt) > this.staleLockMs) {
        this.log(`${this.location}: taking over a lock left since ${held.createdAt} (a killed publish)`);
        await this.dropAsset(held);
        continue;
      }
      if (Date.now() > deadline) {
        throw new UserError(
          `${this.location}: another publish holds the lock (asset ${LOCK}, since ${held?.createdAt ?? '?'}); wait for it, or delete that asset if no publish is running`,
        );
      }
      await new Promise((r) => setTimeout(r, wait));
      await this.refresh();
    }
    this.holding = true;
    await this.refresh(); // what the previous holder wrote
    await this.recover();
  }

  /** Finishes or drops the replacements a killed writer left. */
  private async recover(): Promise<void> {
    for (const pending of [...this.assets.values()].filter((a) => a.name.startsWith(PENDING))) {
      const name = pending.name.slice(PENDING.length);
      if (pending.state === 'uploaded' && !this.uploaded(name)) {
        // The old file is gone already: the pending one is the newer state, complete and signed.
        this.log(`${this.location}: completing an interrupted update of ${name}`);
        await this.swapIn(name);
      } else {
        await this.dropAsset(pending);
      }
    }
  }
}
