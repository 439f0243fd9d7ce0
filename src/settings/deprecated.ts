// Renamed settings keep their old name for one minor release; the first use warns, once per process.

const warned = new Set<string>();

/** What is said of an old name: the new one and the release that drops it. */
export function deprecationNotice(old: string, now: string, until: string): string {
  return `${old} is deprecated and goes in ${until}; use ${now}`;
}

/** The warning for an old name on stderr. */
export function deprecationWarning(old: string, now: string, until: string): string {
  return `warning: ${deprecationNotice(old, now, until)}`;
}

/** Writes `message` through `write` the first time it is seen in this process. */
export function warnOnce(message: string, write: (line: string) => void): void {
  if (warned.has(message)) return;
  warned.add(message);
  write(message);
}
