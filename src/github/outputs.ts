// What a step leaves in the workflow run: outputs, the job summary, annotations.
import * as core from '@actions/core';

export function setOutput(name: string, value: string | number): void {
  core.setOutput(name, String(value));
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, true).write();
}

/**
 * An annotation on the run (and the PR's checks tab), on a line of a repository file when `at`
 * names one. Text is plain, never Markdown: control characters out, length capped.
 */
export function annotate(
  level: 'error' | 'warning' | 'notice',
  message: string,
  at: { title?: string; file?: string; line?: number; col?: number } = {},
): void {
  const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 1000);
  core[level](clean(message), {
    ...(at.title ? { title: clean(at.title) } : {}),
    ...(at.file ? { file: at.file } : {}),
    ...(at.line ? { startLine: at.line } : {}),
    ...(at.col ? { startColumn: at.col } : {}),
  });
}
