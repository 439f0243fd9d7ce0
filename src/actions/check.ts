// The `check` action: budgets of edgeml.yml against results -> summary, outputs, annotations on
// the lines of edgeml.yml that hold the failed budgets.
import { relative } from 'node:path';
import { runCheck, writeCheck } from '../budgets/index.js';
import { UserError } from '../errors.js';
import { actionsLogger as log, annotate, getInput, getInputOr, getListInput, runAction, setFailed, setOutput, writeSummary } from '../github/index.js';
import { checkMarkdown, fmtBudgetValue } from '../report/index.js';
import { checkOutputPath } from '../documents/index.js';

async function main(): Promise<void> {
  const results = getListInput('results');
  if (!results.length) throw new UserError("input 'results' is required: the results documents written by the benchmark action");
  const json = getInput('json');
  if (json) checkOutputPath(json, "input 'json'");
  const compare = getInput('compare');
  const { doc, notices } = runCheck({ config: getInputOr('config', 'edgeml.yml'), results, ...(compare ? { compare } : {}) });
  // Annotations name the file relative to the repository root, as GitHub expects.
  const root = process.env.GITHUB_WORKSPACE ?? process.cwd();
  for (const c of doc.checks) {
    if (c.outcome === 'ok') continue;
    const kind = c.outcome === 'failure' ? 'error' : c.outcome === 'warning' ? 'warning' : 'notice';
    const value = `${fmtBudgetValue(c.key, c.value, c.limitText)}${c.interval ? ` (95% interval ${fmtBudgetValue(c.key, c.interval[0], c.limitText)} – ${fmtBudgetValue(c.key, c.interval[1], c.limitText)})` : ''}`;
    const text = `${c.key} ${c.status} on ${c.subject}: ${value}, limit ${c.limitText}${c.status === 'fail' && c.message ? `. ${c.message}` : ''}${c.note ? ` (${c.note})` : ''}`;
    annotate(kind, text, { file: relative(root, c.at.file) || c.at.file, line: c.at.line, col: c.at.col, title: `edgeml budget ${c.key}` });
  }
  for (const n of notices) log.info(n);
  await writeSummary(`### edgeml check\n\n${checkMarkdown(doc.checks, doc.verdict, undefined, notices)}\n`);
  if (json) writeCheck(json, doc);
  setOutput('verdict', doc.verdict);
  setOutput('failed', doc.counts.fail);
  setOutput('inconclusive', doc.counts.inconclusive);
  setOutput('not-judged', doc.counts.notJudged);
  if (doc.verdict === 'fail') setFailed(`edgeml check: ${doc.checks.filter((c) => c.outcome === 'failure').length} budget row(s) failed or not judged${doc.compare?.verdict === 'slower' ? `; compare says slower` : ''}`);
}

void runAction(main);
