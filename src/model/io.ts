// Loading and saving ONNX model files, external data files included.
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, relative } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import { rejectLfsPointer } from './lfs.js';
import { decodeModel, encodeModel, num } from './proto.js';
import type { ModelProto, TensorProto } from './types.js';
import { allGraphs } from './graph.js';

const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

/** Every tensor held by a model: initializers and tensor attributes, in every sub-graph. */
export function allTensors(model: ModelProto): TensorProto[] {
  const out: TensorProto[] = [];
  for (const g of allGraphs(model)) {
    out.push(...g.initializer);
    for (const n of g.node) {
      for (const a of n.attribute) {
        if (a.t) out.push(a.t);
        out.push(...a.tensors);
      }
    }
  }
  return out;
}

function entry(t: TensorProto, key: string): string | undefined {
  return t.external_data.find((e) => e.key === key)?.value;
}

/**
 * Reads tensors stored in external data files into raw_data, so passes see every weight alike.
 * Locations are relative to the model's folder and may not leave it (as ONNX's checker requires).
 */
function loadExternal(model: ModelProto, file: string): void {
  const dir = dirname(file);
  const fds = new Map<string, number>();
  try {
    for (const t of allTensors(model)) {
      if (t.data_location !== EXTERNAL) continue;
      const location = entry(t, 'location');
      if (!location || isAbsolute(location) || normalize(location).startsWith('..')) {
        throw new UserError(`${file}: tensor '${t.name}' has external data location '${location ?? ''}' outside the model's folder; keep the data file next to the model`);
      }
      const path = join(dir, location);
      let fd = fds.get(path);
      if (fd === undefined) {
        try {
          fd = openSync(path, 'r');
        } catch (e) {
          throw new UserError(`${file}: external data file ${path} for tensor '${t.name}' cannot be read (${(e as NodeJS.ErrnoException).code}); copy it next to the model`);
        }
        fds.set(path, fd);
      }
      const offset = Number(entry(t, 'offset') ?? 0);
      const length = entry(t, 'length');
      const size = length === undefined ? readFileSync(path).length - offset : Number(length);
      const buf = Buffer.alloc(size);
      const got = readSync(fd, buf, 0, size, offset);
      if (got !== size) throw new UserError(`${file}: external data file ${path} is shorter than tensor '${t.name}' needs; re-export the model`);
      t.raw_data = buf;
      t.external_data = [];
      delete t.data_location;
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
}

/** Decodes an ONNX file and its external data. Not a model: UserError naming the file. */
export function loadModel(file: string, flag = '--model'): ModelProto {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}; check the path`);
  }
  rejectLfsPointer(bytes, `${flag} ${file}`);
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new UserError(`${flag} ${file}: not an ONNX model (${oneLine(e)}); give an .onnx file`);
  }
  if (!model.graph || model.graph.node.length === 0 || model.opset_import.length === 0) {
    throw new UserError(`${flag} ${file}: not an ONNX model (no graph or opset); give an .onnx file`);
  }
  loadExternal(model, file);
  return model;
}

export interface SaveOptions {
  /** Tensors of at least this many bytes go to `<model>.data` next to the model. Default: none. */
  externalDataThreshold?: number;
}

/** Encodes a model to `file` (and its external data file when asked). Returns the files written. */
export function saveModel(model: ModelProto, file: string, opts: SaveOptions = {}): string[] {
  const written = [file];
  const threshold = opts.externalDataThreshold;
  const restore: Array<() => void> = [];
  try {
    if (threshold !== undefined) {
      const dataFile = `${file}.data`;
      const chunks: Uint8Array[] = [];
      let offset = 0;
      for (const t of allTensors(model)) {
        const raw = t.raw_data;
        if (!raw || raw.length < threshold) continue;
        // ORT maps external data with page alignment in mind: start each tensor on 4 KiB.
        const pad = (4096 - (offset % 4096)) % 4096;
        if (pad) chunks.push(new Uint8Array(pad));
        offset += pad;
        const saved = { raw, loc: t.data_location, ext: t.external_data };
        t.external_data = [
          { key: 'location', value: relative(dirname(file), dataFile) || basename(dataFile) },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(raw.length) },
        ];
        t.data_location = EXTERNAL;
        delete t.raw_data;
        restore.push(() => {
          t.raw_data = saved.raw;
          t.external_data = saved.ext;
          if (saved.loc === undefined) delete t.data_location;
          else t.data_location = saved.loc;
        });
        chunks.push(raw);
        offset += raw.length;
      }
      if (chunks.length) {
        writeFileSync(dataFile, Buffer.concat(chunks));
        written.push(dataFile);
      }
    }
    writeFileSync(file, encodeModel(model));
  } finally {
    for (const undo of restore) undo();
  }
  return written;
}

/** The opset of the default ONNX domain. */
export function onnxOpset(model: ModelProto): number {
  const imp = model.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx');
  return imp ? num(imp.version) : 0;
}
