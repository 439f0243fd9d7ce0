// `edgeml inspect`'s flags: one table (see src/settings/).
import type { SettingsTable } from '../settings/index.js';
import { TARGETS } from './tables.js';

export const INSPECT_SETTINGS = {
  model: { kind: 'path', value: '<file>', help: 'the .onnx model' },
  target: { kind: 'list', value: '<list>', help: `target runtimes, comma-separated (repeatable): ${TARGETS.join(', ')}` },
  input: { kind: 'pairs', value: '<name=shape>', help: 'fix an input shape, e.g. x=1x3x224x224 (repeatable)' },
  dim: { kind: 'pairs', value: '<name=size>', help: 'fix a named dynamic dim wherever it appears (repeatable)' },
  data: { kind: 'pairs', value: '<name=file.npy|number>', help: 'what the shape run feeds an input (random otherwise), e.g. sr=16000 (repeatable)' },
  vendorLog: { kind: 'pairs', value: '<target=file>', help: "check the verdict against a vendor tool's log, e.g. tensorrt=trtexec.log (repeatable)" },
  json: { kind: 'path', value: '<file>', help: 'write the inspect document here' },
} as const satisfies SettingsTable;
