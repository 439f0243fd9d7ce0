// The model area's types that other areas use (index.ts exports them).
// Types only: nothing here runs. The ONNX messages' fields are the spec's own (op_type, raw_data).

import type Long from 'long';

export type Int64 = number | Long;

export interface StringStringEntry { key: string; value: string }

export interface TensorProto {
  name?: string;
  dims: Int64[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data: number[];
  int32_data: number[];
  int64_data: Int64[];
  double_data: number[];
  uint64_data: Int64[];
  string_data: Uint8Array[];
  data_location?: number;
  external_data: StringStringEntry[];
  doc_string?: string;
}

export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
  [more: string]: unknown;
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute: AttributeProto[];
  doc_string?: string;
  [more: string]: unknown;
}

export interface TensorShapeDim { dim_value?: Int64; dim_param?: string }

export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: { dim: TensorShapeDim[] } };
  [more: string]: unknown;
}

export interface ValueInfoProto { name: string; type?: TypeProto; doc_string?: string; [more: string]: unknown }

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  sparse_initializer: unknown[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
  [more: string]: unknown;
}

export interface OperatorSetId { domain?: string; version?: Int64 }

export interface ModelProto {
  ir_version?: Int64;
  opset_import: OperatorSetId[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props: StringStringEntry[];
  functions: unknown[];
  [more: string]: unknown;
}

/** onnx and ort run in ONNX Runtime; the others only through their vendor's tool. */
export type ModelFormat = 'onnx' | 'ort' | 'tensorrt-engine' | 'openvino-ir' | 'tflite';

export interface ModelFile {
  path: string;
  name: string;
  sha256: string;
  bytes: number;
  format: ModelFormat;
}

export interface ConstantValue {
  dims: number[];
  values: Float32Array;
  /** The initializer this value comes from. */
  root: string;
  /** The nodes between that initializer and this value, in order (empty for the initializer itself). */
  chain: NodeProto[];
  /** The value's element type in the graph: float32, or float16/double (values converted here). */
  dataType: number;
}
