// Image preprocessing as edgeml.yml datasets and `edgeml eval` flags declare it, applied in the
// order training code applies it (torchvision's Resize -> CenterCrop -> ToTensor -> Normalize):
// decode to RGB -> resize (bilinear) -> center crop -> scale -> (x - mean) / std -> channel order -> layout.
import { UserError } from '../errors.js';
import { parseSetting, type SettingsTable } from '../settings/index.js';

const IMAGES = 'image datasets:';

/**
 * An image dataset's preprocessing: the flags of `edgeml eval`, spelled as the keys of a dataset
 * of edgeml.yml (parsePreprocess below takes both, with these defaults).
 */
export const PREPROCESS_SETTINGS = {
  resize: { kind: 'string', value: '<HxW|N>', help: `${IMAGES} bilinear resize to HxW, or the shorter side to N` },
  crop: { kind: 'string', value: '<HxW|N>', help: `${IMAGES} center crop` },
  mean: { kind: 'string', value: '<r,g,b>', default: '0,0,0', help: `${IMAGES} subtracted per channel after --scale` },
  std: { kind: 'string', value: '<r,g,b>', default: '1,1,1', help: `${IMAGES} divided per channel after --mean` },
  layout: { kind: 'enum', choices: ['NCHW', 'NHWC'], anyCase: true, default: 'NCHW', value: '<NCHW|NHWC>', help: `${IMAGES} tensor layout` },
  channels: { kind: 'enum', choices: ['RGB', 'BGR'], anyCase: true, default: 'RGB', value: '<RGB|BGR>', help: `${IMAGES} channel order` },
  scale: { kind: 'enum', choices: ['0-1', '0-255'], anyCase: true, default: '0-1', value: '<0-1|0-255>', help: `${IMAGES} pixel range before --mean/--std` },
} as const satisfies SettingsTable;

export interface Preprocess {
  /** [height, width], or the shorter side (aspect kept) when one number; absent: no resize. */
  resize?: [number, number] | number;
  /** [height, width] taken from the center; absent: no crop. */
  crop?: [number, number];
  /** Per channel (in the order of `channels`), in the units `scale` gives. */
  mean: [number, number, number];
  /** Per channel. */
  std: [number, number, number];
  layout: (typeof PREPROCESS_SETTINGS.layout.choices)[number];
  channels: (typeof PREPROCESS_SETTINGS.channels.choices)[number];
  /** Pixel values before mean/std: 0-1 (divided by 255) or 0-255 (as decoded). */
  scale: (typeof PREPROCESS_SETTINGS.scale.choices)[number];
}

/** Preprocessing as written: edgeml.yml keys and CLI flags, spelled alike; absent: the default of PREPROCESS_SETTINGS. */
export interface PreprocessText {
  resize?: string | number;
  crop?: string | number;
  mean?: string | number[];
  std?: string | number[];
  layout?: string;
  channels?: string;
  scale?: string;
}

export const PREPROCESS_KEYS = Object.keys(PREPROCESS_SETTINGS) as Array<keyof typeof PREPROCESS_SETTINGS>;

/** RGB(A) pixels as decoded: `data` holds `channels` bytes per pixel, rows top to bottom. */
export interface Pixels {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

function size(text: string | number, what: string, one: boolean): [number, number] | number {
  const raw = String(text).trim();
  const m = /^(\d+)(?:x(\d+))?$/.exec(raw);
  if (!m || Number(m[1]) < 1 || (m[2] !== undefined && Number(m[2]) < 1)) {
    throw new UserError(`${what} ${JSON.stringify(raw)}: expected HEIGHTxWIDTH such as 224x224${one ? ', or one number for the shorter side such as 256' : ' or one number for a square such as 224'}`);
  }
  if (m[2] === undefined) return one ? Number(m[1]) : [Number(m[1]), Number(m[1])];
  return [Number(m[1]), Number(m[2])];
}

function triple(text: string | number[], what: string, positive: boolean): [number, number, number] {
  const list = Array.isArray(text) ? text : String(text).split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  const ok = list.length === 3 && list.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0));
  if (!ok) throw new UserError(`${what} ${JSON.stringify(Array.isArray(text) ? text.join(',') : text)}: expected three${positive ? ' positive' : ''} numbers, one per channel, such as ${positive ? '0.229,0.224,0.225' : '0.485,0.456,0.406'}`);
  return list as [number, number, number];
}

/** An enum key (layout, channels, scale) by its setting: the table's default when absent. */
function choice<K extends 'layout' | 'channels' | 'scale'>(p: PreprocessText, key: K, what: string): Preprocess[K] {
  const s = PREPROCESS_SETTINGS[key];
  return parseSetting(s, p[key] ?? s.default, what) as Preprocess[K];
}

/**
 * Checks and parses preprocessing; `where(key)` names the key in messages (`--crop` for a flag,
 * `edgeml.yml: datasets.imagenet.crop` for the config).
 */
export function parsePreprocess(p: PreprocessText, where: (key: string) => string = (k) => `--${k}`): Preprocess {
  return {
    ...(p.resize !== undefined ? { resize: size(p.resize, where('resize'), true) } : {}),
    ...(p.crop !== undefined ? { crop: size(p.crop, where('crop'), false) as [number, number] } : {}),
    mean: triple(p.mean ?? PREPROCESS_SETTINGS.mean.default, where('mean'), false),
    std: triple(p.std ?? PREPROCESS_SETTINGS.std.default, where('std'), true),
    layout: choice(p, 'layout', where('layout')),
    channels: choice(p, 'channels', where('channels')),
    scale: choice(p, 'scale', where('scale')),
  };
}

/** Height and width after resize and crop (null: the image's own size). */
export function outputSize(p: Preprocess): [number, number] | null {
  if (p.crop) return p.crop;
  if (Array.isArray(p.resize)) return p.resize;
  return null;
}

/**
 * Bilinear resize of 3-channel float pixels with half-pixel centers (OpenCV INTER_LINEAR,
 * PyTorch align_corners=False, no antialiasing): src = (dst + 0.5) * in/out - 0.5, clamped.
 */
export function resizeBilinear(src: Float32Array, w: number, h: number, outW: number, outH: number): Float32Array {
  const out = new Float32Array(outW * outH * 3);
  const sx = w / outW;
  const sy = h / outH;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * w + x0) * 3 + c];
        const b = src[(y0 * w + x1) * 3 + c];
        const d = src[(y1 * w + x0) * 3 + c];
        const e = src[(y1 * w + x1) * 3 + c];
        out[(y * outW + x) * 3 + c] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
      }
    }
  }
  return out;
}

/** One decoded image -> the model's input values for one sample ([C,H,W] or [H,W,C]). */
export function preprocess(img: Pixels, p: Preprocess): { data: Float32Array; height: number; width: number } {
  let w = img.width;
  let h = img.height;
  // RGB floats, alpha dropped (as PIL's convert('RGB') does).
  let rgb: Float32Array = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[i * img.channels + c];
  if (p.resize !== undefined) {
    const [rh, rw] = Array.isArray(p.resize)
      ? p.resize
      : h <= w ? [p.resize, Math.round((p.resize * w) / h)] : [Math.round((p.resize * h) / w), p.resize];
    if (rh !== h || rw !== w) rgb = resizeBilinear(rgb, w, h, rw, rh);
    [w, h] = [rw, rh];
  }
  let top = 0;
  let left = 0;
  let outH = h;
  let outW = w;
  if (p.crop) {
    [outH, outW] = p.crop;
    if (outH > h || outW > w) throw new UserError(`crop ${outH}x${outW} is larger than the ${h}x${w} image${p.resize ? ' after resize' : ''}; resize to at least the crop size`);
    top = Math.round((h - outH) / 2);
    left = Math.round((w - outW) / 2);
  }
  const k = p.scale === '0-1' ? 1 / 255 : 1;
  const order = p.channels === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const out = new Float32Array(outH * outW * 3);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const at = ((y + top) * w + (x + left)) * 3;
      for (let c = 0; c < 3; c++) {
        const v = (rgb[at + order[c]] * k - p.mean[c]) / p.std[c];
        out[p.layout === 'NCHW' ? c * outH * outW + y * outW + x : (y * outW + x) * 3 + c] = v;
      }
    }
  }
  return { data: out, height: outH, width: outW };
}
