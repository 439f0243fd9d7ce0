# A weight-heavy conv net (VGG-like, ~9 M parameters, opset 13) for the int8/fp16 benchmarks, and
# random calibration data for it. Written with the reference onnx package (apt: python3-onnx).
# usage: python3 benchmark/make-convnet.py OUT_DIR
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out = sys.argv[1]
rng = np.random.default_rng(0)
nodes, inits = [], []
x = 'images'
chans = [3, 64, 128, 128, 256, 256, 512, 512]
for i in range(1, len(chans)):
    cin, cout = chans[i - 1], chans[i]
    w = (rng.standard_normal((cout, cin, 3, 3)) * np.sqrt(2.0 / (cin * 9))).astype(np.float32)
    b = (rng.standard_normal(cout) * 0.01).astype(np.float32)
    inits += [numpy_helper.from_array(w, f'conv{i}.w'), numpy_helper.from_array(b, f'conv{i}.b')]
    nodes.append(helper.make_node('Conv', [x, f'conv{i}.w', f'conv{i}.b'], [f'conv{i}'], name=f'conv{i}', pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node('Relu', [f'conv{i}'], [f'relu{i}'], name=f'relu{i}'))
    x = f'relu{i}'
    if i in (1, 3, 5):
        nodes.append(helper.make_node('MaxPool', [x], [f'pool{i}'], name=f'pool{i}', kernel_shape=[2, 2], strides=[2, 2]))
        x = f'pool{i}'
nodes.append(helper.make_node('GlobalAveragePool', [x], ['gap'], name='gap'))
nodes.append(helper.make_node('Flatten', ['gap'], ['flat'], name='flatten'))
w = (rng.standard_normal((10, 512)) * np.sqrt(1.0 / 512)).astype(np.float32)
inits += [numpy_helper.from_array(w, 'fc.w'), numpy_helper.from_array(np.zeros(10, np.float32), 'fc.b')]
nodes.append(helper.make_node('Gemm', ['flat', 'fc.w', 'fc.b'], ['logits'], name='fc', transB=1))
graph = helper.make_graph(nodes, 'convnet', [helper.make_tensor_value_info('images', TensorProto.FLOAT, ['batch', 3, 64, 64])],
                          [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['batch', 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='edgeml-benchmark')
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, f'{out}/convnet.onnx')
np.save(f'{out}/convnet_calib.npy', rng.random((32, 3, 64, 64), dtype=np.float32))
print(f'{out}/convnet.onnx', sum(t.size for t in map(numpy_helper.to_array, inits)), 'parameters')
