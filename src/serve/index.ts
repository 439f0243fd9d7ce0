// `edgeml serve`: the installed model over the Open Inference Protocol v2 REST API, so KServe,
// Triton and MLServer clients work unchanged; every request's latency and the histograms of the
// reference profile fill telemetry windows, written as JSON lines. The model can be swapped while
// requests are in flight: each request keeps the session it started on.
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname } from 'node:path';
import { UserError, oneLine } from '../errors.js';
import { loadOrt, type OrtModule } from '../tensors/index.js';
import { fromFloat16Bits, sha256File } from '../model/index.js';
import { DRIFT_DEFAULTS, type DriftSettings, type Profile, type TelemetryWindow, type Values } from '../drift/index.js';
import { ORT_TO_OIP, ProtocolError, fromRuntime, toRuntime, type RequestTensor, type TensorMeta } from './protocol.js';
import { TelemetryWindows, type WindowTags } from './window.js';
import type { ModelServer } from './types.js';

type Session = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;

export { SERVE_SETTINGS, windowSettings, type WindowSettings } from './settings.js';

export type { WindowTags } from './window.js';
export type { ModelServer } from './types.js';

export interface ServeOptions {
  /** The model file; null serves nothing yet (ready is false) until the first swap. */
  model: string | null;
  /** Required when `model` is null. */
  name?: string;
  /** host:port; port 0 picks a free one. */
  listen: string;
  profile?: Profile;
  telemetryDir?: string;
  /** Requests per telemetry window. */
  window?: number;
  /** A window also ends after this long (ms), however few requests it has. */
  windowMs?: number;
  /** Thresholds the device scores each window with against the profile (default DRIFT_DEFAULTS). */
  drift?: DriftSettings;
  /** Copied into every window: the release's target, the device's label, CI's p90 on that label. */
  tags?: WindowTags;
  /** Told every telemetry window as it ends (the agent's broker reporter). */
  onWindow?: (w: TelemetryWindow) => void;
  device?: string;
  /** Largest request body (default 16 MiB) and tensor (default 4 M elements). */
  maxBodyBytes?: number;
  maxElements?: number;
  /** Requests run at once; more get 503 (default 4). */
  maxConcurrent?: number;
  log?: (line: string) => void;
}

interface Loaded {
  session: Session;
  sha256: string;
  version: string;
  inputs: TensorMeta[];
  outputs: TensorMeta[];
  inFlight: number;
  retired: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function metaOf(list: ReadonlyArray<{ name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }>, side: string, file: string): TensorMeta[] {
  return list.map((m) => {
    const datatype = m.isTensor && m.type ? ORT_TO_OIP[m.type] : undefined;
    if (!datatype) throw new UserError(`${file}: ${side} '${m.name}' is of type ${m.type ?? 'non-tensor'}${m.type === 'string' ? ' (BYTES)' : ''}, which this inference protocol server does not serve`);
    return { name: m.name, datatype, shape: (m.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
  });
}

/**
 * How the server's sessions run: ONNX Runtime's defaults, intra-op spinning on. Measured with
 * bench:serve's ~5 ms encoder on a 2-core machine, each arm after a pause so that no other
 * session's threads still spin (benchmark/RESULTS.md): spinning off made a run about 10% slower
 * (5.47 against 4.96 ms). Earlier readings either way (1 ms slower, 2-3x faster under load) came
 * from sessions spinning against each other, not from this setting.
 */
export const SESSION_OPTIONS = { logSeverityLevel: 3 } as const;

async function load(ort: OrtModule, file: string): Promise<Loaded> {
  let session: Session;
  try {
    session = await ort.InferenceSession.create(file, SESSION_OPTIONS);
  } catch (e) {
    throw new UserError(`${file}: ONNX Runtime cannot load it (${oneLine(e).slice(0, 200)})`);
  }
  const s = session as unknown as { inputMetadata: Parameters<typeof metaOf>[0]; outputMetadata: Parameters<typeof metaOf>[0] };
  const sha256 = await sha256File(file);
  return { session, sha256, version: sha256.slice(0, 12), inputs: metaOf(s.inputMetadata, 'input', file), outputs: metaOf(s.outputMetadata, 'output', file), inFlight: 0, retired: false };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new ProtocolError(`request body of ${declared} bytes is larger than the ${limit} this server takes`, 413));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new ProtocolError(`request body larger than the ${limit} bytes this server takes`, 413));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The request's `outputs` (the protocol lets a client pick them): null for all. */
function requestedOutputs(list: unknown, outputs: TensorMeta[]): Set<string> | null {
  if (list === undefined) return null;
  if (!Array.isArray(list)) throw new ProtocolError("'outputs' must be a list of {\"name\": ...}");
  const names = new Set<string>();
  for (const o of list) {
    const n = (o as { name?: unknown } | null)?.name;
    if (typeof n !== 'string' || !outputs.some((m) => m.name === n)) {
      throw new ProtocolError(`the model has no output '${String(n).slice(0, 100)}'; its outputs are ${outputs.map((m) => `'${m.name}'`).join(', ')}`);
    }
    names.add(n);
  }
  return names;
}

export async function serveModel(opts: ServeOptions): Promise<ModelServer> {
  const ort = loadOrt();
  const name = opts.name ?? (opts.model ? basename(opts.model, extname(opts.model)) : '');
  if (!NAME.test(name)) throw new UserError(`--name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-' (it is part of the URL)`);
  const m = /^(.*):(\d{1,5})$/.exec(opts.listen);
  if (!m) throw new UserError(`--listen ${JSON.stringify(opts.listen)}: give HOST:PORT, e.g. 127.0.0.1:8080`);
  const maxBody = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const maxElements = opts.maxElements ?? 4 * 1024 * 1024;
  const maxConcurrent = opts.maxConcurrent ?? 4;
  const windowSize = opts.window ?? 100;
  const settings = opts.drift ?? DRIFT_DEFAULTS;
  const device = opts.device ?? process.env.EDGEML_DEVICE_ID ?? 'local';
  const log = opts.log ?? (() => undefined);
  let current: Loaded | null = opts.model ? await load(ort, opts.model) : null;
  if (opts.telemetryDir) mkdirSync(opts.telemetryDir, { recursive: true });
  let running = 0;
  const windows = new TelemetryWindows({ name, device, size: windowSize, drift: settings, telemetryDir: opts.telemetryDir, onWindow: opts.onWindow }, current?.sha256 ?? '', opts.profile ?? null, opts.tags ?? {});
  const windowMs = opts.windowMs;
  const timer = windowMs ? setInterval(() => {
    if (windows.olderThan(windowMs)) windows.flush();
  }, Math.min(windowMs, 1000)) : null;
  timer?.unref();

  const release = async (l: Loaded) => {
    if (l.retired && l.inFlight === 0) await l.session.release().catch(() => undefined);
  };

  async function infer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const model = current;
    if (!model) {
      req.resume();
      res.setHeader('retry-after', '5');
      send(res, 503, { error: `no model is installed yet; '${name}' is served once the agent installs a release` });
      return;
    }
    if (running >= maxConcurrent) {
      req.resume();
      res.setHeader('retry-after', '1');
      send(res, 503, { error: `the server is busy (${maxConcurrent} requests at once); retry` });
      return;
    }
    running++;
    model.inFlight++;
    try {
      let body: { id?: unknown; inputs?: RequestTensor[]; outputs?: unknown };
      try {
        body = JSON.parse((await readBody(req, maxBody)).toString('utf8')) as typeof body;
      } catch (e) {
        throw e instanceof ProtocolError ? e : new ProtocolError('the request body is not JSON');
      }
      if (!body || !Array.isArray(body.inputs)) throw new ProtocolError("the request has no 'inputs' list");
      const feeds: Record<string, unknown> = {};
      const given: Record<string, Values> = {};
      for (const meta of model.inputs) {
        const t = body.inputs.find((x) => x && x.name === meta.name);
        if (!t) throw new ProtocolError(`input '${meta.name}' is missing`);
        const r = toRuntime(t, meta, maxElements);
        feeds[meta.name] = new ort.Tensor(r.type as 'float32', r.data as Float32Array, r.dims);
        given[meta.name] = { data: r.data as ArrayLike<number>, dims: r.dims };
      }
      const extra = body.inputs.find((x) => !model.inputs.some((i) => i.name === x?.name));
      if (extra) throw new ProtocolError(`the model has no input '${String(extra?.name)}'`);
      const wanted = requestedOutputs(body.outputs, model.outputs);
      const t0 = process.hrtime.bigint();
      let out: Record<string, { type: string; dims: readonly number[]; data: ArrayLike<number | bigint> }>;
      try {
        out = (await model.session.run(feeds as never)) as unknown as typeof out;
      } catch (e) {
        throw new ProtocolError(`the model refused the input: ${oneLine(e).slice(0, 300)}`);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const outputs = model.outputs.map((o) => fromRuntime(o.name, out[o.name].type, out[o.name].dims, out[o.name].data as ArrayLike<number>));
      // The profile's histograms see FP16 inputs as numbers, not as their binary16 bits.
      const tensors = () => ({
        inputs: Object.fromEntries(model.inputs.map((m) => [m.name, m.datatype === 'FP16' ? { data: Float32Array.from(given[m.name].data as Uint16Array, fromFloat16Bits), dims: given[m.name].dims } : given[m.name]])),
        outputs: Object.fromEntries(outputs.map((o) => [o.name, { data: o.data as number[], dims: o.shape }])),
      });
      // A full window is written before the answer, so a client that has its answer finds the window on disk.
      if (windows.add(model.sha256, ms, tensors) || (windowMs !== undefined && windows.olderThan(windowMs))) windows.flush();
      send(res, 200, { model_name: name, model_version: model.version, ...(typeof body.id === 'string' ? { id: body.id } : {}), outputs: wanted ? outputs.filter((o) => wanted.has(o.name)) : outputs });
    } finally {
      running--;
      model.inFlight--;
      await release(model);
    }
  }

  const base = `/v2/models/${name}`;
  // noDelay: an answer goes out at once, not after Nagle's wait for the client's ACK.
  const server: Server = createServer({ noDelay: true }, (req, res) => {
    // The path alone, without a URL object per request (query and fragment dropped, as the protocol has none).
    const raw = req.url ?? '/';
    const q = raw.search(/[?#]/);
    const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '');
    const model = current;
    const at = (suffix: string) => path === `${base}${suffix}` || (model !== null && path === `${base}/versions/${model.version}${suffix}`);
    const handle = async () => {
      if (req.method === 'GET' && path === '/v2/health/live') return send(res, 200, { live: true });
      // The protocol's readiness is the status code: 200 ready, 503 not (no model installed yet).
      if (req.method === 'GET' && path === '/v2/health/ready') return send(res, model ? 200 : 503, { ready: model !== null });
      if (req.method === 'GET' && path === '/v2') return send(res, 200, { name: 'edgeml', version: '1', extensions: [] });
      if (req.method === 'POST' && at('/infer')) return infer(req, res);
      req.resume();
      if (req.method === 'GET' && at('/ready')) return send(res, model ? 200 : 503, { name, ready: model !== null });
      if (req.method === 'GET' && at('') && model) {
        return send(res, 200, { name, versions: [model.version], platform: 'onnxruntime_onnx', inputs: model.inputs, outputs: model.outputs });
      }
      if (req.method === 'GET' && at('')) return send(res, 503, { error: `no model is installed yet; '${name}' is served once the agent installs a release` });
      if (path.startsWith('/v2/models/')) return send(res, 404, { error: `no model at ${path.slice(0, 120)}; this server serves '${name}'${model ? ` version ${model.version}` : ''}` });
      return send(res, 404, { error: 'not found' });
    };
    handle().catch((e: unknown) => {
      const status = e instanceof ProtocolError ? e.status : 500;
      if (status === 500) log(`serve: error: ${oneLine(e)}`);
      if (!res.headersSent) send(res, status, { error: e instanceof ProtocolError ? e.message : 'internal error' });
    });
  });
  // Slow clients cannot hold connections: headers within 10 s, the whole request within 30 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxHeadersCount = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new UserError(`--listen ${opts.listen}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : oneLine(e)}`)));
    server.listen(Number(m[2]), m[1].replace(/^\[|\]$/g, ''), resolve);
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  log(current ? `serving ${name} version ${current.version} at http://${host}:${addr.port}/v2/models/${name}` : `listening at http://${host}:${addr.port}; ${name} is served once a model is installed`);
  return {
    url: `http://${host}:${addr.port}`,
    name,
    get sha256() {
      return current?.sha256 ?? null;
    },
    async swap(file: string, nextProfile: Profile | null = null, nextTags: WindowTags = {}) {
      const next = await load(ort, file);
      const old = current;
      windows.flush({ sha256: next.sha256, profile: nextProfile, tags: nextTags });
      current = next;
      if (old) {
        old.retired = true;
        await release(old);
      }
      log(`serving ${name} version ${next.version}${nextProfile ? '' : ' (no reference profile: drift is not judged)'}`);
    },
    async close() {
      if (timer) clearInterval(timer);
      windows.flush();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      if (current) {
        current.retired = true;
        await release(current);
      }
    },
  };
}
