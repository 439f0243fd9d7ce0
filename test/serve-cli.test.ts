// `edgeml serve` as a user runs it (the built CLI, a child process): its settings table
// (SERVE_SETTINGS), the telemetry window cut by count and by time (--window-time), and
// monitoring: of edgeml.yml (--config) reaching the server's own verdicts; bad flags are one line.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, test } from 'vitest';
import { readNpy } from '../src/tensors/index.js';
import { profileModel } from '../src/drift/make.js';
import { SERVE_SETTINGS, windowSettings } from '../src/serve/index.js';
import { addSettings } from '../src/cli/settings.js';
import { asFlag, parseSettings } from '../src/settings/index.js';
import { CLI, DIGITS, MODELS, edgeml, tempDir, until } from './helpers.js';

const DATA = join(DIGITS, 'test_inputs.npy');
const pixels = readNpy(DATA).data as unknown as Float32Array;
const row = (i: number) => Array.from(pixels.subarray((i % 540) * 64, (i % 540 + 1) * 64));

let profileFile: string;

beforeAll(async () => {
  profileFile = join(tempDir(), 'profile.json');
  writeFileSync(profileFile, JSON.stringify(await profileModel(MODELS.digits, 'mlp', { pixels: { kind: 'npy', path: DATA } })));
});

describe('the serve settings table', () => {
  test('flags parse to typed values; --window and --window-time have no default of their own (monitoring: or 100 decides)', () => {
    let got: Record<string, string> = {};
    addSettings(new Command('serve').exitOverride(), SERVE_SETTINGS).action((f) => { got = f; }).parse(['--model', 'm.onnx', '--window-time', '2m', '--max-body', '2048'], { from: 'user' });
    const v = parseSettings(SERVE_SETTINGS, got, asFlag);
    expect(v).toMatchObject({ model: 'm.onnx', listen: '127.0.0.1:8080', windowTime: 120_000, maxBody: 2048, maxConcurrent: 4 });
    expect(v.window).toBeUndefined();
    expect(windowSettings(v)).toMatchObject({ window: 100, windowMs: 120_000, drift: { minRequests: 30, windowsInARow: 3 } });
    expect(windowSettings({})).toMatchObject({ window: 100, windowMs: null });
  });
});

describe('edgeml serve --window-time and --config', () => {
  test('monitoring: sets the window and the thresholds; --window-time ends a window by time; a flag wins over the file', async () => {
    const dir = tempDir('edgeml-serve-cli-');
    const config = join(dir, 'edgeml.yml');
    writeFileSync(config, 'monitoring:\n  window: { requests: 3, time: 1h }\n  min-requests: 2\n');
    const telemetry = join(dir, 'telemetry');
    const child = spawn(process.execPath, [CLI, 'serve', '--model', MODELS.digits, '--name', 'mlp', '--listen', '127.0.0.1:0', '--reference', profileFile,
      '--telemetry', telemetry, '--config', config, '--window-time', '1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const url = await until('the server', () => /^(http:\S+)\n/.exec(stdout)?.[1]);
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`${url}/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 64], datatype: 'FP32', data: row(i * 11) }] }) });
        expect(res.status).toBe(200);
      }
      const file = join(telemetry, 'mlp.jsonl');
      // Two windows of 3 (monitoring.window.requests), then the seventh request's window ends by time (--window-time over the file's 1h).
      const lines = await until('the window ended by time', () => {
        const l = readFileSync(file, 'utf8').trim().split('\n').map((x) => JSON.parse(x));
        return l.length >= 3 && l;
      }, { ms: 30_000 });
      expect(lines.map((w: { requests: number }) => w.requests)).toEqual([3, 3, 1]);
      // min-requests 2 from the file: the device judged the windows of 3, not the one of 1.
      expect(lines.map((w: { verdict: { judged: boolean } }) => w.verdict.judged)).toEqual([true, true, false]);
      expect(lines[2].verdict.reason).toBe('1 requests, fewer than 2');
    } finally {
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed;
    }
    expect(stderr).toMatch(/serving mlp version/);
  });

  test('bad flags and files: one line naming them, exit 2, nothing served or written', () => {
    const dir = tempDir();
    const telemetry = join(dir, 'telemetry');
    const badConfig = join(dir, 'edgeml.yml');
    writeFileSync(badConfig, 'monitoring:\n  window: { requests: 0 }\n');
    const serve = ['serve', '--model', MODELS.digits, '--listen', '127.0.0.1:0'];
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--listen', '127.0.0.1:0'], /^edgeml: error: --model is required: the ONNX model to serve$/],
      [[...serve, '--window', '5'], /^edgeml: error: --window is for the telemetry windows: give --telemetry DIR too$/],
      [[...serve, '--window-time', '1m'], /--window-time is for the telemetry windows: give --telemetry DIR too$/],
      [[...serve, '--config', badConfig], /--config is for the telemetry windows: give --telemetry DIR too$/],
      [[...serve, '--telemetry', telemetry, '--window', '0'], /--window "0": expected a whole number of at least 1$/],
      [[...serve, '--telemetry', telemetry, '--window-time', 'soon'], /--window-time "soon": expected a duration such as 10s, 500ms or 2m$/],
      [[...serve, '--telemetry', telemetry, '--window-time', '100ms'], /--window-time 100ms: at least 1s$/],
      [[...serve, '--telemetry', telemetry, '--config', badConfig], /edgeml\.yml:2:\d+: .*requests/],
      [[...serve, '--telemetry', telemetry, '--config', join(dir, 'none.yml')], /none\.yml/],
      [[...serve, '--max-concurrent', '0'], /--max-concurrent "0": expected a whole number of at least 1$/],
      [[...serve, '--max-body', '10'], /--max-body "10": expected a whole number of at least 1024$/],
    ];
    for (const [args, expected] of cases) {
      const r = edgeml(args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(expected);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(telemetry)).toBe(false);
  });
});
