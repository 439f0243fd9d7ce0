// `edgeml promote` and the promote action, one implementation: where a release is in its staged
// rollout (`rollout:` of edgeml.yml, or the flags alone), the fleet-health gate of its current
// stage (hawkBit's thresholds, a soak time), then the promotion to the next stage, a hold, or,
// with auto-rollback when the error threshold is crossed, the roll-forward rollback of the stage's
// channel. The adapters give the channel store and the fleet reader; this decides and acts.
import { UserError } from '../errors.js';
import type { RolloutPlan, RolloutStage } from '../config/index.js';
import { evaluateGate, type FleetStatus, type GateResult, type GateThresholds } from '../fleet-status/index.js';
import { promoteRelease, releasesOf, rollbackChannel } from './release.js';
import { loadState } from './repo.js';
import type { Channel, ChannelStorage, GatedPromoteDeps, GatedPromoteRequest, GatedPromoteResult, Placement, ReleaseResult } from './types.js';

/** The gate's defaults, where neither the flags nor `rollout:` say otherwise. */
export const GATE_DEFAULTS: GateThresholds & { soakMs: number } = { minDevices: 10, successThreshold: 90, errorThreshold: 5, soakMs: 0 };

function placements(storage: ChannelStorage, version: string, model: string | undefined): Promise<Placement[]> {
  return loadState(storage).then((state) => {
    if (!state) throw new UserError(`${storage.location}: empty; publish a release with 'edgeml publish' first`);
    return (['canary', 'beta', 'stable'] as const).flatMap((channel) => {
      const r = releasesOf(state, channel).find((i) => i.version === version && (!model || i.model === model));
      return r ? [{ channel, percent: r.rollout.percent, since: r.publishedAt }] : [];
    });
  });
}

/** The furthest stage the release has reached: its channel lists it at the stage's share or more. */
export function currentStage(plan: RolloutPlan, at: Placement[]): number {
  let index = -1;
  plan.stages.forEach((s, i) => {
    if (at.some((p) => p.channel === s.channel && p.percent >= s.percent)) index = i;
  });
  return index;
}

const describeStage = (s: Pick<RolloutStage, 'channel' | 'percent'>) => `${s.channel} ${s.percent}%`;

function thresholdsOf(req: GatedPromoteRequest, stage: RolloutStage | null): GatedPromoteResult['thresholds'] {
  const t = req.thresholds ?? {};
  const p = req.plan;
  return {
    minDevices: t.minDevices ?? stage?.minDevices ?? p?.minDevices ?? GATE_DEFAULTS.minDevices,
    successThreshold: t.successThreshold ?? stage?.successThreshold ?? p?.successThreshold ?? GATE_DEFAULTS.successThreshold,
    errorThreshold: t.errorThreshold ?? stage?.errorThreshold ?? p?.errorThreshold ?? GATE_DEFAULTS.errorThreshold,
    soakMs: req.soakMs ?? stage?.soakMs ?? p?.soakMs ?? GATE_DEFAULTS.soakMs,
  };
}

const commitMessage = (r: ReleaseResult) => `edgeml ${r.status}: ${r.model} ${r.version} on ${r.channel} (release ${r.release}, rollout ${r.rollout.percent}%)`;

export async function gatedPromote(req: GatedPromoteRequest, deps: GatedPromoteDeps): Promise<GatedPromoteResult> {
  const now = deps.now?.() ?? new Date();
  if (req.autoRollback && !req.gate) throw new UserError('--auto-rollback needs --gate: the fleet status it acts on');
  if (req.soakMs !== undefined && !req.gate) throw new UserError('--soak needs --gate: a stage soaks before its gate lets the release go further');
  const needsPlacement = !!req.plan || (req.gate && (req.soakMs ?? 0) > 0);
  const at = needsPlacement ? await deps.onStore((s) => placements(s, req.version, req.model), () => 'edgeml promote: read the channel') : [];
  let stage: GatedPromoteResult['stage'] = null;
  let to: GatedPromoteResult['to'];
  let from = req.from ?? null;
  let own: RolloutStage | null = null;
  if (req.plan) {
    const index = currentStage(req.plan, at);
    if (index < 0) {
      const first = req.plan.stages[0];
      throw new UserError(`${first.at.file}:${first.at.line}:${first.at.col}: rollout.stages: ${req.version} has reached no stage (it is on ${at.map((p) => describeStage(p)).join(', ') || 'no channel'}); publish it to the first stage, ${describeStage(first)}`);
    }
    own = req.plan.stages[index];
    stage = { index, channel: own.channel, percent: own.percent };
    from = req.from ?? own.channel;
    const next = req.plan.stages[index + 1];
    if (!next && !req.channel) {
      const t = thresholdsOf(req, own);
      return { decision: 'complete', stage, to: null, from, thresholds: t, status: null, gate: null, release: null, line: `rollout: ${req.version} is at the last stage (${describeStage(own)}); nothing to promote` };
    }
    to = { channel: req.channel ?? next.channel, percent: req.percent ?? (req.channel && req.channel !== next?.channel ? 100 : next.percent) };
  } else {
    to = { channel: req.channel ?? 'stable', percent: req.percent ?? 100 };
  }
  const thresholds = thresholdsOf(req, own);
  const autoRollback = req.autoRollback ?? req.plan?.autoRollback ?? false;
  let status: FleetStatus | null = null;
  let gate: GateResult | null = null;
  if (req.gate) {
    status = await deps.readFleet();
    gate = evaluateGate(status, req.version, thresholds, from ?? undefined);
    if (gate.verdict === 'error-threshold-crossed' && autoRollback) {
      if (!gate.channel) throw new UserError('--auto-rollback: the failing devices name no channel; give --from CHANNEL');
      const channel = gate.channel as Channel;
      const rb = await deps.onStore((s) => rollbackChannel(s, req.keysDir, { channel, model: req.model }, now), commitMessage);
      return { decision: 'rolled-back', stage, to, from, thresholds, status, gate, release: rb, line: `${gate.line}; rolled ${channel} back (auto-rollback) to ${rb.version} (release ${rb.release})` };
    }
    if (gate.verdict !== 'pass') return { decision: 'held', stage, to, from, thresholds, status, gate, release: null, line: `${gate.line}; not promoted` };
    const here = at.find((p) => p.channel === (from ?? gate!.channel));
    if (thresholds.soakMs > 0 && here) {
      const until = Date.parse(here.since) + thresholds.soakMs;
      if (now.getTime() < until) {
        const line = `gate: ${req.version} passes but soaks on ${describeStage(here)} until ${new Date(until).toISOString()} (soak ${Math.round(thresholds.soakMs / 60_000)} min from ${here.since}); not promoted`;
        return { decision: 'held', stage, to, from, thresholds, status, gate, release: null, line };
      }
    }
  }
  const release = await deps.onStore((s) => promoteRelease(s, req.keysDir, {
    channel: to.channel, version: req.version, model: req.model, from: from ?? undefined, rollout: { percent: to.percent, notBefore: req.notBefore ?? null },
  }, now), commitMessage);
  return { decision: 'promoted', stage, to, from, thresholds, status, gate, release, line: gate ? gate.line : `promoted ${req.version} to ${describeStage(to)}` };
}
