// Operator compatibility per target runtime: will the model run there, and how much of it?
export { inspect, type InspectOptions } from './inspect.js';
export { runInspect, type InspectRunOptions } from './run.js';
export { TARGETS, parseTargets, supportTable } from './tables.js';
export { partitions, countNodes, scopes } from './graph.js';
export { nodeFlops, FLOPS_METHOD } from './compute.js';
export { readCompat, readInspect, writeCompat, writeInspect } from './document.js';
export * from './types.js';
export { crossCheck } from './vendor.js';
