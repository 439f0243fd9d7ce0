# A small transformer encoder (token embedding, N pre-norm layers of multi-head self-attention and
# a GELU feed-forward, mean pooling, a classifier head), opset 17, written with the reference onnx
# package (apt: python3-onnx). It holds the weight patterns real exports have, so the int8 passes
# meet them all:
#   - Q/K/V projections: MatMul(x, W), the constant on the right (PyTorch's usual export);
#   - attention output: MatMul(x, Transpose(Wt)), the weight reached through a Transpose node
#     (an export without constant folding);
#   - feed-forward out: MatMul(W, h^T) then Transpose: the constant on the left;
#   - layers share their first feed-forward weight with layer 0 (ALBERT-style sharing);
#   - classifier: Gemm with transB=1; token embedding: Gather.
# usage: python3 benchmark/make-encoder.py OUT_DIR [d_model layers heads d_ff seq vocab] [NAME]
# The test fixture test/fixtures/encoder.onnx is: make-encoder.py test/fixtures 128 2 4 256 16 512
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
d, layers, heads, dff, seq, vocab = (int(v) for v in (sys.argv[2:8] if len(sys.argv) >= 8 else [256, 4, 4, 1024, 32, 1000]))
name = sys.argv[8] if len(sys.argv) >= 9 else 'encoder'
classes = 10
hd = d // heads
rng = np.random.default_rng(0)
nodes, inits = [], []


def init(arr, n):
    inits.append(numpy_helper.from_array(np.asarray(arr), n))
    return n


def weight(shape, n, fan_in):
    return init((rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32), n)


def node(op, ins, outs, n, **attrs):
    nodes.append(helper.make_node(op, ins, outs, name=n, **attrs))
    return outs[0]


emb = weight((vocab, d), 'embed.w', 1)
pos = init((rng.standard_normal((1, seq, d)) * 0.1).astype(np.float32), 'pos.w')
x = node('Gather', [emb, 'tokens'], ['embed'], 'embed', axis=0)
x = node('Add', [x, pos], ['embed_pos'], 'embed_pos')
shape_heads = init(np.array([0, 0, heads, hd], np.int64), 'shape.heads')
shape_merge = init(np.array([0, 0, d], np.int64), 'shape.merge')
scale = init(np.array(1.0 / np.sqrt(hd), np.float32), 'attn.scale')
sqrt2 = init(np.array(np.sqrt(2.0), np.float32), 'gelu.sqrt2')
one = init(np.array(1.0, np.float32), 'gelu.one')
half = init(np.array(0.5, np.float32), 'gelu.half')
shared_ff1 = None
for l in range(layers):
    p = f'l{l}.'
    g1 = init(np.ones(d, np.float32), p + 'ln1.g')
    b1 = init(np.zeros(d, np.float32), p + 'ln1.b')
    h = node('LayerNormalization', [x, g1, b1], [p + 'ln1'], p + 'ln1', axis=-1, epsilon=1e-5)
    qkv = []
    for k in 'qkv':
        w = weight((d, d), p + k + '.w', d)
        b = init(np.zeros(d, np.float32), p + k + '.b')
        t = node('MatMul', [h, w], [p + k + '.mm'], p + k + '.mm')
        t = node('Add', [t, b], [p + k], p + k + '.add')
        t = node('Reshape', [t, shape_heads], [p + k + '.heads'], p + k + '.reshape')
        qkv.append(node('Transpose', [t], [p + k + '.t'], p + k + '.transpose', perm=[0, 2, 3, 1] if k == 'k' else [0, 2, 1, 3]))
    s = node('MatMul', [qkv[0], qkv[1]], [p + 'scores'], p + 'scores')
    s = node('Mul', [s, scale], [p + 'scaled'], p + 'scale')
    s = node('Softmax', [s], [p + 'probs'], p + 'softmax', axis=-1)
    a = node('MatMul', [s, qkv[2]], [p + 'ctx'], p + 'ctx')
    a = node('Transpose', [a], [p + 'ctx.t'], p + 'ctx.transpose', perm=[0, 2, 1, 3])
    a = node('Reshape', [a, shape_merge], [p + 'ctx.merged'], p + 'ctx.reshape')
    wo_t = weight((d, d), p + 'o.wt', d)  # stored transposed: reached through a Transpose node
    wo = node('Transpose', [wo_t], [p + 'o.w'], p + 'o.w.transpose', perm=[1, 0])
    a = node('MatMul', [a, wo], [p + 'o.mm'], p + 'o.mm')
    a = node('Add', [a, init(np.zeros(d, np.float32), p + 'o.b')], [p + 'o'], p + 'o.add')
    x = node('Add', [x, a], [p + 'res1'], p + 'res1')
    g2 = init(np.ones(d, np.float32), p + 'ln2.g')
    b2 = init(np.zeros(d, np.float32), p + 'ln2.b')
    h = node('LayerNormalization', [x, g2, b2], [p + 'ln2'], p + 'ln2', axis=-1, epsilon=1e-5)
    if shared_ff1 is None:
        shared_ff1 = weight((d, dff), 'ff1.w.shared', d)
    f = node('MatMul', [h, shared_ff1], [p + 'ff1.mm'], p + 'ff1.mm')
    f = node('Add', [f, init(np.zeros(dff, np.float32), p + 'ff1.b')], [p + 'ff1'], p + 'ff1.add')
    e = node('Div', [f, sqrt2], [p + 'gelu.div'], p + 'gelu.div')
    e = node('Erf', [e], [p + 'gelu.erf'], p + 'gelu.erf')
    e = node('Add', [e, one], [p + 'gelu.add'], p + 'gelu.add')
    e = node('Mul', [f, e], [p + 'gelu.mul'], p + 'gelu.mul')
    f = node('Mul', [e, half], [p + 'gelu'], p + 'gelu.half')
    # The second projection with the constant on the left: (W2^T f^T)^T.
    w2t = weight((d, dff), p + 'ff2.wt', dff)
    ft = node('Transpose', [f], [p + 'ff2.in.t'], p + 'ff2.in.transpose', perm=[0, 2, 1])
    f = node('MatMul', [w2t, ft], [p + 'ff2.mm.t'], p + 'ff2.mm')
    f = node('Transpose', [f], [p + 'ff2.mm'], p + 'ff2.out.transpose', perm=[0, 2, 1])
    f = node('Add', [f, init(np.zeros(d, np.float32), p + 'ff2.b')], [p + 'ff2'], p + 'ff2.add')
    x = node('Add', [x, f], [p + 'res2'], p + 'res2')
gf = init(np.ones(d, np.float32), 'ln_f.g')
bf = init(np.zeros(d, np.float32), 'ln_f.b')
x = node('LayerNormalization', [x, gf, bf], ['ln_f'], 'ln_f', axis=-1, epsilon=1e-5)
x = node('ReduceMean', [x], ['pooled'], 'pool', axes=[1], keepdims=0)
wc = weight((classes, d), 'head.w', d)
node('Gemm', [x, wc, init(np.zeros(classes, np.float32), 'head.b')], ['logits'], 'head', transB=1)
graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info('tokens', TensorProto.INT64, [1, seq])],
                          [helper.make_tensor_value_info('logits', TensorProto.FLOAT, [1, classes])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='edgeml-benchmark')
model.ir_version = 8
onnx.checker.check_model(model, full_check=True)
onnx.save(model, f'{out}/{name}.onnx')
np.save(f'{out}/{name}_tokens.npy', rng.integers(0, vocab, (64, seq), dtype=np.int64))
print(f'{out}/{name}.onnx', sum(t.size for t in map(numpy_helper.to_array, inits)), 'parameters')
