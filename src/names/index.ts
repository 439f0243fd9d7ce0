// Names made from text we do not control (device labels, model names) for places with a small
// alphabet: file and folder names, workflow artifact names. A bottom layer: imports nothing.

/**
 * `text` in letters, digits, `.`, `_` and `-`: every other run of characters becomes one `-`;
 * leading `-` and `.` go (no hidden file, nothing read as an option), trailing `-` go; at most
 * `max` characters; `fallback` when nothing is left. Artifact names (which refuse quotes, colons,
 * slashes), history files and the folders of `edgeml run` all take this one rule.
 */
export function safeName(text: string, fallback: string, max = 200): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, max) || fallback;
}
