// edgeml.yml as the code sees it after validation (schemas/config.schema.json).

export type LimitKey = string;

export interface Position {
  file: string;
  line: number;
  col: number;
}

export interface BudgetLimit {
  key: LimitKey;
  /** The text as written ("10ms", "5%"), for tables and messages. */
  text: string;
  /** In base units: ms, bytes, samples/s, fractions (0.05 for 5%). */
  value: number;
  /** Whether the measured value must stay at most or at least the limit. */
  direction: 'max' | 'min';
  at: Position;
}

export interface Budget {
  index: number;
  model?: string;
  target?: string;
  device?: string;
  level: 'error' | 'warn';
  inconclusive: 'warn' | 'error' | 'pass';
  /** Nothing to judge is a notice instead of a failure. */
  optional?: boolean;
  message?: string;
  limits: BudgetLimit[];
  at: Position;
}

export interface ModelEntry {
  path: string;
  input?: string[];
  dim?: string[];
  data?: string[];
  calibration?: string[];
  /** This model's targets instead of the top-level ones (names; optional ones in EdgemlConfig.optionalTargets). */
  targets?: string[];
  /** Where `path` is written, for messages about the file it names. */
  at: Position;
}

/** monitoring: as written (schemas/config.schema.json checks it). */
export interface MonitoringConfig {
  psi?: number;
  'jensen-shannon'?: number;
  'ks-p-value'?: number;
  window?: { requests?: number; time?: string };
  'min-requests'?: number;
  'windows-in-a-row'?: number;
  'latency-p90-ratio'?: number;
}

export interface EdgemlConfig {
  file: string;
  version?: 1;
  models: Record<string, ModelEntry>;
  targets: string[];
  /** Targets written `{ target: NAME, optional: true }`: not made is a notice, not a failure. */
  optionalTargets: string[];
  /**
   * inspect: the runtimes to inspect each model for (besides those compat.* budgets name);
   * `false` when the file turns inspection off; `at` is where the key is written.
   */
  inspect?: { targets: string[]; optional: string[]; off: boolean; at: Position };
  benchmark: Record<string, string | number>;
  /** compare:'s flag settings (`compare.artifacts` is not a flag: it is `compareArtifacts`). */
  compare: Record<string, string | number>;
  /** compare.artifacts: `edgeml run` also optimizes the base and compares each target's artifacts. */
  compareArtifacts: boolean;
  /** Image manifests (.jsonl) carry preprocessing keys, spelled like `edgeml eval`'s flags. */
  datasets: Record<string, {
    inputs: string; labels?: string; metrics?: string[];
    /** The models evaluated on it; absent: every model whose input the data fits. */
    models?: string[];
    resize?: string | number; crop?: string | number; mean?: number[]; std?: number[]; layout?: string; channels?: string; scale?: string;
    at: Position;
  }>;
  budgets: Budget[];
  /** monitoring: drift thresholds, the telemetry window and the trigger rule (src/drift/settings.ts applies the defaults). */
  monitoring: MonitoringConfig;
  /**
   * Where each setting of benchmark:, compare: and a model is written, by its dotted key
   * (`compare.threshold`, `models.digits.input`), for messages about its value.
   */
  settingsAt: Record<string, Position>;
  /** `rollout:`, for `edgeml promote --gate --config` (absent: the flags alone). */
  rollout?: RolloutPlan;
}

/** One stage of a staged rollout: a channel (the devices that poll it) at a cohort percentage, with its gate. */
export interface RolloutStage {
  channel: 'canary' | 'beta' | 'stable';
  percent: number;
  /** This stage's gate, where it differs from the rollout's (thresholds in percent, 0-100). */
  minDevices?: number;
  successThreshold?: number;
  errorThreshold?: number;
  soakMs?: number;
  at: Position;
}

/** `rollout:` of edgeml.yml: the stages a release goes through and the gate settings they share. */
export interface RolloutPlan {
  stages: RolloutStage[];
  minDevices?: number;
  successThreshold?: number;
  errorThreshold?: number;
  soakMs?: number;
  autoRollback?: boolean;
  /** Where each key is written (`rollout.soak`, `rollout.stages[1].percent`), for messages about its value. */
  at: Record<string, Position>;
}
