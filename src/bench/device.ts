// The device a measurement ran on: what decides whether two results can be compared.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { DeviceInfo } from '../results/index.js';

export type { DeviceInfo };

// Instruction-set features that decide which kernels ONNX Runtime (MLAS) picks.
const X86_FLAGS = [
  'sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni',
  'avx_vnni', 'avx512_bf16', 'avx512_fp16', 'amx_tile', 'amx_int8', 'amx_bf16',
];
const ARM_FLAGS = ['asimd', 'asimdhp', 'asimddp', 'i8mm', 'bf16', 'sve', 'sve2', 'fphp'];
const ALIASES: Record<string, string> = { asimd: 'neon', asimddp: 'dotprod', asimdhp: 'fp16', fphp: 'fp16' };

/** Relevant flags from /proc/cpuinfo text ("flags" on x86, "Features" on Arm), with common aliases. */
export function cpuFlagsFromCpuinfo(text: string): string[] {
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  if (!line) return [];
  const have = new Set(line.split(':')[1].trim().split(/\s+/));
  const out = new Set<string>();
  for (const f of [...X86_FLAGS, ...ARM_FLAGS]) {
    if (have.has(f)) {
      out.add(f);
      if (ALIASES[f]) out.add(ALIASES[f]);
    }
  }
  if (have.has('avx512_vnni') || have.has('avx_vnni')) out.add('vnni');
  return [...out].sort();
}

function cpuFlags(): string[] {
  try {
    if (process.platform === 'linux') return cpuFlagsFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
    if (process.platform === 'darwin') {
      if (process.arch === 'arm64') {
        const dot = execFileSync('sysctl', ['-n', 'hw.optional.arm.FEAT_DotProd'], { encoding: 'utf8' }).trim();
        const i8mm = execFileSync('sysctl', ['-n', 'hw.optional.arm.FEAT_I8MM'], { encoding: 'utf8' }).trim();
        return ['neon', 'fp16', ...(dot === '1' ? ['dotprod'] : []), ...(i8mm === '1' ? ['i8mm'] : [])].sort();
      }
      const text = execFileSync('sysctl', ['-n', 'machdep.cpu.features', 'machdep.cpu.leaf7_features'], { encoding: 'utf8' });
      return cpuFlagsFromCpuinfo(`flags : ${text.toLowerCase().replace(/\./g, '_').replace(/avx512vnni/g, 'avx512_vnni')}`);
    }
  } catch {
    // Unknown flags are reported as none rather than failing a benchmark.
  }
  return [];
}

/**
 * The name of this device in reports: the `--device-label` flag or `device-label` input when
 * given, else EDGEML_DEVICE_LABEL, else the Actions runner's name (RUNNER_NAME) inside a workflow,
 * else `<os>-<arch>`. The CLI and every action take this one rule.
 */
export function deviceLabel(given?: string): string {
  return given || process.env.EDGEML_DEVICE_LABEL || process.env.RUNNER_NAME || `${process.platform}-${process.arch}`;
}

/**
 * Describes this machine. `runnerLabels` are the labels of the Actions runner (steps cannot read
 * them, so workflows pass them in: the `runner-labels` input or EDGEML_RUNNER_LABELS).
 */
export function describeDevice(label?: string, runnerLabels?: string[]): DeviceInfo {
  const cpus = os.cpus();
  const cpuModel = (cpus[0]?.model ?? 'unknown').trim();
  const flags = cpuFlags();
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length;
  const memoryBytes = os.totalmem();
  const kind = {
    os: process.platform,
    arch: process.arch,
    cpuModel,
    cpuFlags: flags,
    cores,
    memoryGiB: Math.round(memoryBytes / 2 ** 30),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(kind)).digest('hex').slice(0, 16);
  const labels = runnerLabels ?? (process.env.EDGEML_RUNNER_LABELS ?? '').split(',').map((l) => l.trim()).filter(Boolean);
  const device: DeviceInfo = {
    fingerprint,
    label: deviceLabel(label),
    os: process.platform,
    osRelease: os.release(),
    arch: process.arch,
    cpuModel,
    cpuFlags: flags,
    cores,
    memoryBytes,
    node: process.version,
  };
  if (process.env.GITHUB_ACTIONS === 'true' || process.env.RUNNER_NAME) {
    device.runner = {
      name: process.env.RUNNER_NAME ?? 'unknown',
      ...(process.env.RUNNER_OS ? { os: process.env.RUNNER_OS } : {}),
      ...(process.env.RUNNER_ARCH ? { arch: process.env.RUNNER_ARCH } : {}),
      labels,
    };
  }
  return device;
}
