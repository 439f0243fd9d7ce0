// `edgeml agent --serve`: the device serves the model it has installed over the Open Inference
// Protocol server (src/serve) and swaps it, without a failed or dropped request, when a poll
// leaves another release current. A release that fails its acceptance check never becomes
// current, so it is never served; one that becomes current but does not load in the server is
// refused there too, and the old model keeps serving. The reference profile signed into the
// release fills the telemetry windows; a release without one is served with drift not judged.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import { parseProfile, type DriftSettings, type Profile, type TelemetryWindow } from '../drift/index.js';
import { serveModel, type ModelServer } from '../serve/index.js';
import { readEvidence } from '../fleet/index.js';
import type { Dispatcher, DispatchStatus } from './dispatch.js';
import { currentSlot, installed, layout, writeJsonAtomic, type Installed, type Layout } from './slots.js';

/** The profile's name inside a slot, beside the model and its evidence. */
export const PROFILE_FILE = 'profile.json';
/** What the server serves, for an operator and a test: `--dir`/serve.json. */
const SERVE_FILE = 'serve.json';
const EVIDENCE_FILE = 'evidence.json';

export interface AgentServeOptions {
  listen: string;
  /** The model name in the URL: --model, else the installed model's (one of the two is needed). */
  name?: string;
  telemetryDir?: string;
  window?: number;
  windowMs?: number;
  drift?: DriftSettings;
  deviceId: string;
  /** The device's hardware label, spelled as CI's runner label: latency drift compares with CI's p90 on it. */
  label?: string;
  maxConcurrent?: number;
  onWindow?: (w: TelemetryWindow) => void;
  /** Sends the drift trigger to the repository (--dispatch); told every window. */
  dispatcher?: Dispatcher;
  log: (line: string) => void;
}

export interface ServedState {
  url: string;
  name: string;
  /** The release served (null before the first install). */
  serving: Pick<Installed, 'version' | 'release' | 'sha256' | 'slot'> | null;
  /** 'judged', or why drift is not judged for this release. */
  drift: string;
  /** The last release that was current but could not be served (the old one kept serving). */
  refused: { version: string; release: number; reason: string } | null;
  /** The drift trigger (--dispatch): the streak, what is pending (with its last error), the last sent. */
  dispatch?: DispatchStatus;
}

function readSlotProfile(l: Layout, cur: Installed): { profile: Profile | null; drift: string } {
  const file = join(l.slots, cur.slot, PROFILE_FILE);
  if (!existsSync(file)) return { profile: null, drift: 'not judged: the release carries no reference profile' };
  try {
    return { profile: parseProfile(readFileSync(file, 'utf8'), file), drift: 'judged' };
  } catch (e) {
    return { profile: null, drift: `not judged: ${oneLine(e)}` };
  }
}

/** CI's p90 and runner label from the release's evidence in the slot (null when it has none). */
function ciLatency(file: string): { p90Ms: number; label: string } | null {
  if (!existsSync(file)) return null;
  try {
    const l = readEvidence(file).latency;
    return l && typeof l.p90Ms === 'number' ? { p90Ms: l.p90Ms, label: l.device } : null;
  } catch {
    return null; // verified against its signed hash when installed: unreadable means an older format
  }
}

export class AgentServer {
  private constructor(
    private readonly server: ModelServer, private readonly l: Layout, private readonly log: (line: string) => void, private state: ServedState,
    private readonly label: string | null, private readonly dispatcher: Dispatcher | null,
  ) {
    dispatcher?.onChange(() => this.write());
  }

  /** Listens at once; serves the installed model if there is one (ready is false until then). */
  static async start(dir: string, opts: AgentServeOptions): Promise<AgentServer> {
    const l = layout(dir);
    mkdirSync(l.dir, { recursive: true });
    const cur = installed(l, currentSlot(l));
    const name = opts.name ?? cur?.model;
    if (!name) throw new UserError(`--serve ${opts.listen}: no model is installed yet; give --model NAME, the name it is served under`);
    let self: AgentServer | null = null;
    const d = opts.dispatcher;
    const onWindow = (w: TelemetryWindow) => {
      opts.onWindow?.(w);
      d?.window(w, self?.state.serving?.sha256 === w.sha256 ? self.state.serving.version : null);
    };
    const server = await serveModel({
      model: null, name, listen: opts.listen, telemetryDir: opts.telemetryDir, window: opts.window, windowMs: opts.windowMs, drift: opts.drift,
      device: opts.deviceId, maxConcurrent: opts.maxConcurrent, onWindow, log: opts.log,
    });
    const s = new AgentServer(server, l, opts.log, { url: `${server.url}/v2/models/${server.name}`, name: server.name, serving: null, drift: 'not judged: no model installed yet', refused: null }, opts.label ?? null, d ?? null);
    self = s;
    await s.sync(cur);
    s.write();
    return s;
  }

  get served(): ServedState {
    return this.state;
  }

  /**
   * After a poll: serve what is current now (the release just installed, or the one a rollback
   * pointed back at). Never throws: a model the server cannot load is reported and the old one
   * keeps serving.
   */
  async sync(cur: Installed | null): Promise<void> {
    // A drift trigger that could not be sent is tried again after every poll (in the background).
    void this.dispatcher?.flush();
    if (!cur || cur.sha256 === this.server.sha256) return;
    if (cur.model !== this.state.name) {
      this.refuse(cur, `it is model '${cur.model}', this server serves '${this.state.name}'`);
      return;
    }
    const { profile, drift } = readSlotProfile(this.l, cur);
    try {
      await this.server.swap(join(this.l.slots, cur.slot, cur.file), profile, { target: cur.target, label: this.label, ci: ciLatency(join(this.l.slots, cur.slot, EVIDENCE_FILE)) });
    } catch (e) {
      this.refuse(cur, oneLine(e));
      return;
    }
    this.state = { ...this.state, serving: { version: cur.version, release: cur.release, sha256: cur.sha256, slot: cur.slot }, drift, refused: null };
    this.write();
  }

  private refuse(cur: Installed, reason: string): void {
    const kept = this.state.serving ? `${this.state.serving.version} keeps serving` : 'nothing is served';
    this.log(`edgeml agent: --serve: release ${cur.release} (${cur.version}) is installed but not served, ${kept}: ${reason}`);
    this.state = { ...this.state, refused: { version: cur.version, release: cur.release, reason } };
    this.write();
  }

  write(): void {
    writeJsonAtomic(join(this.l.dir, SERVE_FILE), this.dispatcher ? { ...this.state, dispatch: this.dispatcher.status } : this.state);
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.dispatcher?.flush();
  }
}
