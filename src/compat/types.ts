// What `edgeml inspect` finds, per target runtime: the shape of its --json document too.

/** One row of a vendor's table, as scripts/compat-tables.mjs writes it. */
export interface TableOp {
  domain: string;
  op: string;
  note: string;
  /** TensorRT: the element types the op takes. */
  types?: string[];
  /** OpenVINO: the opset versions it implements; ONNX's own versions of the op. */
  since?: number[];
  defined?: number[];
  /** ORT mobile: the opsets its kernels were built for. */
  opsets?: number[];
}

export interface SupportTable {
  target: string;
  title: string;
  source: { repository: string; path: string; commit: string; url: string };
  version: string;
  retrieved: string;
  /** true: an execution provider that takes the supported parts and leaves the rest to the CPU. */
  partitioned: boolean;
  opsets: [number, number] | null;
  types: string[] | null;
  ops: TableOp[];
  unsupported: TableOp[];
}

export type Reason =
  | 'op-missing'
  | 'op-unsupported'
  | 'opset'
  | 'attribute'
  | 'dtype'
  | 'dynamic-shape'
  | 'not-constant'
  | 'rank'
  | 'subgraph';

export interface UnsupportedNode {
  /** Node name ('' when the model leaves it unnamed) and where it is: 'main' or 'If_0/then_branch'. */
  name: string;
  op: string;
  domain: string;
  graph: string;
  reason: Reason;
  detail: string;
}

export interface Coverage {
  nodes: number;
  supportedNodes: number;
  /** Percent of nodes. */
  nodePercent: number;
  /** Estimated FLOPs of the whole model and of the supported nodes; null when shapes are unknown. */
  flops: number | null;
  supportedFlops: number | null;
  /** Percent of estimated compute; null when no FLOPs could be estimated. */
  computePercent: number | null;
  /** Nodes whose FLOPs could not be estimated (no shapes: inside sub-graphs, or no fixed inputs). */
  unestimatedNodes: number;
}

/** One pass over the model: with the shapes as the file declares them, or fixed as --input fixes them. */
export interface TargetPass {
  shapes: 'as-is' | 'fixed';
  coverage: Coverage;
  partitions: number;
  partitionSizes: number[];
  unsupported: UnsupportedNode[];
}

export interface TargetOutcome {
  target: string;
  title: string;
  table: { version: string; retrieved: string; url: string };
  /** YES: the runtime takes every node of the model (with fixed shapes when they were given). */
  runs: boolean;
  verdict: string;
  asIs: TargetPass;
  /** null when the inputs could not be fixed (dynamic dims and no --input): `fixedNote` says why. */
  fixed: TargetPass | null;
  fixedNote?: string;
  /** Conditions in the table this check does not test, for the ops the model uses. */
  unchecked: string[];
  /** What the vendor's tool reported it placed, against the static verdict (when a log was given). */
  vendor?: VendorCheck;
}

export interface VendorCheck {
  tool: string;
  log: string;
  /** null when the log says nothing about placement. */
  agrees: boolean | null;
  summary: string;
  disagreements: Array<{ node: string; op: string; static: string; runtime: string }>;
}

export interface InspectOutcome {
  schema: 'edgeml-inspect/1';
  model: { path: string; name: string; sha256: string; opset: number; irVersion: number; nodes: number; subgraphNodes: number };
  inputs: Array<{ name: string; declared: Array<number | string>; fixed: number[] | null }>;
  flopsMethod: string;
  targets: TargetOutcome[];
  /** true when every target asked runs the whole model. */
  pass: boolean;
}

/** A runtime `edgeml run` could not inspect a model for (an unknown name, a model that does not parse). */
export interface InspectFailure {
  model: string;
  target: string;
  reason: string;
  /** It fails the run by itself (a runtime under inspect:, not optional); otherwise its budgets say. */
  fails?: boolean;
}

/**
 * One model's operator compatibility as `edgeml run` reported it (compat/<model>.json): what the
 * report needs to show it again from the files alone (the report action on a workflow_run).
 */
export interface CompatDocument {
  schema: 'edgeml-compat/1';
  /** The model's name in edgeml.yml. */
  model: string;
  /** The runtimes the run meant to inspect it for. */
  runtimes: string[];
  /** null: not inspected at all (notInspected says why). */
  head: InspectOutcome | null;
  /** null: no base, or one that could not be inspected (baseNote says why). */
  base: InspectOutcome | null;
  baseNote?: string;
  notInspected: InspectFailure[];
}
