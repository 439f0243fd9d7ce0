// Image datasets: a JSONL manifest of image files and labels, one `{"image": "cat.png", "label": 3}`
// a line (paths relative to the manifest), PNG and JPEG decoded in pure JS (pngjs, jpeg-js) and
// preprocessed into model inputs batch by batch, so a large dataset is never all in memory.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { UserError, oneLine } from '../errors.js';
import { outputSize, preprocess, type Pixels, type Preprocess } from './preprocess.js';

export interface ManifestEntry {
  /** Absolute path of the image. */
  image: string;
  /** As written in the manifest, for messages. */
  written: string;
  /** A class id, or targets for mae/rmse. */
  label: number | number[];
  line: number;
}

/** Reads a manifest; every problem names the manifest's line. */
export function readManifest(file: string): ManifestEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`--dataset ${file}: ${code === 'ENOENT' ? 'no such manifest' : `cannot read it (${code})`}; give a JSONL file with one {"image": "a.png", "label": 3} per line`);
  }
  const base = dirname(resolve(file));
  const entries: ManifestEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (e) {
      throw new UserError(`${file}:${line}: not JSON (${oneLine(e)}); write one {"image": "a.png", "label": 3} per line`);
    }
    const r = row as { image?: unknown; label?: unknown };
    if (typeof row !== 'object' || row === null || typeof r.image !== 'string' || !r.image) {
      throw new UserError(`${file}:${line}: no "image" path; write {"image": "a.png", "label": 3}`);
    }
    const label = r.label;
    const okLabel = (typeof label === 'number' && Number.isFinite(label)) || (Array.isArray(label) && label.length > 0 && label.every((v) => typeof v === 'number' && Number.isFinite(v)));
    if (!okLabel) throw new UserError(`${file}:${line}: "label" must be a class id or a list of numbers, got ${JSON.stringify(label) ?? 'nothing'}`);
    entries.push({ image: resolve(base, r.image), written: r.image, label: label as number | number[], line });
  });
  if (!entries.length) throw new UserError(`--dataset ${file}: the manifest lists no images; write one {"image": "a.png", "label": 3} per line`);
  return entries;
}

/** Decodes a PNG or JPEG (told apart by their first bytes) to RGBA; problems name the manifest line. */
export function decodeImage(entry: ManifestEntry, manifest: string): Pixels {
  const where = `${manifest}:${entry.line}: ${entry.written}`;
  let bytes: Buffer;
  try {
    bytes = readFileSync(entry.image);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${where}: ${code === 'ENOENT' ? 'no such image file' : `cannot read it (${code})`}; image paths are relative to the manifest`);
  }
  const isPng = bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) throw new UserError(`${where}: not a PNG or JPEG file; convert it or drop the line`);
  try {
    if (isPng) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 100, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, channels: 4, data: img.data };
  } catch (e) {
    throw new UserError(`${where}: cannot decode the ${isPng ? 'PNG' : 'JPEG'} (${oneLine(e)}); the file is damaged or truncated`);
  }
}

/** Shape of one sample after preprocessing, without the batch axis. */
export function sampleShape(p: Preprocess, height: number, width: number): number[] {
  return p.layout === 'NCHW' ? [3, height, width] : [height, width, 3];
}

/**
 * The samples of `entries[start, end)` as one batch: [n, ...sampleShape]. Every image must come
 * out the same size (give resize or crop when the images differ).
 */
export function imageBatch(entries: ManifestEntry[], start: number, end: number, p: Preprocess, manifest: string): { data: Float32Array; shape: number[] } {
  let size = outputSize(p);
  let data: Float32Array | undefined;
  for (let i = start; i < end; i++) {
    const e = entries[i];
    let out;
    try {
      out = preprocess(decodeImage(e, manifest), p);
    } catch (err) {
      if (err instanceof UserError && !err.message.startsWith(manifest)) throw new UserError(`${manifest}:${e.line}: ${e.written}: ${err.message}`);
      throw err;
    }
    if (!size) size = [out.height, out.width];
    if (out.height !== size[0] || out.width !== size[1]) {
      throw new UserError(`${manifest}:${e.line}: ${e.written}: is ${out.height}x${out.width}, the images before it ${size[0]}x${size[1]}; give --resize or --crop so every image comes out the same size`);
    }
    data ??= new Float32Array((end - start) * out.data.length);
    data.set(out.data, (i - start) * out.data.length);
  }
  return { data: data ?? new Float32Array(0), shape: [end - start, ...sampleShape(p, size![0], size![1])] };
}

/** Labels of the manifest as one flat array (class ids, or targets row after row). */
export function manifestLabels(entries: ManifestEntry[], manifest: string): Float64Array {
  const per = Array.isArray(entries[0].label) ? entries[0].label.length : 1;
  const out = new Float64Array(entries.length * per);
  entries.forEach((e, i) => {
    const values = Array.isArray(e.label) ? e.label : [e.label];
    if (values.length !== per) throw new UserError(`${manifest}:${e.line}: "label" has ${values.length} values, the lines before it ${per}; give every image the same kind of label`);
    out.set(values, i * per);
  });
  return out;
}
