// A Git LFS pointer checked out in place of the model: a few lines of text naming the object that
// `git lfs` would fetch. Recognised before anything loads or measures the file.
import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';

const SIGNATURE = 'version https://git-lfs.github.com/spec/';
/** The spec caps a pointer at 1024 bytes. */
const MAX_POINTER = 1024;

/** The object a pointer names, or null when `bytes` are not an LFS pointer. */
export function lfsPointer(bytes: Buffer): { oid: string; size: number } | null {
  if (bytes.length > MAX_POINTER || !bytes.toString('latin1', 0, SIGNATURE.length).startsWith(SIGNATURE)) return null;
  const text = bytes.toString('utf8');
  const oid = /^oid (sha256:[0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  return oid && size ? { oid, size: Number(size) } : null;
}

/** The fix, the same wherever a pointer is found. */
export const LFS_FIX =
  "fetch the LFS objects: set 'lfs: true' on actions/checkout (for the base too: its 'git lfs' filter then fetches it), or run 'git lfs pull' locally";

function pointerError(what: string, p: { oid: string; size: number }): UserError {
  return new UserError(`${what}: is a Git LFS pointer (${p.oid}, ${p.size} bytes), not the model; ${LFS_FIX}`);
}

/** Throws a UserError naming `what` when `bytes` are an LFS pointer. */
export function rejectLfsPointer(bytes: Buffer, what: string): void {
  const p = lfsPointer(bytes);
  if (p) throw pointerError(what, p);
}

/** Throws a UserError naming `path` when the file is an LFS pointer (reads at most 1 KiB). */
export function rejectLfsPointerFile(path: string, what = path): void {
  const head = Buffer.alloc(MAX_POINTER + 1);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  rejectLfsPointer(head.subarray(0, n), what);
}
