// The tensorrt and openvino optimize targets with fake trtexec/ovc executables (the real tools
// cannot be installed here). The fake trtexec prints real trtexec 10.16.0 build output.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readManifest } from '../src/optimize/index.js';
import { describe, expect, it } from 'vitest';
import { buildArtifact as buildIr, ovcArgs } from '../src/optimize/openvino.js';
import { buildArtifact as buildEngine, trtexecBuildArgs } from '../src/optimize/tensorrt.js';
import { MODELS, ROOT, edgeml, tempDir } from './helpers.js';

const BUILD_LOG = join(ROOT, 'test/fixtures/vendor/trtexec/10.16.0-build-fp16.log');

function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A fake trtexec: records its arguments, writes the engine and cache where asked, prints the log. */
function fakeTrtexec(dir: string, status = 0): string {
  return script(join(dir, 'trtexec'), [
    `echo "$@" >> "${join(dir, 'calls.txt')}"`,
    'for a in "$@"; do case "$a" in',
    '  --saveEngine=*) [ ' + status + ' -eq 0 ] && printf "engine-bytes" > "${a#--saveEngine=}";;',
    '  --timingCacheFile=*) printf "cache" > "${a#--timingCacheFile=}";;',
    'esac; done',
    `cat "${BUILD_LOG}"`,
    `exit ${status}`,
  ].join('\n'));
}

describe('optimize target tensorrt', () => {
  it('maps precision and shapes to trtexec flags', () => {
    expect(trtexecBuildArgs('/m.onnx', '/o/m.fp16.engine', 'fp16', '/o/c', { x: [1, 3, 8, 8] })).toEqual([
      '--onnx=/m.onnx', '--saveEngine=/o/m.fp16.engine', '--timingCacheFile=/o/c', '--skipInference',
      '--minShapes=x:1x3x8x8', '--optShapes=x:1x3x8x8', '--maxShapes=x:1x3x8x8', '--fp16',
    ]);
    expect(trtexecBuildArgs('/m.onnx', '/e', 'int8', '/c')).toEqual(['--onnx=/m.onnx', '--saveEngine=/e', '--timingCacheFile=/c', '--skipInference', '--int8', '--fp16']);
    expect(trtexecBuildArgs('/m.onnx', '/e', 'fp32', '/c')).not.toContain('--fp16');
  });

  it('builds the engine, reports it, and reuses the timing cache on the next build', async () => {
    const dir = tempDir();
    const tool = fakeTrtexec(dir);
    const out = join(dir, 'out');
    const a = await buildEngine({ model: MODELS.digits, outDir: out, precision: 'fp16', toolPath: tool });
    expect(a).toMatchObject({
      path: join(out, 'mlp.fp16.engine'), bytes: 12, precision: 'fp16', runtime: { name: 'tensorrt', version: '10.16.0' },
      settings: { timingCache: join(out, 'mlp.timing-cache'), timingCacheReused: false, buildMs: 13768.3, device: 'NVIDIA RTX 6000 Ada Generation' },
    });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await buildEngine({ model: MODELS.digits, outDir: out, precision: 'fp16', toolPath: tool });
    expect(again.settings.timingCacheReused).toBe(true);
    expect(readFileSync(join(dir, 'calls.txt'), 'utf8')).toContain(`--timingCacheFile=${join(out, 'mlp.timing-cache')}`);
  });

  it('a failed build and a missing trtexec are one-line user errors', async () => {
    const dir = tempDir();
    await expect(buildEngine({ model: MODELS.digits, outDir: dir, precision: 'fp16', toolPath: fakeTrtexec(dir, 1) })).rejects.toThrow(/^trtexec could not build a TensorRT engine from .*mlp.onnx \(status 1\)/);
    await expect(buildEngine({ model: MODELS.digits, outDir: dir, precision: 'fp16', toolPath: join(dir, 'none') })).rejects.toThrow(/no such file; give the path of trtexec, or it ships with TensorRT: on a Jetson install JetPack/);
  });
});

describe('optimize target openvino', () => {
  it('maps precision to ovc flags and refuses int8', () => {
    expect(ovcArgs('/m.onnx', '/o/m.xml', 'fp16')).toEqual(['/m.onnx', '--output_model=/o/m.xml', '--compress_to_fp16=True']);
    expect(ovcArgs('/m.onnx', '/o/m.xml', 'fp32')).toContain('--compress_to_fp16=False');
    expect(() => ovcArgs('/m.onnx', '/o/m.xml', 'int8')).toThrow(/quantize with NNCF first/);
  });

  it('converts to IR (xml + bin) and hashes both', async () => {
    const dir = tempDir();
    // A fake ovc (its output here is not captured from the real tool): writes model.xml/.bin.
    const tool = script(join(dir, 'ovc'), [
      'if [ "$1" = "--version" ]; then echo "2024.1.0-15008-f4afc983258-releases/2024/1"; exit 0; fi',
      'for a in "$@"; do case "$a" in --output_model=*) x="${a#--output_model=}"; printf "<net/>" > "$x"; printf "weights" > "${x%.xml}.bin";; esac; done',
    ].join('\n'));
    const a = await buildIr({ model: MODELS.digits, outDir: join(dir, 'ir'), precision: 'fp32', toolPath: tool });
    expect(a).toMatchObject({ path: join(dir, 'ir/mlp.fp32.xml'), bytes: 6 + 7, precision: 'fp32', runtime: { name: 'openvino', version: '2024.1.0-15008-f4afc983258-releases/2024/1' } });
    expect(existsSync(join(dir, 'ir/mlp.fp32.bin'))).toBe(true);
  });

  it('names ovc and how to install it when it is missing', async () => {
    const saved = process.env.PATH;
    process.env.PATH = tempDir();
    try {
      await expect(buildIr({ model: MODELS.digits, outDir: tempDir(), precision: 'fp16' })).rejects.toThrow(/needs ovc, which is not on the PATH: run 'pip install openvino'/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('edgeml optimize --target tensorrt,openvino', () => {
  it('builds them with the ORT targets into one manifest; their figures come from the device, not fidelity', () => {
    const dir = tempDir();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    fakeTrtexec(bin);
    script(join(bin, 'ovc'), [
      'if [ "$1" = "--version" ]; then echo "2024.1.0-15008-f4afc983258-releases/2024/1"; exit 0; fi',
      'for a in "$@"; do case "$a" in --output_model=*) x="${a#--output_model=}"; printf "<net/>" > "$x"; printf "weights" > "${x%.xml}.bin";; esac; done',
    ].join('\n'));
    const out = join(dir, 'out');
    const manifest = join(dir, 'manifest.json');
    const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized,tensorrt,openvino', '--out', out, '--json', manifest], { PATH: `${bin}:${process.env.PATH}` });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const doc = readManifest(manifest);
    const [ort, trt, ov] = doc.artifacts;
    expect(ort).toMatchObject({ target: 'ort-optimized', status: 'ok', format: 'onnx' });
    expect(ort.fidelity).toBeDefined();
    expect(trt).toMatchObject({ target: 'tensorrt', status: 'ok', format: 'tensorrt-engine', precision: 'fp16', path: 'out/mlp.fp16.engine', runtime: { name: 'tensorrt', version: '10.16.0' } });
    expect(trt.fidelity).toBeUndefined();
    expect(trt.settings).toMatchObject({ timingCache: 'mlp.timing-cache' });
    expect(existsSync(join(out, 'mlp.fp16.engine'))).toBe(true);
    expect(existsSync(join(out, 'mlp.timing-cache'))).toBe(true);
    // trtexec's whole output is kept beside it: edgeml run checks inspect's TensorRT verdict against it.
    expect(readFileSync(join(out, 'mlp.tensorrt.log'), 'utf8')).toBe(readFileSync(BUILD_LOG, 'utf8'));
    expect(ov).toMatchObject({ target: 'openvino', status: 'ok', format: 'openvino-ir', path: 'out/mlp.fp16.xml', runtime: { name: 'openvino' } });
    expect(readdirSync(out).filter((f) => f.startsWith('.edgeml-'))).toEqual([]);
  });

  it('reports a missing tool as a failed target naming it and how to install it, and still makes the others', () => {
    const dir = tempDir();
    const r = edgeml(['optimize', '--model', MODELS.digits, '--target', 'ort-optimized,tensorrt', '--out', join(dir, 'out'), '--json', join(dir, 'm.json')], { PATH: dirname(process.execPath) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/tensorrt.*trtexec.*JetPack/);
    expect(readManifest(join(dir, 'm.json')).artifacts.map((a) => [a.target, a.status])).toEqual([['ort-optimized', 'ok'], ['tensorrt', 'failed']]);
  });
});
