import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  allGraphs, decodeModel, encodeModel, floatValues, foldConstants, loadModel, onnxOpset, saveModel,
} from '../src/model/index.js';
import { onnxDescriptor } from '../scripts/onnx-proto.mjs';
import descriptor from '../src/model/onnx-proto.json' with { type: 'json' };
import { MODELS, tempDir } from './helpers.js';
import { HAS_TESTDATA, REAL_SHAPES, sameOutputs, seededFeeds, testInputs, testModelDirs } from './onnx-testdata.js';

ort.env.logLevel = 'fatal';

const quiet = { logSeverityLevel: 3 as const };

/** Runs the original bytes and the re-encoded bytes in ORT; undefined when ORT cannot run the original. */
async function runBoth(original: Uint8Array, roundTrip: Uint8Array, feeds: Record<string, ort.Tensor>) {
  let a;
  try {
    const s = await ort.InferenceSession.create(original, quiet);
    a = await s.run(feeds);
    await s.release();
  } catch {
    return undefined;
  }
  const s = await ort.InferenceSession.create(roundTrip, quiet);
  const b = await s.run(feeds);
  await s.release();
  return sameOutputs(a, b);
}

describe('ONNX protobuf layer', () => {
  it('ships the descriptor generated from the shipped onnx.proto', () => {
    expect(descriptor).toEqual(JSON.parse(JSON.stringify(onnxDescriptor())));
  });

  it.skipIf(!HAS_TESTDATA())('round-trips ONNX operator test models: re-encoded files run in ORT with identical outputs', async () => {
    const dirs = testModelDirs();
    expect(dirs.length).toBeGreaterThan(1000);
    let ran = 0;
    const failures: string[] = [];
    for (const dir of dirs) {
      const bytes = readFileSync(join(dir, 'model.onnx'));
      const model = decodeModel(bytes);
      const encoded = encodeModel(model);
      // A fixed point: decoding our encoding and encoding again gives the same bytes.
      expect(Buffer.from(encodeModel(decodeModel(encoded))).equals(Buffer.from(encoded)), dir).toBe(true);
      const feeds = testInputs(dir, model);
      if (!feeds) continue;
      const diff = await runBoth(bytes, encoded, feeds);
      if (diff === undefined) continue;
      ran++;
      if (diff) failures.push(`${dir}: ${diff}`);
    }
    expect(failures).toEqual([]);
    // Most of them run in ORT 1.30 (the rest use types or ops it lacks, original and copy alike).
    expect(ran).toBeGreaterThan(700);
    console.log(`round trip: ${dirs.length} models decoded and re-encoded, ${ran} run in ORT with identical outputs`);
  }, 600_000);

  async function outputs(modelPathOrBytes: string | Uint8Array, feeds: Record<string, ort.Tensor>) {
    const s = typeof modelPathOrBytes === 'string'
      ? await ort.InferenceSession.create(modelPathOrBytes, quiet)
      : await ort.InferenceSession.create(modelPathOrBytes, quiet);
    const out = await s.run(feeds);
    await s.release();
    return out;
  }

  for (const [key, spec] of Object.entries(REAL_SHAPES)) {
    it(`round-trips ${key} and folds its Constant nodes without changing its outputs`, async () => {
      const file = MODELS[key as keyof typeof MODELS];
      const model = loadModel(file);
      const feeds = seededFeeds(model, spec.shapes, spec.consts?.());
      const want = await outputs(file, feeds);
      expect(sameOutputs(want, await outputs(encodeModel(model), feeds))).toBeNull();
      const constants = allGraphs(model).flatMap((g) => g.node).filter((n) => n.op_type === 'Constant').length;
      expect(foldConstants(model)).toBe(constants);
      expect(allGraphs(model).flatMap((g) => g.node).some((n) => n.op_type === 'Constant')).toBe(false);
      const dir = tempDir();
      saveModel(model, join(dir, 'folded.onnx'));
      expect(sameOutputs(want, await outputs(join(dir, 'folded.onnx'), feeds))).toBeNull();
    });
  }

  it('reads sub-graphs: the Silero VAD If branches hold the network', () => {
    const model = loadModel(MODELS.vadV5);
    const graphs = allGraphs(model);
    expect(graphs.length).toBeGreaterThan(1);
    expect(model.graph!.node.find((n) => n.op_type === 'If')).toBeDefined();
    expect(graphs.slice(1).reduce((a, g) => a + g.node.length, 0)).toBeGreaterThan(20);
    expect(onnxOpset(model)).toBe(16);
  });

  it('writes and reads external data files; ORT runs the external-data copy with identical outputs', async () => {
    const model = loadModel(MODELS.ocrCls);
    foldConstants(model);
    const feeds = seededFeeds(model, REAL_SHAPES.ocrCls.shapes);
    const want = await outputs(MODELS.ocrCls, feeds);
    const dir = tempDir();
    const file = join(dir, 'cls.onnx');
    const files = saveModel(model, file, { externalDataThreshold: 1024 });
    expect(files).toEqual([file, `${file}.data`]);
    expect(statSync(file).size).toBeLessThan(statSync(`${file}.data`).size);
    // The in-memory model still holds its weights after saving.
    expect(model.graph!.initializer.every((t) => t.data_location === undefined)).toBe(true);
    expect(sameOutputs(want, await outputs(file, feeds))).toBeNull();
    const back = loadModel(file);
    expect(back.graph!.initializer.every((t) => t.raw_data && t.raw_data.length > 0)).toBe(true);
    const big = back.graph!.initializer.find((t) => t.raw_data!.length >= 1024)!;
    const same = model.graph!.initializer.find((t) => t.name === big.name)!;
    expect(floatValues(big)).toEqual(floatValues(same));
    expect(sameOutputs(want, await outputs(encodeModel(back), feeds))).toBeNull();
  });

  it('names the file when it is not a model, or its external data is missing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'junk.onnx'), 'this is not protobuf at all, just text');
    expect(() => loadModel(join(dir, 'junk.onnx'))).toThrow(/--model .*junk\.onnx: not an ONNX model/);
    expect(() => loadModel(join(dir, 'missing.onnx'))).toThrow(/no such file/);
    const model = loadModel(MODELS.ocrCls);
    foldConstants(model);
    saveModel(model, join(dir, 'ext.onnx'), { externalDataThreshold: 1024 });
    writeFileSync(join(dir, 'ext.onnx.data'), '');
    expect(() => loadModel(join(dir, 'ext.onnx'))).toThrow(/ext\.onnx\.data .*shorter/);
  });
});
