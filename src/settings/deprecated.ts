// Renamed settings keep their old name for one minor release; the first use warns, once per process.

const warned = new Set<string>();

/** The warning for an old name, naming the new one and the release that drops it. */
export function deprecationWarning(old: string, now: string, until: string): string {
  return `warning: ${old} is deprecated and goes in ${until}; use ${now}`;
}

/** Writes `message` through `write` the first time it is seen in this process. */
export function warnOnce(message: string, write: (line: string) => void): void {
  if (warned.has(message)) return;
  warned.add(message);
  write(message);
}
