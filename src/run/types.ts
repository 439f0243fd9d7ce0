// What `edgeml run` takes and gives back, apart from the steps that fill it in.
import type { ProgressEvent } from '../bench/index.js';
import type { EdgemlConfig } from '../config/index.js';
import type { BudgetRow, ReportStatus, Section } from '../report/index.js';
import type { BaseSource } from './base.js';
import type { SummaryRow } from './summary.js';

export interface RunOptions {
  config: string;
  base?: BaseSource;
  /** The results folder (created; earlier contents of its sub-folders replaced). */
  out: string;
  deviceLabel?: string;
  /**
   * The runtimes to inspect each model for, instead of edgeml.yml's inspect: (those compat.*
   * budgets name are added), or false to inspect none. `from` names where it was given.
   */
  inspect?: { value: string[] | false; from: string };
}

/** What `edgeml run` reads through (injectable, so a test can count the reads). */
export interface RunDeps {
  loadConfig?: (file: string) => EdgemlConfig;
}

/** Where progress goes: log groups in Actions, headings and a bar on a terminal. */
export interface RunReporter {
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  info(message: string): void;
  warning(message: string): void;
  measuring?(label: string, totalMs: number, minIterations: number): { update(p: ProgressEvent & { step: string }): void; stop(): void };
}

export interface RunOutcome {
  verdict: ReportStatus;
  /** Exit-1 reasons: a budget at level error failed, compare said slower, an artifact below its floor. */
  failures: string[];
  out: string;
  report: string;
  /** The report as written to `report`, in parts (to fit a PR comment), and its budget rows (for annotations). */
  rendered: { markdown: string; sections: Section[]; budgets: BudgetRow[] };
  summary: string;
  files: { results: string[]; compare: string[]; check: string[]; manifests: string[]; inspect: string[]; compat: string[] };
  rows: SummaryRow[];
  notices: string[];
}
