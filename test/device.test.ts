import { describe, expect, it } from 'vitest';
import { cpuFlagsFromCpuinfo, describeDevice, deviceLabel } from '../src/bench/device.js';

describe('device fingerprint', () => {
  it('keeps the x86 features that pick ONNX Runtime kernels', () => {
    const text = 'processor\t: 0\nflags\t\t: fpu vme sse4_1 sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx512_bf16 rdrand\n';
    expect(cpuFlagsFromCpuinfo(text)).toEqual([
      'avx', 'avx2', 'avx512_bf16', 'avx512_vnni', 'avx512bw', 'avx512f', 'avx512vl', 'f16c', 'fma', 'sse4_1', 'sse4_2', 'vnni',
    ]);
  });
  it('names Arm features as people know them (Raspberry Pi 5, Jetson Orin)', () => {
    const text = 'processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp\n';
    expect(cpuFlagsFromCpuinfo(text)).toEqual(['asimd', 'asimddp', 'asimdhp', 'dotprod', 'fp16', 'fphp', 'neon']);
  });
  it('describes this machine, with runner details inside Actions', () => {
    const prev = { ...process.env };
    Object.assign(process.env, { GITHUB_ACTIONS: 'true', RUNNER_NAME: 'rpi5-01', RUNNER_OS: 'Linux', RUNNER_ARCH: 'ARM64', EDGEML_RUNNER_LABELS: 'self-hosted, rpi5' });
    try {
      const d = describeDevice('rpi5');
      expect(d.label).toBe('rpi5');
      expect(d.runner).toEqual({ name: 'rpi5-01', os: 'Linux', arch: 'ARM64', labels: ['self-hosted', 'rpi5'] });
      expect(d.fingerprint).toBe(describeDevice('other').fingerprint);
    } finally {
      process.env = prev;
    }
  });
  // One rule for the CLI and every action: the flag or input, EDGEML_DEVICE_LABEL, RUNNER_NAME, os-arch.
  it.each([
    { given: 'rpi5', env: { EDGEML_DEVICE_LABEL: 'lab-3', RUNNER_NAME: 'runner-7' }, label: 'rpi5' },
    { given: '', env: { EDGEML_DEVICE_LABEL: 'lab-3', RUNNER_NAME: 'runner-7' }, label: 'lab-3' },
    { given: undefined, env: { RUNNER_NAME: 'runner-7' }, label: 'runner-7' },
    { given: '', env: {}, label: `${process.platform}-${process.arch}` },
  ])('labels the device $label (given $given, env $env)', ({ given, env, label }) => {
    const prev = { ...process.env };
    delete process.env.EDGEML_DEVICE_LABEL;
    delete process.env.RUNNER_NAME;
    Object.assign(process.env, env);
    try {
      expect(deviceLabel(given)).toBe(label);
      expect(describeDevice(given).label).toBe(label);
    } finally {
      process.env = prev;
    }
  });
});
