// Tensors as every area feeds and reads them: input specs and shapes, data from .npy files,
// constants or a seeded generator, sample sets, ONNX Runtime itself, and the comparison of two
// models' outputs. A bottom layer: it imports only src/errors.ts (and onnxruntime-node).
export { constantData, firstNonFinite, npyForInput, randomData, readNpy, rng, toFloat16Bits, type TensorData } from './data.js';
export {
  SUPPORTED_TYPES, elementCount, parseDataFlag, parseDimFlag, parseShapeFlag, resolveInputs,
  type DataSource, type InputMeta, type InputSpec, type ResolvedInput,
} from './inputs.js';
export { loadOrt, type OrtModule } from './ort.js';
export { calibrationSet, inputMetaOf, parseCalibrationFlags, randomSet, type Feeds, type SampleSet } from './samples.js';
export {
  DEFAULT_FLOOR, belowFloor, compareOutputs, fidelityRecord, nonFiniteOutput, runOutputs,
  type Fidelity, type FidelityFloor, type FidelityRecord, type Outputs,
} from './outputs.js';
