// The agent's outbox on disk (<dir>/reports/): every report is written here first and deleted
// once the broker has acknowledged it (QoS 1 PUBACK), so reports made while the broker is
// unreachable, or before a restart, are sent when the link returns. Bounded: past `limit` the
// oldest are dropped and counted in <dir>/reports/dropped.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface QueuedReport { topic: string; payload: string; retain: boolean }

const NAME = /^(\d{12})\.json$/;

export class ReportQueue {
  readonly dir: string;
  private next: number;

  constructor(stateDir: string, readonly limit: number) {
    this.dir = join(stateDir, 'reports');
    mkdirSync(this.dir, { recursive: true });
    const seqs = this.files().map((f) => Number(NAME.exec(f)![1]));
    this.next = seqs.length ? Math.max(...seqs) + 1 : 1;
  }

  private files(): string[] {
    return readdirSync(this.dir).filter((f) => NAME.test(f)).sort();
  }

  get dropped(): number {
    try {
      const n = Number(readFileSync(join(this.dir, 'dropped'), 'utf8'));
      return Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  private addDropped(n: number): void {
    const file = join(this.dir, 'dropped');
    writeFileSync(`${file}.tmp`, String(this.dropped + n));
    renameSync(`${file}.tmp`, file);
  }

  get length(): number {
    return this.files().length;
  }

  /** Adds a report; drops the oldest beyond the limit. Returns how many were dropped. */
  push(r: QueuedReport): number {
    const file = join(this.dir, `${String(this.next++).padStart(12, '0')}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(r));
    renameSync(`${file}.tmp`, file);
    const files = this.files();
    const over = files.length - this.limit;
    if (over <= 0) return 0;
    for (const f of files.slice(0, over)) rmSync(join(this.dir, f), { force: true });
    this.addDropped(over);
    return over;
  }

  /** The oldest report and its handle, or null when empty. A file that cannot be read is dropped and counted. */
  peek(): { id: string; report: QueuedReport } | null {
    for (const f of this.files()) {
      try {
        const r = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as QueuedReport;
        if (typeof r.topic === 'string' && typeof r.payload === 'string') return { id: f, report: r };
      } catch {
        // cut short by a crash between write and rename cannot happen (rename is atomic); anything else is damage
      }
      rmSync(join(this.dir, f), { force: true });
      this.addDropped(1);
    }
    return null;
  }

  remove(id: string): void {
    if (existsSync(join(this.dir, id))) rmSync(join(this.dir, id));
  }
}
