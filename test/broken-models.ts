// Real models made broken on purpose from the digits MLP with the ONNX reference tools
// (python3-onnx): one that answers NaN, one whose output has another shape, one whose outputs
// point the other way (negated: same names, shapes and dtypes, cosine -1).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { resource } from './tools.js';
import { MODELS, tempDir } from './helpers.js';

const PYTHON = '/usr/bin/python3';

export const HAVE_ONNX = resource(spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0, 'python3 module onnx', 'python3-onnx');

const SCRIPT = `
import sys, onnx
from onnx import helper, TensorProto
src, out, kind = sys.argv[1], sys.argv[2], sys.argv[3]
m = onnx.load(src)
g = m.graph
last = g.node[-1]
last.output[0] = 'pre'
if kind == 'nan':
    g.initializer.append(helper.make_tensor('nan', TensorProto.FLOAT, [], [float('nan')]))
    g.node.append(helper.make_node('Mul', ['pre', 'nan'], ['output']))
elif kind == 'negated':
    g.node.append(helper.make_node('Neg', ['pre'], ['output']))
elif kind == 'shape':
    for name, vals in (('starts', [0]), ('ends', [5]), ('axes', [1])):
        g.initializer.append(helper.make_tensor(name, TensorProto.INT64, [1], vals))
    g.node.append(helper.make_node('Slice', ['pre', 'starts', 'ends', 'axes'], ['output']))
    g.output[0].type.tensor_type.shape.dim[1].dim_value = 5
onnx.checker.check_model(m)
onnx.save(m, out)
`;

/** The digits MLP made broken in one way: 'nan', 'negated' or 'shape' (output [batch, 5] instead of [batch, 10]). */
export function brokenDigits(kind: 'nan' | 'negated' | 'shape'): string {
  const out = join(tempDir('edgeml-broken-'), `${kind}.onnx`);
  const r = spawnSync(PYTHON, ['-c', SCRIPT, MODELS.digits, out, kind], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 onnx could not write ${kind}.onnx: ${r.stderr}`);
  return out;
}
