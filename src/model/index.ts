// A model file on disk: checked, hashed and described before anything loads it.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync, createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { rejectLfsPointerFile } from './lfs.js';
import type { ModelFormat, ModelFile } from './types.js';

/** ORT format files are FlatBuffers with the file identifier "ORTM" at bytes 4..8. */
function sniffFormat(path: string, size: number): ModelFormat {
  const head = Buffer.alloc(Math.min(8, size));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.length === 8 && head.toString('latin1', 4, 8) === 'ORTM') return 'ort';
  return 'onnx';
}

/** Digests already computed this process, by absolute path; stale once the file's size, mtime or inode change. */
const digests = new Map<string, { stamp: string; digest: Promise<string> }>();
/** How many times each file's bytes were read to hash them (the cache's misses), by absolute path. */
const hashReads = new Map<string, number>();

function readDigest(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolveHash(hash.digest('hex')));
  });
}

/**
 * The file's sha256, read once per process while its size, mtime and inode stay the same:
 * `edgeml run` names one model to optimize, bench, compare, evaluate and inspect.
 */
export function sha256File(path: string): Promise<string> {
  const abs = resolve(path);
  let stamp: string;
  try {
    const st = statSync(abs, { bigint: true });
    stamp = `${st.size}:${st.mtimeNs}:${st.ino}:${st.dev}`;
  } catch {
    return readDigest(abs); // the read names the problem
  }
  const known = digests.get(abs);
  if (known?.stamp === stamp) return known.digest;
  hashReads.set(abs, (hashReads.get(abs) ?? 0) + 1);
  const digest = readDigest(abs);
  digests.set(abs, { stamp, digest });
  digest.catch(() => {
    if (digests.get(abs)?.digest === digest) digests.delete(abs);
  });
  return digest;
}

/** Times the bytes of `path` were read to hash them in this process (for tests and diagnostics). */
export function hashReadsOf(path: string): number {
  return hashReads.get(resolve(path)) ?? 0;
}

/**
 * Checks that `path` is a readable, non-empty .onnx or .ort file and describes it. Whether its
 * bytes are a valid model is ONNX Runtime's call when it loads it.
 */
export async function inspectModelFile(path: string): Promise<ModelFile> {
  const abs = resolve(path);
  let size: number;
  try {
    const st = statSync(abs);
    if (st.isDirectory()) throw new UserError(`${path}: is a directory; give the path of an .onnx or .ort file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `${path}: no such model file; check the path given to --model` : `${path}: cannot read the model (${code})`,
    );
  }
  if (size === 0) throw new UserError(`${path}: the model file is empty; re-export it`);
  rejectLfsPointerFile(abs, path);
  const format = sniffFormat(abs, size);
  if (format === 'onnx' && /\.ort$/i.test(abs)) {
    throw new UserError(`${path}: named .ort but not in ORT format; convert it with 'edgeml optimize --target ort-format'`);
  }
  return { path: abs, name: basename(abs), sha256: await sha256File(abs), bytes: size, format };
}

export * from './proto.js';
export type {
  AttributeProto, ConstantValue, GraphProto, Int64, ModelFile, ModelFormat, ModelProto, NodeProto, OperatorSetId, StringStringEntry, TensorProto, TensorShapeDim,
  TypeProto, ValueInfoProto,
} from './types.js';
export { lfsPointer, rejectLfsPointer, rejectLfsPointerFile, LFS_FIX } from './lfs.js';
export { loadModel, saveModel, onnxOpset, allTensors, type SaveOptions } from './io.js';
export * from './graph.js';
export * from './fold.js';
