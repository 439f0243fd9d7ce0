// The stats area's types that other areas use (index.ts exports them).
// Types only: nothing here runs.

/** MLPerf's early-stopping verdict on a latency percentile. */
export interface EarlyStopping {
  /** Percentile judged, as a fraction (0.9, 0.99). */
  percentile: number;
  /** Whether the run had the queries MLPerf's early-stopping rule needs for this percentile. */
  sufficient: boolean;
  /** Queries needed with no tail query discarded (64 for p90, 662 for p99 at 99%). */
  minQueries: number;
  /** The conservative order statistic MLPerf reports instead of the plain percentile. */
  estimate: number | null;
}
