// A real HTTP server on 127.0.0.1 serving a channel folder, with a request log and a hook that
// lets a test play the attacker or the broken mirror for chosen paths. It honours Range requests
// (bytes=N-) and, for the paths a test picks, plays a bad link: throttled to a rate, stalled
// (headers and some bytes, then silence), or cut (the connection closed after some bytes).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Hook = (path: string, req: IncomingMessage, res: ServerResponse) => boolean;

/** How the link behaves for the paths `applies` picks (all others are served at once). */
export interface Link {
  applies: (path: string) => boolean;
  /** Bytes per second of the response body (default: as fast as possible). */
  bytesPerSec?: number;
  /** After this many body bytes of a response, stop sending and keep the connection open. */
  stallAfter?: number;
  /** After this many body bytes of a response, close the connection. */
  cutAfter?: number;
  /** Ignore Range headers (a server without range support answers 200 with the whole file). */
  noRanges?: boolean;
}

export interface ChannelServer {
  url: string;
  requests: string[];
  /** `path range` for every request that carried a Range header. */
  ranges: string[];
  hook: Hook | null;
  link: Link | null;
  close(): Promise<void>;
}

function send(res: ServerResponse, body: Buffer, link: Link | null): void {
  const limit = Math.min(link?.cutAfter ?? Infinity, link?.stallAfter ?? Infinity, body.length);
  const chunk = link?.bytesPerSec ? Math.max(1, Math.floor(link.bytesPerSec / 10)) : body.length;
  let at = 0;
  const step = () => {
    if (res.destroyed) return;
    if (at >= limit) {
      if (at >= body.length) res.end();
      return; // stalled: nothing more, the connection stays open
    }
    const end = Math.min(limit, at + chunk);
    const cut = link?.cutAfter !== undefined && end >= link.cutAfter && end < body.length;
    // Cut once the bytes are on their way (destroying at once would drop them).
    res.write(body.subarray(at, end), () => cut && res.socket?.destroy());
    at = end;
    if (cut) return;
    if (link?.bytesPerSec) setTimeout(step, 100);
    else step();
  };
  step();
}

export async function serveChannel(dir: string): Promise<ChannelServer> {
  const state: ChannelServer = { url: '', requests: [], ranges: [], hook: null, link: null, close: async () => {} };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    state.requests.push(path);
    if (req.headers.range) state.ranges.push(`${path} ${req.headers.range}`);
    if (state.hook && state.hook(path, req, res)) return;
    const file = join(dir, ...path.split('/'));
    if (path.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const link = state.link && state.link.applies(path) ? state.link : null;
    const bytes = readFileSync(file);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !link?.noRanges) {
      const start = Number(range[1]);
      if (start >= bytes.length) {
        res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': bytes.length - start, 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` });
      send(res, bytes.subarray(start), link);
      return;
    }
    res.writeHead(200, { 'content-length': bytes.length });
    send(res, bytes, link);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return state;
}
