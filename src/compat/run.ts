// One implementation of `edgeml inspect` for the CLI (and any action): load, fix inputs, observe
// shapes in ONNX Runtime, judge each target.
import { type InputSpec, parseDataFlag, parseDimFlag, parseShapeFlag, type ResolvedInput } from '../tensors/index.js';
import { isUserError, oneLine, UserError } from '../errors.js';
import { inspectModelFile, loadModel } from '../model/index.js';
import { inspect } from './inspect.js';
import { fixInputs, observeShapes, type Observed } from './shapes.js';
import { parseTargets } from './tables.js';
import { scopes } from './graph.js';
import { crossCheck, parseVendorLogFlag, readVendorLog } from './vendor.js';
import type { InspectOutcome } from './types.js';

export interface InspectRunOptions {
  model: string;
  targets: string[];
  /** `--input NAME=1x3x224x224` and `--dim NAME=N` flags as given. */
  inputs?: string[];
  dims?: string[];
  /** `--data NAME=value|file.npy`: what the shape run feeds (random otherwise). */
  data?: string[];
  seed?: number;
  /** `--vendor-log TARGET=FILE` flags. */
  vendorLogs?: string[];
  /** Vendor tool output already read (edgeml run keeps trtexec's engine build); targets not inspected are left out. */
  toolLogs?: Array<{ target: string; file: string; text: string }>;
}

export async function runInspect(o: InspectRunOptions): Promise<InspectOutcome> {
  const targets = parseTargets(o.targets);
  const logs = [
    ...(o.vendorLogs ?? []).map((f) => parseVendorLogFlag(f, targets)).map(([t, f]) => [t, f, readVendorLog(f)] as const),
    ...(o.toolLogs ?? []).filter((l) => targets.includes(l.target)).map((l) => [l.target, l.file, l.text] as const),
  ];
  const file = await inspectModelFile(o.model);
  if (file.format !== 'onnx') throw new UserError(`${o.model}: inspect reads ONNX files; give the .onnx the .ort was made from`);
  const model = loadModel(file.path);
  const spec: InputSpec = {
    shapes: Object.fromEntries((o.inputs ?? []).map(parseShapeFlag)),
    dims: Object.fromEntries((o.dims ?? []).map(parseDimFlag)),
    data: Object.fromEntries((o.data ?? []).map(parseDataFlag)),
  };
  const given = (o.inputs?.length ?? 0) + (o.dims?.length ?? 0) + (o.data?.length ?? 0) > 0;
  let fixed: ResolvedInput[] | null = null;
  let fixedNote: string | undefined;
  try {
    fixed = fixInputs(model, spec);
  } catch (e) {
    // A flag the user gave that does not fit the model is bad input; dims nobody fixed are a finding.
    if (given || !isUserError(e)) throw e;
    fixedNote = `shapes not fixed: ${oneLine(e)}`;
  }
  let observed: Observed | string | null = null;
  if (fixed) observed = await observeShapes(model, fixed, o.seed ?? 1);
  const outcome = inspect({ model, file, targets, fixedInputs: fixed, ...(fixedNote ? { fixedNote } : {}), observed });
  const nodes = scopes(model)[0].nodes.map((n) => ({ name: n.node.name ?? '', op: n.node.op_type }));
  for (const [target, f, text] of logs) {
    const t = outcome.targets.find((x) => x.target === target)!;
    t.vendor = crossCheck(t, text, f, nodes);
  }
  return outcome;
}
