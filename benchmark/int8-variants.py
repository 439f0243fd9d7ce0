# Variants of an int8-static QDQ artifact made by `edgeml optimize`, for benchmark/int8-cnn.mjs: the
# choices ONNX Runtime's own quantizer offers (quantize_static's weight_type, per_channel,
# reduce_range), made from the same calibrated artifact so only the one choice differs.
#   u8u8        weights uint8 with zero point 128 (ORT's QUInt8 weights: the U8U8 kernels, which
#               do not saturate on AVX2 without VNNI)
#   reduce      weights 7-bit (int8 in [-64, 63], scale doubled: reduce_range=True)
#   pertensor   Conv weights per tensor instead of per output channel (per_channel=False), the
#               int32 biases requantized to the new scales
# usage: python3 benchmark/int8-variants.py ARTIFACT.int8.onnx OUT_DIR
import sys
import numpy as np
import onnx
from onnx import numpy_helper

src, out = sys.argv[1], sys.argv[2]


def load():
    m = onnx.load(src)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    return m, g, inits


def weight_dqs(g, inits):
    """DequantizeLinear nodes of int8 weights (the Conv/MatMul/Gemm weights), with their consumers."""
    users = {}
    for n in g.node:
        for x in n.input:
            users.setdefault(x, []).append(n)
    for n in g.node:
        if n.op_type != 'DequantizeLinear' or n.input[0] not in inits:
            continue
        if inits[n.input[0]].data_type != onnx.TensorProto.INT8:
            continue
        yield n, users.get(n.output[0], [])


def put(inits, name, arr):
    inits[name].CopyFrom(numpy_helper.from_array(arr, name))


def rescale_biases(g, inits, consumers, old_scale, new_scale):
    """An int32 bias must have scale s_input x s_weight, or ORT does not fuse the conv: requantize it."""
    for c in consumers:
        if len(c.input) < 3 or not c.input[2]:
            continue
        bdq = next((n for n in g.node if n.output[0] == c.input[2] and n.op_type == 'DequantizeLinear'), None)
        if bdq is None:
            continue
        bq = numpy_helper.to_array(inits[bdq.input[0]]).astype(np.float64)
        bs = numpy_helper.to_array(inits[bdq.input[1]]).astype(np.float64)
        in_scale = bs / np.asarray(old_scale, np.float64)
        scale = (in_scale * np.asarray(new_scale, np.float64)).astype(np.float32)
        put(inits, bdq.input[0], np.round(bq * bs / scale.astype(np.float64)).astype(np.int32))
        put(inits, bdq.input[1], scale)


def u8u8():
    m, g, inits = load()
    for dq, _ in weight_dqs(g, inits):
        q = numpy_helper.to_array(inits[dq.input[0]]).astype(np.int16)
        zp = numpy_helper.to_array(inits[dq.input[2]]).astype(np.int16)
        put(inits, dq.input[0], (q + 128).astype(np.uint8))
        put(inits, dq.input[2], (zp + 128).astype(np.uint8))
    onnx.save(m, f'{out}/u8u8.onnx')


def reduce():
    m, g, inits = load()
    for dq, consumers in weight_dqs(g, inits):
        q = numpy_helper.to_array(inits[dq.input[0]]).astype(np.float32)
        s = numpy_helper.to_array(inits[dq.input[1]]).astype(np.float32)
        put(inits, dq.input[0], np.clip(np.round(q / 2), -64, 63).astype(np.int8))
        put(inits, dq.input[1], (s * 2).astype(np.float32))
        rescale_biases(g, inits, consumers, s, s * 2)
    onnx.save(m, f'{out}/reduce.onnx')


def pertensor():
    m, g, inits = load()
    for dq, consumers in weight_dqs(g, inits):
        s = numpy_helper.to_array(inits[dq.input[1]]).astype(np.float32)
        if s.ndim == 0 or s.size == 1:
            continue
        q = numpy_helper.to_array(inits[dq.input[0]]).astype(np.float32)
        shape = [-1] + [1] * (q.ndim - 1)
        w = q * s.reshape(shape)
        s1 = np.float32(max(np.abs(w).max(), 1e-12) / 127)
        put(inits, dq.input[0], np.clip(np.round(w / s1), -127, 127).astype(np.int8))
        put(inits, dq.input[1], np.array(s1, np.float32))
        put(inits, dq.input[2], np.array(0, np.int8))
        dq.ClearField('attribute')
        rescale_biases(g, inits, consumers, s, np.full_like(s, s1))
    onnx.save(m, f'{out}/pertensor.onnx')


u8u8()
reduce()
pertensor()
