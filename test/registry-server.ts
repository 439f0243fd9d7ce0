// Debian's docker-registry (the CNCF distribution registry) started on 127.0.0.1 with a free
// port and storage in a temp folder; optionally with basic auth (an htpasswd file made with
// apache2-utils' htpasswd, bcrypt as the registry requires) or token auth, whose token service is
// a small HTTP server of the test signing JWTs with a key whose certificate the registry trusts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

export interface Registry {
  /** host:port, as an OCI reference names it. */
  host: string;
  dir: string;
  /** Token requests the token service saw (token auth only). */
  tokenRequests: string[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function b64url(x: Buffer | string): string {
  return Buffer.from(x).toString('base64url');
}

/** A self-signed certificate for the token signing key, made with openssl (the registry wants a chain in x5c). */
function signingCert(dir: string): { key: string; certDer: Buffer; certFile: string } {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const r = spawnSync('openssl', ['req', '-new', '-x509', '-key', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=edgeml-test-token'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const der = spawnSync('openssl', ['x509', '-in', certFile, '-outform', 'DER']).stdout as Buffer;
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certDer: der, certFile };
}

export interface RegistryOptions {
  auth?: { kind: 'basic' | 'token'; username: string; password: string };
}

export async function startRegistry(program: string, opts: RegistryOptions = {}): Promise<Registry> {
  const dir = tempDir('edgeml-registry-');
  const port = await freePort();
  const tokenRequests: string[] = [];
  let tokenServer: Server | null = null;
  let auth = '';
  if (opts.auth?.kind === 'basic') {
    const r = spawnSync('htpasswd', ['-Bbn', opts.auth.username, opts.auth.password], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`htpasswd: ${r.stderr}`);
    writeFileSync(join(dir, 'htpasswd'), r.stdout);
    auth = `auth:\n  htpasswd:\n    realm: edgeml-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (opts.auth?.kind === 'token') {
    const { username, password } = opts.auth;
    const cert = signingCert(dir);
    tokenServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      tokenRequests.push(url.search);
      const given = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      if (given !== `${username}:${password}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      const scope = url.searchParams.get('scope') ?? '';
      const [type, name, actions] = scope.split(':');
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'ES256', typ: 'JWT', x5c: [cert.certDer.toString('base64')] };
      const claims = {
        iss: 'edgeml-test', sub: username, aud: 'edgeml-registry', exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'),
        access: type ? [{ type, name, actions: (actions ?? '').split(',') }] : [],
      };
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const sig = createSign('SHA256').update(input).sign({ key: cert.key, dsaEncoding: 'ieee-p1363' });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${input}.${b64url(sig)}` }));
    });
    await new Promise<void>((r) => tokenServer!.listen(0, '127.0.0.1', r));
    const tport = (tokenServer.address() as AddressInfo).port;
    auth = `auth:\n  token:\n    realm: http://127.0.0.1:${tport}/token\n    service: edgeml-registry\n    issuer: edgeml-test\n    rootcertbundle: ${cert.certFile}\n`;
  }
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'config.yml'), `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${auth}`);
  const child: ChildProcess = spawn(program, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host, dir, tokenRequests,
    stop: async () => {
      // Killed by a signal, a child has signalCode set and exitCode null: either means it is gone.
      const gone = () => child.exitCode !== null || child.signalCode !== null;
      if (!gone()) {
        child.kill();
        await new Promise((r) => (gone() ? r(null) : child.once('exit', r)));
      }
      if (tokenServer) await new Promise((r) => tokenServer!.close(r));
    },
  };
}
