// The static TensorRT verdict against what trtexec's ONNX parser did, when the log names only the
// node the parser stopped at (no --verbose: what an engine build prints), and in `edgeml run`,
// whose tensorrt target runs trtexec on the source model: the build's output is kept and checked.
// trtexec cannot run here; a stand-in prints real output (test/fixtures/vendor/trtexec).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crossCheck, readCompat, runInspect, type TargetOutcome } from '../src/compat/index.js';
import { DataType, floatTensor, make, saveModel, type ModelProto, type NodeProto } from '../src/model/index.js';
import { escapeMarkdown } from '../src/report/index.js';
import { runAll, type RunReporter } from '../src/run/index.js';
import { ROOT, tempDir } from './helpers.js';

const LOG = join(ROOT, 'test/fixtures/vendor/trtexec/8.4.0-parse-failed-range.log');
const SUMMARY = "the ONNX parser stopped at node 205 (Range 'Range_271'): [6] Invalid Node - Range_271 All inputs to range should be initializers.; the static check says TensorRT takes it; 1 node disagrees";
const quiet: RunReporter = { group: (_name, fn) => fn(), info: () => {}, warning: () => {} };

/**
 * A model whose node 205 is the Range of the log (named Range_271, inputs 1055, 648, 646, output
 * 652), after 205 Identity nodes; `custom` makes node 3 an op TensorRT's table lacks.
 */
function rangeModel(custom = false): ModelProto {
  const nodes: NodeProto[] = [];
  let prev = 'x';
  for (let i = 0; i < 205; i++) {
    const out = i === 204 ? '1055' : `t${i}`;
    const odd = custom && i === 3;
    nodes.push(make.node({ name: odd ? 'Custom_3' : `Identity_${i}`, op_type: odd ? 'Gelu' : 'Identity', domain: odd ? 'com.microsoft' : '', input: [prev], output: [out] }));
    prev = out;
  }
  nodes.push(make.node({ name: 'Range_271', op_type: 'Range', input: ['1055', '648', '646'], output: ['652'] }));
  const scalar = (name: string) => make.valueInfo({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [] } } } });
  const graph = make.graph({
    name: 'range', node: nodes,
    initializer: [floatTensor('648', [], new Float32Array([5])), floatTensor('646', [], new Float32Array([1]))],
    input: [scalar('x')],
    output: [make.valueInfo({ name: '652', type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [{ dim_param: 'n' }] } } } })],
  });
  const opsets = [{ domain: '', version: 13 }, ...(custom ? [{ domain: 'com.microsoft', version: 1 }] : [])];
  return { ir_version: 8, opset_import: opsets, graph, metadata_props: [], functions: [] } as unknown as ModelProto;
}

async function inspectTrt(model: ModelProto): Promise<{ t: TargetOutcome; nodes: Array<{ name: string; op: string }> }> {
  const file = join(tempDir(), 'range.onnx');
  saveModel(model, file);
  const doc = await runInspect({ model: file, targets: ['tensorrt'] });
  return { t: doc.targets[0], nodes: model.graph!.node.map((n) => ({ name: n.name ?? '', op: n.op_type })) };
}

describe('trtexec stopped at a node (TensorRT 8.4.0, a Range whose inputs are not initializers)', () => {
  it('the static check takes the Range (the TensorRT 10.0 table has no such limit): the disagreement names it and the parser\'s reason', async () => {
    const { t, nodes } = await inspectTrt(rangeModel());
    expect(t.runs).toBe(true);
    const v = crossCheck(t, readFileSync(LOG, 'utf8'), 'build.log', nodes);
    expect(v.agrees).toBe(false);
    expect(v.summary).toBe(SUMMARY);
    expect(v.disagreements).toEqual([{ node: 'Range_271', op: 'Range', static: 'supported', runtime: 'the parser failed on it: [6] Invalid Node - Range_271 All inputs to range should be initializers.' }]);
  });

  it('a node the static check rules out that came before the stop was parsed: a disagreement too', async () => {
    const { t, nodes } = await inspectTrt(rangeModel(true));
    expect(t.runs).toBe(false);
    const v = crossCheck(t, readFileSync(LOG, 'utf8'), 'build.log', nodes);
    expect(v.disagreements.map((d) => [d.node, d.runtime])).toEqual([
      ['Custom_3', 'parsed (before the parser stopped at node 205)'],
      ['Range_271', expect.stringMatching(/^the parser failed on it: /)],
    ]);
  });

  it('a stop at a node this model does not have there is the log of another model: no verdict', async () => {
    const { t, nodes } = await inspectTrt(rangeModel());
    const v = crossCheck(t, readFileSync(LOG, 'utf8'), 'build.log', nodes.slice(0, 100));
    expect(v.agrees).toBeNull();
    expect(v.summary).toMatch(/not this model's node 205: it is the log of another model$/);
  });
});

describe('edgeml run keeps the engine build\'s output and checks the static verdict against it', () => {
  it('the tensorrt target failed to build (optional): the compat document and the report show trtexec disagreeing', async () => {
    const dir = tempDir('edgeml-run-trtexec-');
    saveModel(rangeModel(), join(dir, 'range.onnx'));
    writeFileSync(join(dir, 'edgeml.yml'), [
      'models:', '  m:', '    path: range.onnx', 'targets: [{ target: tensorrt, optional: true }]', 'inspect: [tensorrt]',
      'benchmark:', '  warmup: 1', '  min-iterations: 5', '  min-duration: 0ms', '  max-duration: 1s', '',
    ].join('\n'));
    // The stand-in: what trtexec prints when its parser stops at the Range, then its exit status.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'trtexec'), `#!/bin/sh\ncat "${LOG}"\necho '&&&& FAILED TensorRT.trtexec [TensorRT v8400] # trtexec'\nexit 1\n`);
    chmodSync(join(bin, 'trtexec'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path ?? ''}`;
    let o;
    try {
      o = await runAll({ config: join(dir, 'edgeml.yml'), out: join(dir, 'out') }, quiet);
    } finally {
      process.env.PATH = path;
    }
    const log = join(dir, 'out/artifacts/m/range.tensorrt.log');
    expect(existsSync(log)).toBe(true);
    expect(o.notices).toEqual(expect.arrayContaining([
      expect.stringMatching(/^m tensorrt: not made \(trtexec could not build .*; its whole output is in range\.tensorrt\.log\); optional/),
        `m tensorrt: trtexec disagrees with the static check: ${SUMMARY} (artifacts/m/range.tensorrt.log)`,
    ]));
    const compat = readCompat(o.files.compat[0]);
    expect(compat.head!.targets[0].vendor).toMatchObject({ tool: 'trtexec', log: 'artifacts/m/range.tensorrt.log', agrees: false });
    expect(o.rendered.markdown).toContain(`> ⚠️ trtexec disagrees with the static check for tensorrt: ${escapeMarkdown(SUMMARY)}`);
  }, 300_000);
});
