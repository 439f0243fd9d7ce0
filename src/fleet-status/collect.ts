// Reads a fleet's last reports from the broker: subscribe to its status and telemetry topics,
// take the retained messages the broker sends at once, and stop when no message has come for a
// moment (the retained set is drained) or at the --wait deadline.
import { connectBroker, type BrokerOptions } from '../devices/index.js';
import { UserError } from '../errors.js';
import { aggregate } from './aggregate.js';
import type { FleetStatus, Message } from './types.js';
import { FLEET_NAME, topics } from './messages.js';

/** A fleet name as a topic level: 1-64 letters, digits, '.', '_', '-'. `flag` names the setting. */
export function checkFleet(name: string | undefined, flag = '--fleet'): string {
  if (!name) throw new UserError(`${flag} is required: the fleet's name, the second level of its topics edgeml/<fleet>/...`);
  if (!FLEET_NAME.test(name)) throw new UserError(`${flag} ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-'`);
  return name;
}

/** The fleet's last reports from the broker, folded into one status (silent past `silentAfterMs`). */
export async function readFleetStatus(o: CollectOptions & { silentAfterMs: number }): Promise<FleetStatus> {
  return aggregate(o.fleet, await collect(o), { silentAfterMs: o.silentAfterMs });
}

export interface CollectOptions extends Omit<BrokerOptions, 'clientId'> {
  fleet: string;
  waitMs: number;
  /** Stop this long after the last message (retained messages come in one burst). */
  quietMs?: number;
}

/** The last message of each topic, in arrival order. */
export async function collect(o: CollectOptions): Promise<Message[]> {
  const client = await connectBroker({ ...o, clientId: `edgeml-status-${process.pid}-${Date.now().toString(36)}`, clean: true });
  const last = new Map<string, Message>();
  try {
    let timer: NodeJS.Timeout | undefined;
    let subscribed = false;
    const quiet = o.quietMs ?? 1000;
    let settle = () => undefined as void;
    const finished = new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, o.waitMs);
      settle = () => {
        if (!subscribed) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          clearTimeout(deadline);
          resolve();
        }, quiet);
      };
      client.on('message', (topic, payload) => {
        // An empty retained message clears a topic: the device is gone from the fleet.
        if (payload.length === 0) last.delete(topic);
        else last.set(topic, { topic, payload });
        settle();
      });
    });
    // QoS 0: a reader that keeps no session needs no acknowledgements, and the broker then sends
    // the retained burst without its in-flight window (20 unacknowledged QoS 1 messages).
    const granted = await client.subscribeAsync(topics.all(o.fleet), { qos: 0 });
    const refused = granted.filter((g) => g.qos > 2);
    if (refused.length) {
      throw new UserError(`broker ${o.url} refused the subscription to ${refused.map((g) => g.topic).join(', ')} (not authorized): the certificate's CN must be an operator's ('edgeml devices provision --operator NAME') and the broker's ACL must let operators read edgeml/${o.fleet}/#`);
    }
    subscribed = true;
    settle();
    await finished;
    clearTimeout(timer);
  } finally {
    await client.endAsync();
  }
  return [...last.values()];
}
