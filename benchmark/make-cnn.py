# ResNet-18-class and MobileNetV2-class conv nets (the published layer layouts: ResNet-18's four
# stages of two basic blocks, 64..512 channels, 11.7 M parameters; MobileNetV2's inverted
# residuals with depthwise convs and ReLU6, width 1.0, 3.5 M parameters), opset 13, random weights
# with BatchNorm already folded into the convs, as exported inference models have it. Plus random
# calibration images. Written with the reference onnx package (apt: python3-onnx).
# usage: python3 benchmark/make-cnn.py OUT_DIR resnet18|mobilenetv2 [SIZE]
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out, arch = sys.argv[1], sys.argv[2]
size = int(sys.argv[3]) if len(sys.argv) > 3 else 224
rng = np.random.default_rng(0)
nodes, inits = [], []
count = [0]


def uid(stem):
    count[0] += 1
    return f'{stem}{count[0]}'


def conv(x, cin, cout, k, stride=1, groups=1, act='relu'):
    n = uid('conv')
    w = (rng.standard_normal((cout, cin // groups, k, k)) * np.sqrt(2.0 / (cin // groups * k * k))).astype(np.float32)
    inits.append(numpy_helper.from_array(w, n + '.w'))
    inits.append(numpy_helper.from_array((rng.standard_normal(cout) * 0.01).astype(np.float32), n + '.b'))
    p = k // 2
    nodes.append(helper.make_node('Conv', [x, n + '.w', n + '.b'], [n], name=n, kernel_shape=[k, k], strides=[stride, stride], pads=[p, p, p, p], group=groups))
    if act == 'relu':
        nodes.append(helper.make_node('Relu', [n], [n + '.relu'], name=n + '.relu'))
        return n + '.relu'
    if act == 'relu6':
        nodes.append(helper.make_node('Clip', [n, 'zero', 'six'], [n + '.relu6'], name=n + '.relu6'))
        return n + '.relu6'
    return n


def add(a, b, relu):
    n = uid('add')
    nodes.append(helper.make_node('Add', [a, b], [n], name=n))
    if relu:
        nodes.append(helper.make_node('Relu', [n], [n + '.relu'], name=n + '.relu'))
        return n + '.relu'
    return n


inits += [numpy_helper.from_array(np.array(0, np.float32), 'zero'), numpy_helper.from_array(np.array(6, np.float32), 'six')]
x = 'images'
if arch == 'resnet18':
    x = conv(x, 3, 64, 7, 2)
    nodes.append(helper.make_node('MaxPool', [x], ['pool'], name='pool', kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    x, cin = 'pool', 64
    for stage, cout in enumerate([64, 128, 256, 512]):
        for block in range(2):
            stride = 2 if stage > 0 and block == 0 else 1
            h = conv(x, cin, cout, 3, stride)
            h = conv(h, cout, cout, 3, 1, act=None)
            skip = conv(x, cin, cout, 1, stride, act=None) if stride != 1 or cin != cout else x
            x, cin = add(h, skip, True), cout
    last = 512
elif arch == 'mobilenetv2':
    x = conv(x, 3, 32, 3, 2, act='relu6')
    cin = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            h = conv(x, cin, hidden, 1, act='relu6') if t != 1 else x
            h = conv(h, hidden, hidden, 3, stride, groups=hidden, act='relu6')
            h = conv(h, hidden, c, 1, act=None)
            x = add(h, x, False) if stride == 1 and cin == c else h
            cin = c
    x = conv(x, cin, 1280, 1, act='relu6')
    last = 1280
else:
    sys.exit(f'unknown architecture {arch}: use resnet18 or mobilenetv2')
nodes.append(helper.make_node('GlobalAveragePool', [x], ['gap'], name='gap'))
nodes.append(helper.make_node('Flatten', ['gap'], ['flat'], name='flatten'))
inits.append(numpy_helper.from_array((rng.standard_normal((1000, last)) * np.sqrt(1.0 / last)).astype(np.float32), 'fc.w'))
inits.append(numpy_helper.from_array(np.zeros(1000, np.float32), 'fc.b'))
nodes.append(helper.make_node('Gemm', ['flat', 'fc.w', 'fc.b'], ['logits'], name='fc', transB=1))
graph = helper.make_graph(nodes, arch, [helper.make_tensor_value_info('images', TensorProto.FLOAT, ['batch', 3, size, size])],
                          [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['batch', 1000])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='edgeml-benchmark')
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, f'{out}/{arch}.onnx')
np.save(f'{out}/{arch}_calib.npy', rng.random((16, 3, size, size), dtype=np.float32))
print(f'{out}/{arch}.onnx', sum(t.size for t in map(numpy_helper.to_array, inits)), 'parameters')
