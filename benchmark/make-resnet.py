# Models for the compare benchmark (benchmark/compare.mjs), written with the reference onnx package
# (apt: python3-onnx); random weights, batch norm folded into the convolutions (opset 13):
#   resnet18.onnx       ResNet-18 at 224x224 (about 1.8 G multiply-adds)
#   resnet18-copy.onnx  the same graph and weights, other bytes (another producer_version)
#   resnet18-5.onnx     one extra 3x3 convolution 64->64 at 56x56 after layer1 (+6.4% multiply-adds)
#   resnet18-10.onnx    two extra (+12.7%)
#   mlp-big.onnx, mlp-big-copy.onnx  four 2048x2048 MatMuls: 64 MB of weights, more than a 32 MiB L3
#   mlp-huge.onnx, mlp-huge-copy.onnx  (with EDGEML_BENCH_HUGE=1) four 4608x4608: 340 MB, more than a 260 MiB L3
#   conv-10-copy.onnx   test/fixtures/conv-10.onnx with other bytes (another producer_version)
# usage: python3 benchmark/make-resnet.py OUT_DIR
import sys
import os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]


def resnet(extra):
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    count = [0]

    def conv(x, cin, cout, k, stride, relu=True):
        count[0] += 1
        n = f'c{count[0]}'
        w = (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / (cin * k * k))).astype(np.float32)
        inits.extend([numpy_helper.from_array(w, f'{n}.w'), numpy_helper.from_array(np.zeros(cout, np.float32), f'{n}.b')])
        p = k // 2
        nodes.append(helper.make_node('Conv', [x, f'{n}.w', f'{n}.b'], [n], name=n, pads=[p, p, p, p], strides=[stride, stride]))
        if not relu:
            return n
        nodes.append(helper.make_node('Relu', [n], [f'{n}.r'], name=f'{n}.relu'))
        return f'{n}.r'

    def block(x, cin, cout, stride):
        y = conv(x, cin, cout, 3, stride)
        y = conv(y, cout, cout, 3, 1, relu=False)
        skip = x if stride == 1 and cin == cout else conv(x, cin, cout, 1, stride, relu=False)
        s = f'add{count[0]}'
        nodes.append(helper.make_node('Add', [y, skip], [s], name=s))
        nodes.append(helper.make_node('Relu', [s], [f'{s}.r'], name=f'{s}.relu'))
        return f'{s}.r'

    x = conv('images', 3, 64, 7, 2)
    nodes.append(helper.make_node('MaxPool', [x], ['pool'], name='pool', kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    x = 'pool'
    for cin, cout, stride in [(64, 64, 1), (64, 64, 1)]:
        x = block(x, cin, cout, stride)
    for _ in range(extra):
        x = conv(x, 64, 64, 3, 1)
    for cin, cout, stride in [(64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1), (256, 512, 2), (512, 512, 1)]:
        x = block(x, cin, cout, stride)
    nodes.append(helper.make_node('GlobalAveragePool', [x], ['gap'], name='gap'))
    nodes.append(helper.make_node('Flatten', ['gap'], ['flat'], name='flatten'))
    w = (rng.standard_normal((1000, 512)) * np.sqrt(1.0 / 512)).astype(np.float32)
    inits.extend([numpy_helper.from_array(w, 'fc.w'), numpy_helper.from_array(np.zeros(1000, np.float32), 'fc.b')])
    nodes.append(helper.make_node('Gemm', ['flat', 'fc.w', 'fc.b'], ['logits'], name='fc', transB=1))
    graph = helper.make_graph(nodes, 'resnet18', [helper.make_tensor_value_info('images', TensorProto.FLOAT, [1, 3, 224, 224])],
                              [helper.make_tensor_value_info('logits', TensorProto.FLOAT, [1, 1000])], inits)
    return graph


def mlp(width=2048):
    rng = np.random.default_rng(1)
    nodes, inits, x = [], [], 'x'
    for i in range(4):
        w = (rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f'w{i}'))
        nodes.append(helper.make_node('MatMul', [x, f'w{i}'], [f'm{i}'], name=f'mm{i}'))
        nodes.append(helper.make_node('Relu', [f'm{i}'], [f'r{i}'], name=f'relu{i}'))
        x = f'r{i}'
    return helper.make_graph(nodes, 'mlp-big', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, width])],
                             [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, width])], inits)


def save(graph, name, version='1'):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='edgeml-benchmark', producer_version=version)
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, f'{out}/{name}')


base = resnet(0)
save(base, 'resnet18.onnx')
save(base, 'resnet18-copy.onnx', 'copy')
save(resnet(1), 'resnet18-5.onnx')
save(resnet(2), 'resnet18-10.onnx')
big = mlp()
save(big, 'mlp-big.onnx')
save(big, 'mlp-big-copy.onnx', 'copy')
if os.environ.get('EDGEML_BENCH_HUGE'):
    # Four 4608x4608 MatMuls: 340 MB of weights, more than a 260 MiB L3 (as on a Xeon with a large shared cache).
    huge = mlp(4608)
    save(huge, 'mlp-huge.onnx')
    save(huge, 'mlp-huge-copy.onnx', 'copy')
small = onnx.load('test/fixtures/conv-10.onnx')
small.producer_version = (small.producer_version or '') + '-copy'
onnx.save(small, f'{out}/conv-10-copy.onnx')
print(out)
