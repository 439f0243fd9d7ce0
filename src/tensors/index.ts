// Tensors as every area feeds and reads them: input specs and shapes, data from .npy files,
// constants or a seeded generator, sample sets, ONNX Runtime itself, and the comparison of two
// models' outputs. A bottom layer: it imports only src/errors.ts (and onnxruntime-node).
export { constantData, firstNonFinite, npyForInput, randomData, readNpy, rng, toFloat16Bits } from './data.js';
export type { DataSource, Feeds, Fidelity, FidelityFloor, FidelityRecord, InputMeta, InputSpec, OrtModule, Outputs, ResolvedInput, SampleSet, TensorData } from './types.js';
export { SUPPORTED_TYPES, elementCount, parseDataFlag, parseDimFlag, parseShapeFlag, resolveInputs } from './inputs.js';
export { loadOrt } from './ort.js';
export { calibrationSet, inputMetaOf, parseCalibrationFlags, randomSet } from './samples.js';
export { DEFAULT_FLOOR, belowFloor, compareOutputs, fidelityRecord, nonFiniteOutput, runOutputs } from './outputs.js';
