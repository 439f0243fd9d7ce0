// The sequential test over rounds as they come in: looks planned once from the first measurement,
// each look on rounds the earlier looks had not all seen, each at 1 - alpha / looks, so the
// chance of a false alarm over all of them is at most alpha. No look is repeated on the same rounds.
import { fewestForInterval, planLooks } from '../stats/index.js';
import type { CompareMetric, RatioResult, Ratios, Round } from './types.js';
import { lookLevel, ratioAt } from './verdict.js';

export interface LookEvent {
  rounds: number;
  looks: number;
  ratio: Ratios;
  verdict: RatioResult['verdict'];
  metric: CompareMetric;
}

export interface SequentialOptions {
  threshold: number;
  metric: CompareMetric;
  minRounds: number;
  maxRounds: number;
  /** A stored base's p50 and p90 (stored-base design). */
  storedBase?: { p50?: number; p90?: number };
  onLook?: (e: LookEvent) => void;
}

export class Sequential {
  readonly rounds: Round[] = [];
  planned: number[] = [];
  looks = 0;
  private lastLookAt = 0;
  ratio: Ratios;
  /** True once the plan was capped by maxRounds (so the end is 'max-rounds', not 'max-duration'). */
  cappedByRounds = false;

  constructor(private readonly o: SequentialOptions) {
    this.ratio = this.compute(lookLevel(1));
  }

  /** Plans the looks for `planned` rounds in all; only once. */
  plan(planned: number): void {
    if (this.planned.length) return;
    let n = Math.max(1, Math.floor(planned));
    if (this.o.maxRounds > 0 && n >= this.o.maxRounds) {
      n = this.o.maxRounds;
      this.cappedByRounds = true;
    }
    this.planned = planLooks(this.o.minRounds, n);
    // A look before an interval can exist at its level would spend its share of alpha on nothing
    // (more looks, a stricter level, more rounds needed): drop the looks that come too early.
    while (this.planned.length > 1 && this.planned[0] < this.fewestRounds) this.planned.shift();
  }

  get level(): number {
    return lookLevel(this.planned.length || 1);
  }

  /** Fewest rounds for which an interval exists at the level of each look. */
  get fewestRounds(): number {
    return this.o.storedBase ? 3 : fewestForInterval(this.level);
  }

  /** The deciding ratio. */
  get deciding(): RatioResult {
    return this.ratio[this.o.metric] as RatioResult;
  }

  get decided(): boolean {
    return this.deciding.verdict !== 'inconclusive';
  }

  /** True when all planned looks are done. */
  get finished(): boolean {
    return this.planned.length > 0 && this.looks >= this.planned.length;
  }

  private compute(level: number): Ratios {
    const s = this.o.storedBase;
    const cpu = !s && this.rounds.length > 0 && this.rounds.every((r) => r.head.cpu !== undefined && r.base?.cpu !== undefined);
    return {
      p50: ratioAt(this.rounds, 'p50', level, this.o.threshold, s ? s.p50 : undefined),
      p90: ratioAt(this.rounds, 'p90', level, this.o.threshold, s ? s.p90 : undefined),
      ...(cpu || this.o.metric === 'cpu' ? { cpu: ratioAt(this.rounds, 'cpu', level, this.o.threshold) } : {}),
    };
  }

  private look(): void {
    this.looks++;
    this.lastLookAt = this.rounds.length;
    this.ratio = this.compute(this.level);
    this.o.onLook?.({ rounds: this.rounds.length, looks: this.looks, ratio: this.ratio, verdict: this.deciding.verdict, metric: this.o.metric });
  }

  /** Adds rounds, looking whenever a planned look is due; true when decided or all looks are done. */
  add(...rounds: Round[]): boolean {
    for (const r of rounds) {
      if (this.finished) return true;
      this.rounds.push(r);
      if (this.rounds.length >= this.planned[this.looks]) {
        this.look();
        if (this.decided || this.finished) return true;
      }
    }
    return false;
  }

  /** Time is up: one last look, on rounds no look has seen yet, if any look is left to spend. */
  finish(): void {
    if (!this.planned.length) this.plan(this.rounds.length);
    if (this.rounds.length > this.lastLookAt && !this.finished) this.look();
  }

  /** Why the deciding metric has no interval, or undefined when it has one. */
  noInterval(option: (flag: string) => string): string | undefined {
    if (this.deciding.ci95) return undefined;
    const n = this.rounds.length;
    if (!n) return `no round finished within ${option('--max-duration')}; raise it`;
    return `${n} rounds are too few for an interval at the ${(this.level * 100).toFixed(2)}% level of each of ${this.planned.length} looks (at least ${this.fewestRounds} needed); raise ${option('--max-duration')}`;
  }
}
