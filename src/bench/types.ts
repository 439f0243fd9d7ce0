// The options of one benchmark: what `edgeml bench`, the benchmark action and `edgeml run` settle
// on before a measurement starts.
import type { Precision } from '../results/index.js';
import type { InputSpec } from '../tensors/index.js';
import type { RuntimeChoice } from './backends/index.js';
import type { OptLevel, Scenario } from './protocol.js';

export interface BenchOptions {
  model: string;
  inputs: InputSpec;
  threads: number;
  executionProvider: string;
  optLevel: OptLevel;
  scenario: Scenario;
  warmup: number;
  minIterations: number;
  maxIterations: number;
  minDurationMs: number;
  maxDurationMs: number;
  /** Samples per query; defaults by scenario (1, 8 for multi-stream, 32 for offline). */
  samplesPerQuery?: number;
  seed: number;
  profile: boolean;
  keepSamples: boolean;
  deviceLabel?: string;
  /** Labels of the Actions runner this runs on. */
  runnerLabels?: string[];
  /** onnxruntime (default, in process) or a vendor runtime measured by its own tool. */
  runtime?: RuntimeChoice;
  /** The vendor tool's executable, when it is not on the PATH. */
  toolPath?: string;
  /** Precision asked of a vendor runtime (trtexec --fp16/--int8, benchmark_app -infer_precision). */
  precision?: Precision;
}
