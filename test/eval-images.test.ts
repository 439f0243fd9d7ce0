// Image datasets: PNG and JPEG files (made here with the same libraries that decode them), a JSONL
// manifest, preprocessing checked value by value against hand-computed tensors, and edgeml eval on them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { imageBatch, readManifest } from '../src/eval/images.js';
import { parsePreprocess, preprocess, resizeBilinear } from '../src/eval/preprocess.js';
import { ROOT, edgeml, tempDir } from './helpers.js';

const MODEL = join(ROOT, 'test/fixtures/rgb-mean.onnx');
const dir = tempDir();

/** An RGB image from rows of [r, g, b] pixels, as PNG. */
function png(file: string, rows: number[][][]): string {
  const img = new PNG({ width: rows[0].length, height: rows.length });
  rows.flat().forEach(([r, g, b], i) => img.data.set([r, g, b, 255], i * 4));
  writeFileSync(join(dir, file), PNG.sync.write(img));
  return file;
}

function jpg(file: string, w: number, h: number, [r, g, b]: number[]): string {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([r, g, b, 255], i * 4);
  writeFileSync(join(dir, file), jpeg.encode({ data, width: w, height: h }, 100).data);
  return file;
}

function manifest(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const p = (text: Parameters<typeof parsePreprocess>[0]) => parsePreprocess(text);

describe('preprocessing', () => {
  // 2 rows x 3 columns: red, green, blue / white, black, grey.
  const rows = [[[255, 0, 0], [0, 255, 0], [0, 0, 255]], [[255, 255, 255], [0, 0, 0], [100, 150, 200]]];
  const m = manifest('six.jsonl', [JSON.stringify({ image: png('six.png', rows), label: 0 })]);
  const entries = readManifest(m);

  it('decodes a PNG into NCHW RGB at 0-255, as written', () => {
    const b = imageBatch(entries, 0, 1, p({ scale: '0-255' }), m);
    expect(b.shape).toEqual([1, 3, 2, 3]);
    expect([...b.data]).toEqual([255, 0, 0, 255, 0, 100, /* G */ 0, 255, 0, 255, 0, 150, /* B */ 0, 0, 255, 255, 0, 200]);
  });

  it('NHWC, BGR, scale 0-1, mean and std', () => {
    const b = imageBatch(entries, 0, 1, p({ layout: 'nhwc', channels: 'BGR', scale: '0-1', mean: '0.5,0.5,0.5', std: '0.5,0.25,0.5' }), m);
    expect(b.shape).toEqual([1, 2, 3, 3]);
    // Last pixel (100, 150, 200) as B, G, R: (200/255 - 0.5)/0.5, (150/255 - 0.5)/0.25, (100/255 - 0.5)/0.5.
    const last = [...b.data.slice(15)];
    [(200 / 255 - 0.5) / 0.5, (150 / 255 - 0.5) / 0.25, (100 / 255 - 0.5) / 0.5].forEach((v, i) => expect(last[i]).toBeCloseTo(v, 5));
    expect([...b.data.slice(0, 3)].map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-1, -2, 1]); // red pixel as B, G, R
  });

  it('resizes bilinearly with half-pixel centres, by hand', () => {
    // One channel shown: a row 0, 100 upscaled to 4 wide -> 0, 25, 75, 100 (edges clamped).
    const src = Float32Array.from([0, 0, 0, 100, 100, 100]);
    expect([...resizeBilinear(src, 2, 1, 4, 1)].filter((_, i) => i % 3 === 0)).toEqual([0, 25, 75, 100]);
    // 4 wide -> 2 wide: each output pixel is the mean of two neighbours.
    const row = Float32Array.from([0, 10, 20, 30].flatMap((v) => [v, v, v]));
    expect([...resizeBilinear(row, 4, 1, 2, 1)].filter((_, i) => i % 3 === 0)).toEqual([5, 25]);
    // 2x2 -> 3x3: the centre is the mean of all four.
    const sq = Float32Array.from([0, 40, 80, 120].flatMap((v) => [v, v, v]));
    const out = resizeBilinear(sq, 2, 2, 3, 3);
    expect(out[4 * 3]).toBeCloseTo(60, 5);
  });

  it('resizes the shorter side, then crops the centre', () => {
    // 4x8 image with column x = 10 * x; resize shorter side 2 -> 2x4; crop 2x2 keeps columns 1..2.
    const wide = png('wide.png', Array.from({ length: 4 }, () => Array.from({ length: 8 }, (_, x) => [10 * x, 0, 0])));
    const mw = manifest('wide.jsonl', [JSON.stringify({ image: wide, label: 0 })]);
    const b = imageBatch(readManifest(mw), 0, 1, p({ resize: 2, crop: '2', scale: '0-255' }), mw);
    expect(b.shape).toEqual([1, 3, 2, 2]);
    // Downscaled columns are means of pairs: 5, 25, 45, 65; the centre crop keeps 25 and 45.
    expect([...b.data.slice(0, 4)]).toEqual([25, 45, 25, 45]);
    expect(() => preprocess({ width: 2, height: 2, channels: 4, data: new Uint8Array(16) }, p({ crop: '3x3' }))).toThrow(/crop 3x3 is larger than the 2x2 image/);
  });

  it('decodes a JPEG (grey values within JPEG rounding)', () => {
    const mj = manifest('jpeg.jsonl', [JSON.stringify({ image: jpg('grey.jpg', 16, 8, [120, 60, 200]), label: 2 })]);
    const b = imageBatch(readManifest(mj), 0, 1, p({ scale: '0-255' }), mj);
    expect(b.shape).toEqual([1, 3, 8, 16]);
    const mean = (c: number) => b.data.slice(c * 128, (c + 1) * 128).reduce((a, v) => a + v, 0) / 128;
    expect(Math.abs(mean(0) - 120)).toBeLessThan(3);
    expect(Math.abs(mean(1) - 60)).toBeLessThan(3);
    expect(Math.abs(mean(2) - 200)).toBeLessThan(3);
  });

  it('refuses bad preprocessing with the flag and an example', () => {
    expect(() => p({ crop: '224x' })).toThrow(/--crop "224x": expected HEIGHTxWIDTH such as 224x224/);
    expect(() => p({ std: '1,0,1' })).toThrow(/--std "1,0,1": expected three positive numbers/);
    expect(() => p({ layout: 'CHW' })).toThrow(/--layout "CHW": expected one of NCHW, NHWC/);
  });

  it("takes the defaults from eval's settings table, and a layout or channel order in any case", () => {
    expect(p({})).toEqual({ mean: [0, 0, 0], std: [1, 1, 1], layout: 'NCHW', channels: 'RGB', scale: '0-1' });
    expect(p({ layout: 'nhwc', channels: 'bgr', scale: '0-255' })).toMatchObject({ layout: 'NHWC', channels: 'BGR', scale: '0-255' });
    expect(() => p({ scale: '0-100' })).toThrow(/--scale "0-100": expected one of 0-1, 0-255/);
  });
});

describe('edgeml eval --dataset', () => {
  const lines = [
    { image: png('red.png', [[[200, 10, 10], [250, 0, 0]], [[180, 20, 0], [220, 30, 30]]]), label: 0 },
    { image: jpg('green.jpg', 8, 8, [10, 220, 30]), label: 1 },
    { image: png('blue.png', [[[0, 0, 255]]]), label: 2 },
    { image: png('blue2.png', [[[0, 0, 255]]]), label: 0 }, // mislabelled: top1 = 3/4
  ];
  const m = manifest('colours.jsonl', lines.map((l) => JSON.stringify(l)));

  it('scores a model on PNG and JPEG files (top1 3/4), and BGR swaps red and blue', () => {
    const r = edgeml(['eval', '--model', MODEL, '--dataset', m, '--resize', '4x4', '--metric', 'top1', '--batch-size', '3', '--json', join(dir, 'e.json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on 4 samples\ntop1: 75\.00%/);
    const doc = JSON.parse(readFileSync(join(dir, 'e.json'), 'utf8'));
    expect(doc.dataset).toEqual({ path: m, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), samples: 4 });
    const bgr = edgeml(['eval', '--model', MODEL, '--dataset', m, '--resize', '4x4', '--channels', 'BGR', '--metric', 'top1']);
    expect(bgr.stdout).toMatch(/top1: 50\.00%/); // red -> class 2, blue -> class 0: only green and the mislabelled blue agree
  });

  it('takes the dataset and its preprocessing from edgeml.yml by name', () => {
    const cfg = join(dir, 'edgeml.yml');
    writeFileSync(cfg, 'datasets:\n  colours:\n    inputs: colours.jsonl\n    metrics: [top1]\n    resize: 4x4\n    channels: BGR\n');
    const r = edgeml(['eval', '--model', MODEL, '--config', cfg, '--dataset', 'colours']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/top1: 50\.00%/);
    // A flag wins over the config.
    expect(edgeml(['eval', '--model', MODEL, '--config', cfg, '--dataset', 'colours', '--channels', 'RGB']).stdout).toMatch(/top1: 75\.00%/);
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'datasets:\n  colours:\n    inputs: colours.jsonl\n    layout: CHW\n');
    const b = edgeml(['eval', '--model', MODEL, '--config', bad, '--dataset', 'colours']);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/bad\.yml:4:13: datasets\.colours\.layout: expected one of NCHW, NHWC/);
  });

  it('a corrupt image, a missing file or a bad line: exit 2, one line naming the manifest line, nothing written', () => {
    writeFileSync(join(dir, 'broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(20, 7)]));
    writeFileSync(join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
    writeFileSync(join(dir, 'text.png'), 'hello');
    const cases: Array<[string, string, RegExp]> = [
      ['corrupt PNG', JSON.stringify({ image: 'broken.png', label: 1 }), /corrupt-png\.jsonl:2: broken\.png: cannot decode the PNG \(.+\); the file is damaged or truncated$/],
      ['corrupt JPEG', JSON.stringify({ image: 'broken.jpg', label: 1 }), /corrupt-jpeg\.jsonl:2: broken\.jpg: cannot decode the JPEG \(.+\); the file is damaged or truncated$/],
      ['not an image', JSON.stringify({ image: 'text.png', label: 1 }), /not-an-image\.jsonl:2: text\.png: not a PNG or JPEG file/],
      ['missing file', JSON.stringify({ image: 'gone/cat.png', label: 1 }), /missing-file\.jsonl:2: gone\/cat\.png: no such image file; image paths are relative to the manifest$/],
      ['bad json', '{"image": "red.png", label: 1}', /bad-json\.jsonl:2: not JSON \(.*\); write one \{"image": "a\.png", "label": 3\} per line$/],
      ['no label', JSON.stringify({ image: 'red.png' }), /no-label\.jsonl:2: "label" must be a class id or a list of numbers, got nothing$/],
    ];
    for (const [name, line, msg] of cases) {
      const file = manifest(`${name.toLowerCase().replace(/ /g, '-')}.jsonl`, [JSON.stringify(lines[0]), line]);
      const out = join(dir, `${name}.json`);
      const r = edgeml(['eval', '--model', MODEL, '--dataset', file, '--resize', '4x4', '--metric', 'top1', '--json', out]);
      expect(r.status, name).toBe(2);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(r.stderr.trim(), name).toMatch(msg);
      expect(existsSync(out), name).toBe(false);
    }
    const sizes = edgeml(['eval', '--model', MODEL, '--dataset', m, '--metric', 'top1']);
    expect(sizes.stderr).toMatch(/colours\.jsonl:2: green\.jpg: is 8x8, the images before it 2x2; give --resize or --crop so every image comes out the same size/);
  });
});
