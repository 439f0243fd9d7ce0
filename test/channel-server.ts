// A real HTTP server on 127.0.0.1 serving a channel folder, with a request log and a hook that
// lets a test play the attacker or the broken mirror for chosen paths.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Hook = (path: string, req: IncomingMessage, res: ServerResponse) => boolean;

export interface ChannelServer {
  url: string;
  requests: string[];
  hook: Hook | null;
  close(): Promise<void>;
}

export async function serveChannel(dir: string): Promise<ChannelServer> {
  const state: ChannelServer = { url: '', requests: [], hook: null, close: async () => {} };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    state.requests.push(path);
    if (state.hook && state.hook(path, req, res)) return;
    const file = join(dir, ...path.split('/'));
    if (path.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return state;
}
