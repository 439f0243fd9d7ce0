// Progress of batched work in a workflow log (a bar has no place there). Free of @actions/* so the
// CLI can use it without bundling the toolkit: GitHub's documented ::group:: / ::endgroup:: commands.

/** True inside a GitHub Actions job. */
export function inWorkflow(): boolean {
  return process.env.GITHUB_ACTIONS === 'true';
}

/** Workflow command data escaping (as @actions/core does): %, CR and LF. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/**
 * A progress callback that logs `batch i/n` about ten times over a run (every batch when there are
 * few), always the last one, so a long evaluation shows it is moving without flooding the log.
 */
export function batchLines(info: (line: string) => void, what = 'batch'): (done: number, total: number) => void {
  let logged = 0;
  return (done, total) => {
    const step = Math.max(1, Math.ceil(total / 10));
    if (done === total || done - logged >= step) {
      logged = done;
      info(`${what} ${done}/${total}`);
    }
  };
}

/** The same lines inside a collapsible log group, for the CLI running as a workflow step. */
export function groupedBatchLines(title: string, write: (text: string) => void, what = 'batch'): { update(done: number, total: number): void; stop(): void } {
  let open = false;
  const lines = batchLines((line) => write(`${line}\n`), what);
  return {
    update(done, total) {
      if (!open) write(`::group::${escapeData(title)}\n`);
      open = true;
      lines(done, total);
    },
    stop() {
      if (open) write('::endgroup::\n');
      open = false;
    },
  };
}
