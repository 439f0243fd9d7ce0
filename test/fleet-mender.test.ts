// Mender Artifacts (v3, module-image, single-file) written in TypeScript, checked with Debian's
// mender-artifact: `read` parses them, `validate -k` accepts the signature (ECDSA P-256 and RSA)
// and refuses a tampered file or another key.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadMenderKey, menderArtifact } from '../src/fleet/mender.js';
import { MODELS, edgeml, tempDir } from './helpers.js';
import { tool as findTool } from './tools.js';

const TOOL = findTool('mender-artifact', 'mender-artifact');
let base: string;
const keys: Record<'ec' | 'rsa' | 'other', { priv: string; pub: string }> = {} as never;

function tool(...args: string[]) {
  return spawnSync(TOOL as string, args, { encoding: 'utf8' });
}

beforeAll(() => {
  base = tempDir('edgeml-mender-');
  const make = (name: 'ec' | 'rsa' | 'other', pair: ReturnType<typeof generateKeyPairSync>) => {
    keys[name] = { priv: join(base, `${name}.pem`), pub: join(base, `${name}.pub`) };
    writeFileSync(keys[name].priv, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
    writeFileSync(keys[name].pub, pair.publicKey.export({ format: 'pem', type: 'spki' }) as string);
  };
  make('ec', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
  make('rsa', generateKeyPairSync('rsa', { modulusLength: 2048 }));
  make('other', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
});

describe.skipIf(!TOOL)('mender-artifact reads and validates what we write', () => {
  for (const kind of ['ec', 'rsa'] as const) {
    test(`signed with ${kind === 'ec' ? 'ECDSA P-256' : 'RSA'}`, async () => {
      const file = join(base, `${kind}.mender`);
      const bytes = await menderArtifact(readFileSync(MODELS.digits), {
        name: 'digits-1.0.0-cpu-fp32', softwareName: 'digits-cpu-fp32', softwareVersion: '1.0.0', deviceTypes: ['raspberrypi4', 'jetson-orin'],
        destDir: '/var/lib/edgeml/models', fileName: 'cpu-fp32.onnx', key: loadMenderKey(keys[kind].priv),
      });
      writeFileSync(file, bytes);
      // The outer tar holds exactly these entries, in this order.
      expect(execFileSync('tar', ['tf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['version', 'manifest', 'manifest.sig', 'header.tar.gz', 'data/0000.tar.gz']);
      const read = tool('read', file);
      expect(read.status).toBe(0);
      expect(read.stdout).toMatch(/Name: digits-1\.0\.0-cpu-fp32/);
      expect(read.stdout).toMatch(/Format: mender\s+Version: 3/);
      expect(read.stdout).toMatch(/Signature: signed/);
      expect(read.stdout).toMatch(/Compatible devices: '\[raspberrypi4 jetson-orin\]'/);
      expect(read.stdout).toMatch(/Type: {3}single-file/);
      expect(read.stdout).toMatch(/rootfs-image\.digits-cpu-fp32\.version: 1\.0\.0/);
      expect(read.stdout).toMatch(/name: +cpu-fp32\.onnx/);
      const ok = tool('validate', '-k', keys[kind].pub, file);
      expect(ok.stderr + ok.stdout).toMatch(/validated successfully/);
      expect(ok.status).toBe(0);
      // Another key, and one flipped byte in the payload: refused.
      expect(tool('validate', '-k', keys.other.pub, file).status).not.toBe(0);
      // One bit of the compressed payload (its tar header is 512 bytes before its content).
      const tampered = Buffer.from(bytes);
      const header = tampered.indexOf('data/0000.tar.gz');
      tampered[header + 512 + 40] ^= 0x01;
      writeFileSync(join(base, 'tampered.mender'), tampered);
      expect(tool('validate', '-k', keys[kind].pub, join(base, 'tampered.mender')).status).not.toBe(0);
    });
  }

  test('edgeml publish --mender writes one signed artifact per target next to the channel', () => {
    const art = join(base, 'art');
    mkdirSync(art);
    copyFileSync(MODELS.digits, join(art, 'cpu-fp32.onnx'));
    copyFileSync(MODELS.wakeword, join(art, 'cpu-int8.onnx'));
    const chanKeys = join(base, 'keys');
    expect(edgeml(['keys', 'init', '--out', chanKeys]).status).toBe(0);
    const repo = join(base, 'repo');
    const args = ['publish', '--repo', repo, '--keys', chanKeys, '--channel', 'beta', '--version', '1.0.0', '--artifacts', art, '--model', 'digits', '--mender'];
    const noKey = edgeml(args);
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toMatch(/--mender-key is required with --mender/);
    expect(existsSync(repo)).toBe(false);
    const badKey = edgeml([...args, '--mender-key', join(chanKeys, 'beta.pem'), '--mender-device-type', 'rpi4']);
    expect(badKey.status).toBe(2);
    expect(badKey.stderr.trim().split('\n')).toHaveLength(1);
    expect(badKey.stderr).toMatch(/ed25519 key; Mender verifies ECDSA P-256 or RSA/);
    expect(existsSync(repo)).toBe(false);
    const r = edgeml([...args, '--mender-key', keys.ec.priv, '--mender-device-type', 'rpi4']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const target of ['cpu-fp32', 'cpu-int8']) {
      const file = join(repo, `mender/beta/digits/1.0.0/${target}.mender`);
      expect(r.stdout).toContain(`mender/beta/digits/1.0.0/${target}.mender`);
      expect(tool('validate', '-k', keys.ec.pub, file).status).toBe(0);
      expect(tool('read', file).stdout).toMatch(new RegExp(`Name: digits-1\\.0\\.0-${target}`));
    }
  });
});
