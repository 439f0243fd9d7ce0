// The device's install state: two slots (a, b) and a `current` symlink switched by rename, so a
// reader, or an agent restarted after kill -9, always finds one complete model. The slot that is
// not current holds the previous model until the next install replaces it.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ReleaseInfo } from '../fleet/index.js';

export type SlotName = 'a' | 'b';

/** What a slot holds: written into it last, so a slot without it is incomplete. */
export interface Installed {
  model: string;
  version: string;
  release: number;
  channel: string;
  target: string;
  file: string;
  sha256: string;
  installedAt: string;
  slot: SlotName;
}

export interface Layout {
  dir: string;
  metadata: string;
  staging: string;
  slots: string;
  current: string;
  status: string;
  /** TMPDIR of the agent and its children: emptied at every start. */
  tmp: string;
  /** Partial downloads, kept between polls so a cut download resumes. */
  downloads: string;
}

export function layout(dir: string): Layout {
  return {
    dir, metadata: join(dir, 'metadata'), staging: join(dir, 'staging'), slots: join(dir, 'slots'),
    current: join(dir, 'current'), status: join(dir, 'status.json'), tmp: join(dir, 'tmp'), downloads: join(dir, 'downloads'),
  };
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes through a temp file, fsync and a rename: the file is old or new, never half of either. */
export function writeFileDurable(file: string, bytes: string | Buffer): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, bytes);
  syncFile(tmp);
  renameSync(tmp, file);
  syncFile(dirname(file));
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileDurable(file, `${JSON.stringify(value, null, 2)}\n`);
}

function readInstalled(slotDir: string): Installed | null {
  try {
    return JSON.parse(readFileSync(join(slotDir, 'release.json'), 'utf8')) as Installed;
  } catch {
    return null;
  }
}

export function currentSlot(l: Layout): SlotName | null {
  try {
    const name = basename(readlinkSync(l.current));
    return name === 'a' || name === 'b' ? name : null;
  } catch {
    return null;
  }
}

export function installed(l: Layout, slot: SlotName | null): Installed | null {
  return slot ? readInstalled(join(l.slots, slot)) : null;
}

/** Startup: drop whatever a killed run left half-done; `current` and the slots it points to stay. */
export function recover(l: Layout): void {
  for (const d of [l.dir, l.metadata, l.slots, l.downloads]) mkdirSync(d, { recursive: true });
  rmSync(l.staging, { recursive: true, force: true });
  rmSync(l.tmp, { recursive: true, force: true });
  mkdirSync(l.tmp);
  for (const f of readdirSync(l.metadata)) if (f.endsWith('.tmp')) rmSync(join(l.metadata, f), { force: true });
  rmSync(`${l.current}.tmp`, { force: true });
  rmSync(`${l.status}.tmp`, { force: true });
  const cur = currentSlot(l);
  if (cur && !installed(l, cur)) rmSync(l.current, { force: true }); // never happens by our own writes
  for (const s of ['a', 'b'] as const) {
    if (s !== cur && existsSync(join(l.slots, s)) && !installed(l, s)) rmSync(join(l.slots, s), { recursive: true, force: true });
  }
}

/** A fresh staging folder for a download. */
export function stage(l: Layout): string {
  rmSync(l.staging, { recursive: true, force: true });
  mkdirSync(l.staging, { recursive: true });
  return l.staging;
}

/**
 * Moves the verified, health-checked staging folder into the slot that is not current, then
 * points `current` at it with one rename. Returns what is now current and what is previous.
 */
export function activate(l: Layout, info: ReleaseInfo, channel: string, sha256: string, now: Date): { current: Installed; previous: Installed | null } {
  const cur = currentSlot(l);
  const slot = otherSlot(cur);
  const record: Installed = {
    model: info.model, version: info.version, release: info.release, channel, target: info.target, file: info.file,
    sha256, installedAt: now.toISOString(), slot,
  };
  syncFile(join(l.staging, info.file));
  writeJsonAtomic(join(l.staging, 'release.json'), record);
  const slotDir = join(l.slots, slot);
  rmSync(slotDir, { recursive: true, force: true });
  renameSync(l.staging, slotDir);
  pointAt(l, slot);
  return { current: record, previous: installed(l, cur) };
}

/** The slot an install goes to: the one that is not current. */
export function otherSlot(cur: SlotName | null): SlotName {
  return cur === 'a' ? 'b' : 'a';
}

/** Points `current` at a slot with one rename (a rollback after a failed check points it back). */
export function pointAt(l: Layout, slot: SlotName): void {
  const tmp = `${l.current}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(join('slots', slot), tmp);
  renameSync(tmp, l.current);
  syncFile(l.dir);
}

/** Removes `current` (a first install that failed after the switch): the device has no model again. */
export function unpoint(l: Layout): void {
  rmSync(l.current, { force: true });
  syncFile(l.dir);
}
