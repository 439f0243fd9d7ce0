// Debian's mosquitto as the fleet's broker for a test: examples/mosquitto/mosquitto.conf and acl
// as they are, with the certificate paths, the persistence folder and the port rewritten to a
// temporary folder and a free port on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

export interface Broker { url: string; port: number; dir: string; log: () => string; stop(): Promise<void> }

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** `certs` holds ca.crt, server.crt and server.key (edgeml devices provision --server 127.0.0.1). */
export async function startBroker(mosquitto: string, dir: string, certs: string): Promise<Broker> {
  const port = await freePort();
  for (const f of ['ca.crt', 'server.crt', 'server.key']) copyFileSync(join(certs, f), join(dir, f));
  copyFileSync(join(ROOT, 'examples/mosquitto/acl'), join(dir, 'acl'));
  const conf = readFileSync(join(ROOT, 'examples/mosquitto/mosquitto.conf'), 'utf8')
    .replaceAll('/etc/mosquitto/edgeml/', `${dir}/`)
    .replaceAll('/var/lib/mosquitto/', `${dir}/`)
    .replace(/^listener 8883$/m, `listener ${port} 127.0.0.1`);
  // Run as root (CI), mosquitto would switch to the user 'mosquitto', who cannot read a private temp folder.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username}\n` : '';
  writeFileSync(join(dir, 'mosquitto.conf'), `${conf}\n${user}log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n`);
  let log = '';
  const child: ChildProcess = spawn(mosquitto, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}: ${log}`);
    const up = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `mqtts://127.0.0.1:${port}`, port, dir, log: () => log,
    stop: () => new Promise((r) => {
      if (child.exitCode !== null) return r();
      child.once('exit', () => r());
      child.kill('SIGTERM');
    }),
  };
}
