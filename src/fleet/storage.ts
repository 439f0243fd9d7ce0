// Where a channel's files live. The repository code sees only this interface; a local folder is
// one backend (tests, air-gapped bundles, a checkout of a Pages branch); release-assets.ts the other.
// Versioned files are created exclusively (compare-and-swap on the version number) and never
// replaced; only the unversioned entry points (timestamp.json, root.json) are replaced, atomically.
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import type { ChannelStorage } from './types.js';

const LOCK = '.edgeml.lock';

export class LocalDirStorage implements ChannelStorage {
  /** `root` is the folder; `location` names it in messages (a branch's work tree is a temp folder). */
  constructor(private readonly root: string, private readonly lockTimeoutMs = 60_000, readonly location = root) {}

  private full(path: string): string {
    return join(this.root, ...path.split('/'));
  }

  async read(path: string): Promise<Buffer | null> {
    try {
      return readFileSync(this.full(path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async createExclusive(path: string, bytes: Buffer): Promise<boolean> {
    const file = this.full(path);
    mkdirSync(dirname(file), { recursive: true });
    // Write a private temp file, then hard-link it into place: link fails if the name exists,
    // and the name never points at a half-written file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeDurable(tmp, bytes);
    try {
      linkSync(tmp, file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  async putTarget(path: string, localFile: string): Promise<void> {
    const file = this.full(path);
    // Content-addressed (the name starts with its sha256): a file of the right size is the right file.
    if (existsSync(file) && statSync(file).size === statSync(localFile).size) return;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    copyFileSync(localFile, tmp);
    chmodSync(tmp, 0o644); // served to devices: readable whatever the artifact's or the umask's mode
    renameSync(tmp, file);
  }

  async copy(from: string, to: string): Promise<void> {
    await this.putTarget(to, this.full(from));
  }

  async replace(path: string, bytes: Buffer): Promise<void> {
    const file = this.full(path);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeDurable(tmp, bytes);
    renameSync(tmp, file);
  }

  async list(dir: string): Promise<string[]> {
    try {
      return readdirSync(dir ? this.full(dir) : this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async remove(path: string): Promise<boolean> {
    const file = this.full(path);
    if (!existsSync(file)) return false;
    rmSync(file, { force: true });
    // Folders left empty go too (targets/<channel>/models/<name>/<version>/<target>/).
    for (let dir = dirname(file); dir.startsWith(`${this.root}/`) && readdirSync(dir).length === 0; dir = dirname(dir)) rmdirSync(dir);
    return true;
  }

  fileKey(path: string): string {
    return path;
  }

  async lock(): Promise<() => Promise<void>> {
    mkdirSync(this.root, { recursive: true });
    const file = join(this.root, LOCK);
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return async () => rmSync(file, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new UserError(`${file}: cannot create the lock file (${oneLine(e)}); check that --repo is writable`);
        }
      }
      // A lock whose process is gone (killed mid-publish) is stale: take it over.
      const holder = Number(readFileSafe(file).trim());
      if (holder && !alive(holder)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new UserError(`${file}: another publish (pid ${holder || '?'}) holds the channel lock; wait for it, or remove the file if no publish is running`);
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeDurable(file: string, bytes: Buffer): void {
  writeFileSync(file, bytes, { mode: 0o644 });
  chmodSync(file, 0o644); // public metadata: 0644 whatever the umask
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
