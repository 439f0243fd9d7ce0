// Downloads of target files that survive slow and flaky links: the time limit is the time
// without progress (not the whole transfer), and a cut download resumes on the next poll with an
// HTTP range request. The partial file is named by the sha256 the signed metadata gives, and the
// bytes are used only once the whole file has that length and that hash.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { oneLine } from '../errors.js';

export interface Expected {
  length: number;
  sha256: string;
}

export interface Progress {
  bytes: number;
  total: number;
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The partial file of a download in `dir`; partial files of other downloads are removed. */
export function partialFile(dir: string, sha256: string): string {
  const name = `${sha256}.part`;
  for (const f of readdirSync(dir)) if (f !== name) rmSync(join(dir, f), { force: true, recursive: true });
  return join(dir, name);
}

class Stalled extends Error {}

/**
 * Fetches `url` into `file` (appending to what an earlier poll got), then checks length and
 * sha256. Throws on a stall (no byte for `stallMs`), a cut connection, or bytes that are not the
 * signed ones (the partial file is then deleted, so the next poll starts over).
 */
export async function downloadResumable(url: string, file: string, want: Expected, stallMs: number, onProgress: (p: Progress) => void): Promise<void> {
  let have = existsSync(file) ? statSync(file).size : 0;
  if (have > want.length) {
    rmSync(file, { force: true });
    have = 0;
  }
  if (have < want.length) {
    const ac = new AbortController();
    let timer = setTimeout(() => ac.abort(new Stalled()), stallMs);
    const poke = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ac.abort(new Stalled()), stallMs);
    };
    let fd: number | null = null;
    try {
      const res = await fetch(url, { headers: have ? { range: `bytes=${have}-` } : {}, signal: ac.signal });
      if (res.status === 206) {
        const start = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
        if (!start || Number(start[1]) !== have) throw new Error(`${url}: the server resumed at ${res.headers.get('content-range') ?? '?'}, not at byte ${have}`);
      } else if (res.status === 200) {
        have = 0; // the server ignores ranges: start over
      } else {
        throw new Error(`${url}: HTTP ${res.status}`);
      }
      fd = openSync(file, have ? 'a' : 'w');
      onProgress({ bytes: have, total: want.length });
      for await (const chunk of res.body ?? []) {
        poke();
        const bytes = chunk as Uint8Array;
        if (have + bytes.length > want.length) throw new Error(`${url}: more than the ${want.length} bytes the signed metadata gives; refused`);
        writeSync(fd, bytes);
        have += bytes.length;
        onProgress({ bytes: have, total: want.length });
      }
    } catch (e) {
      if (ac.signal.aborted && ac.signal.reason instanceof Stalled) {
        throw new Error(`download stalled: no data for ${stallMs / 1000} s at byte ${have} of ${want.length}; it resumes from there on the next poll`);
      }
      if (fd !== null && have < want.length) throw new Error(`the download broke off at byte ${have} of ${want.length} (${oneLine(e)}); it resumes from there on the next poll`, { cause: e });
      throw e;
    } finally {
      clearTimeout(timer);
      if (fd !== null) {
        fsyncSync(fd);
        closeSync(fd);
      }
    }
    if (have < want.length) throw new Error(`the connection closed at byte ${have} of ${want.length}; the download resumes from there on the next poll`);
  }
  const sha = await sha256Of(file);
  if (sha !== want.sha256) {
    rmSync(file, { force: true });
    throw new Error(`hash mismatch: the downloaded bytes have sha256 ${sha.slice(0, 12)}, the signed metadata says ${want.sha256.slice(0, 12)}; refused (deleted, the next poll starts over)`);
  }
}
