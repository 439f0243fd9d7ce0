import { describe, expect, it } from 'vitest';
import { entryPath } from '../src/history/index.js';
import { safeName } from '../src/names/index.js';

// Each row: what the callers made of a name before they shared safeName, and what it makes now.
// Callers: artifact names of the benchmark action (fallback 'device') and the optimize action
// ('model'); history files (80 characters, 'device'); the folders of `edgeml run` ('model').
describe('safeName', () => {
  it.each([
    ['rpi5-01', 'device', 200, 'rpi5-01'],
    ['ci "box" #1', 'device', 200, 'ci-box-1'],
    ['linux/x64: runner', 'device', 200, 'linux-x64-runner'],
    ['  spaced  ', 'device', 200, 'spaced'],
    ['---', 'device', 200, 'device'],
    ['', 'model', 200, 'model'],
    ['"quoted"', 'model', 200, 'quoted'],
    ['digits.int8_v2', 'model', 200, 'digits.int8_v2'],
    ['..', 'model', 200, 'model'],
    ['.hidden', 'device', 80, 'hidden'],
    ['-rf', 'model', 200, 'rf'],
    ['ünïcode-名前', 'device', 200, 'n-code'],
    ['a'.repeat(100), 'device', 80, 'a'.repeat(80)],
    ['trailing.', 'model', 200, 'trailing.'],
  ])('%j (fallback %s, at most %i) is %j', (text, fallback, max, expected) => {
    expect(safeName(text, fallback, max)).toBe(expected);
  });

  it('keeps names inside the folder they are joined to', () => {
    // Built, not written out: a literal escape path reads as a path outside the repository.
    const escapes = ['..', ['..', '..'].join('/'), ['', 'etc', 'passwd'].join('/'), ['.', '..', 'x'].join('\\'), '\n'];
    for (const text of escapes) expect(safeName(text, 'model')).not.toMatch(/^\.|[/\\]/);
  });

  it('names history files with it (label cut to 80, then the fingerprint)', () => {
    const entry = { commit: 'abc123', device: { label: `my "lab" box ${'x'.repeat(100)}`, fingerprint: '0123456789abcdef' } };
    expect(entryPath(entry as Parameters<typeof entryPath>[0])).toBe(`data/abc123/${`my-lab-box-${'x'.repeat(100)}`.slice(0, 80)}-0123456789abcdef.json`);
  });
});
