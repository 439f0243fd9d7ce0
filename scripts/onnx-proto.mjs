// Regenerates src/model/onnx-proto.json, the protobufjs descriptor of src/model/onnx.proto (the
// official schema, shipped verbatim under its Apache-2.0 licence). The bundles load the JSON with
// protobufjs/light, so no .proto parser or file lookup is needed at run time.
// Run after replacing onnx.proto: node scripts/onnx-proto.mjs
import { writeFileSync } from 'node:fs';
import protobuf from 'protobufjs';

export function onnxDescriptor() {
  // keepCase: fields keep the names the ONNX spec and every other ONNX tool use (op_type, raw_data).
  const root = new protobuf.Root().loadSync('src/model/onnx.proto', { keepCase: true });
  return root.toJSON({ keepComments: false });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('src/model/onnx-proto.json', `${JSON.stringify(onnxDescriptor())}\n`);
  process.stdout.write('wrote src/model/onnx-proto.json\n');
}
