// `edgeml agent --serve --dispatch OWNER/REPO --token-file FILE`: the device opens the retraining
// loop itself. Every served window is judged by the trigger rule of `edgeml drift` (src/drift:
// the device's verdict, N drifted windows in a row per model); a streak that reaches N is one
// episode and sends one repository_dispatch with the payload `drift --dispatch` sends. The streak
// and the episodes live in DIR/dispatch.json, so a restart neither forgets a streak nor sends an
// episode twice; a dispatch that fails (4xx, 5xx, unreachable, an unreadable token) stays pending,
// is reported on stderr and in serve.json, and is tried again after the next poll: never dropped.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import { DRIFT_EVENT, dispatchPayload, scoreOnDevice, streakAfter, triggerKey, triggerOf, type DriftSettings, type TelemetryWindow, type Trigger } from '../drift/index.js';
import { sendDispatch } from '../github/dispatch.js';
import { writeJsonAtomic } from './slots.js';

/** The dispatcher's state inside --dir. */
export const DISPATCH_FILE = 'dispatch.json';
/** Keys of sent episodes kept: far more than a device sees between two releases. */
const SENT_KEPT = 100;

export interface DispatchOptions {
  /** OWNER/REPO. */
  repository: string;
  tokenFile: string;
  /** The agent's --dir. */
  dir: string;
  drift: DriftSettings;
  /** The payload's cohort: the device's channel. */
  cohort: string | null;
  log: (line: string) => void;
}

export interface Episode {
  key: string;
  trigger: Trigger;
  payload: Record<string, unknown>;
  attempts: number;
  lastAttempt: string | null;
  lastError: string | null;
  /** When GitHub accepted it (null while pending). */
  sent: string | null;
}

interface DispatchFile {
  /** The served model's streak: drifted judged windows in a row, and whether it has fired. */
  streak: { sha256: string; windows: number; fired: boolean; lastEnd: string } | null;
  /** Episodes not sent yet, oldest first. */
  pending: Episode[];
  sent: string[];
  last: Episode | null;
}

/** What serve.json says about the trigger. */
export interface DispatchStatus {
  repository: string;
  streak: { sha256: string; windows: number } | null;
  pending: Array<Pick<Episode, 'attempts' | 'lastAttempt' | 'lastError'> & { at: string; metric: string }>;
  lastSent: { at: string; metric: string; sent: string } | null;
}

/** A GitHub token from a file only its owner may read; a bad file is one line naming it and the fix. */
export function readTokenFile(file: string, flag = '--token-file'): string {
  const fix = 'give a file (mode 600) holding a GitHub token with contents: write on the repository';
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UserError(`${flag} ${file}: not a file; ${fix}`);
    if (st.mode & 0o077 && process.platform !== 'win32') {
      throw new UserError(`${flag} ${file}: readable by group or others (mode ${(st.mode & 0o777).toString(8)}); run 'chmod 600 ${file}'`);
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? oneLine(e)}); ${fix}`);
  }
  const token = text.trim();
  if (!token) throw new UserError(`${flag} ${file}: the file is empty; ${fix}`);
  if (/\s/.test(token)) throw new UserError(`${flag} ${file}: holds more than the token; write the token alone in it`);
  return token;
}

function loadState(file: string): DispatchFile {
  const empty: DispatchFile = { streak: null, pending: [], sent: [], last: null };
  if (!existsSync(file)) return empty;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as DispatchFile;
    if (!s || typeof s !== 'object' || !Array.isArray(s.pending) || !Array.isArray(s.sent)) throw new Error('not a dispatch state');
    return { ...empty, ...s };
  } catch {
    throw new UserError(`${file}: not the agent's dispatch state (JSON); remove it to start over (a streak under way starts again)`);
  }
}

export class Dispatcher {
  private readonly file: string;
  private readonly state: DispatchFile;
  private sending: Promise<void> | null = null;
  private changed: () => void = () => undefined;

  /** Checks the token file and the state on disk: a problem is a UserError before anything starts. */
  constructor(private readonly o: DispatchOptions) {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(o.repository)) throw new UserError(`--dispatch ${JSON.stringify(o.repository)}: give OWNER/REPO, the repository whose retraining workflow receives the trigger`);
    readTokenFile(o.tokenFile);
    this.file = join(o.dir, DISPATCH_FILE);
    this.state = loadState(this.file);
  }

  /** Told after every change of the state (the agent's server rewrites serve.json). */
  onChange(fn: () => void): void {
    this.changed = fn;
  }

  get status(): DispatchStatus {
    const s = this.state;
    return {
      repository: this.o.repository,
      streak: s.streak ? { sha256: s.streak.sha256, windows: s.streak.windows } : null,
      pending: s.pending.map((e) => ({ at: e.trigger.at, metric: e.trigger.metric, attempts: e.attempts, lastAttempt: e.lastAttempt, lastError: e.lastError })),
      lastSent: s.last?.sent ? { at: s.last.trigger.at, metric: s.last.trigger.metric, sent: s.last.sent } : null,
    };
  }

  /**
   * A served window ended (`version`: the release that served it). A new model starts the streak
   * over; the window that takes it to N makes the episode, sent at once; more drifted windows in a
   * row are the same episode.
   */
  window(w: TelemetryWindow, version: string | null): void {
    const score = scoreOnDevice(w, this.o.drift);
    const prev = this.state.streak?.sha256 === w.sha256 ? this.state.streak : null;
    const windows = streakAfter(prev?.windows ?? 0, score);
    let fired = windows > 0 && (prev?.fired ?? false);
    if (!fired && windows >= this.o.drift.windowsInARow) {
      fired = true;
      const trigger = triggerOf(score, windows);
      const key = triggerKey(w.sha256, trigger);
      if (!this.state.sent.includes(key) && !this.state.pending.some((e) => e.key === key)) {
        const payload = dispatchPayload({ name: w.model, sha256: w.sha256 }, trigger, [w.device], version, this.o.cohort);
        this.state.pending.push({ key, trigger, payload, attempts: 0, lastAttempt: null, lastError: null, sent: null });
      }
    }
    this.state.streak = { sha256: w.sha256, windows, fired, lastEnd: w.end };
    this.save();
    if (this.state.pending.length) void this.flush();
  }

  /** Sends what is pending, oldest first (after each poll, and when a streak fires); resolves when done or failed. */
  flush(): Promise<void> {
    if (!this.state.pending.length) return Promise.resolve();
    this.sending ??= this.sendPending().finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  private async sendPending(): Promise<void> {
    const repo = this.o.repository;
    const log = { info: this.o.log, warning: (m: string) => this.o.log(`warning: ${m}`), group: <T>(_name: string, fn: () => Promise<T>) => fn() };
    for (let e = this.state.pending[0]; e; e = this.state.pending[0]) {
      e.attempts++;
      e.lastAttempt = new Date().toISOString();
      try {
        await sendDispatch(readTokenFile(this.o.tokenFile), repo, DRIFT_EVENT, e.payload, log);
      } catch (err) {
        e.lastError = oneLine(err);
        this.save();
        this.o.log(`edgeml agent: --dispatch ${repo}: the drift trigger of ${e.trigger.at} is not sent yet (attempt ${e.attempts}): ${e.lastError}; tried again after the next poll`);
        return;
      }
      this.state.pending.shift();
      this.state.sent = [...this.state.sent, e.key].slice(-SENT_KEPT);
      this.state.last = { ...e, lastError: null, sent: new Date().toISOString() };
      this.save();
      this.o.log(`edgeml agent: dispatched ${DRIFT_EVENT} to ${repo} (${e.trigger.metric}, ${e.trigger.windows} drifted windows in a row, ended ${e.trigger.at})`);
    }
  }

  private save(): void {
    writeJsonAtomic(this.file, this.state);
    this.changed();
  }
}
