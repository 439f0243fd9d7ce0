// The static verdict against what a vendor's tool reported it did with the model: trtexec --verbose
// names every ONNX node it parsed into a layer, and any trtexec names the node its ONNX parser
// stopped at; benchmark_model says how much of the graph its delegate took; benchmark_app
// compiles the whole model or fails. A disagreement is reported.
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { TargetOutcome, UnsupportedNode, VendorCheck } from './types.js';

interface NodeRef {
  name: string;
  op: string;
}

/** Parses `--vendor-log tensorrt=trtexec.log`. */
export function parseVendorLogFlag(raw: string, targets: string[]): [string, string] {
  const at = raw.indexOf('=');
  if (at <= 0 || at === raw.length - 1) throw new UserError(`--vendor-log ${raw}: expected TARGET=FILE, e.g. --vendor-log tensorrt=trtexec.log`);
  const target = raw.slice(0, at);
  if (!targets.includes(target)) throw new UserError(`--vendor-log ${raw}: '${target}' is not among the --target list (${targets.join(', ')}); add it there`);
  return [target, raw.slice(at + 1)];
}

export function readVendorLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`--vendor-log ${file}: cannot read it (${(e as NodeJS.ErrnoException).code}); give the file the tool's output was saved to`);
  }
}

/**
 * The node the ONNX parser stopped at: "While parsing node number 205 [Range -> "652"]:", then
 * the node between "--- Begin node ---" and "--- End node ---" (its name), then "ERROR: ... In
 * function parseGraph:" and the reason (TensorRT 7 to 10 print it so, --verbose or not).
 */
function parseFailure(log: string): { index: number; op: string; name?: string; why: string } | null {
  const m = /While parsing node number (\d+) \[(\w+)(?: -> "[^"]*")?\]/.exec(log);
  if (!m) return null;
  const after = log.slice(m.index);
  const block = after.slice(0, Math.max(after.indexOf('--- End node ---'), 0));
  const name = /^\s*name: "([^"]*)"/m.exec(block)?.[1];
  const reason = /ERROR: [^\n]*In function \w+:\n([\s\S]*?)(?=\n\[\d{2}\/\d{2}\/\d{4}|\n*$)/.exec(after)?.[1];
  const why = (reason ?? /No importer registered for op: \w+/.exec(after)?.[0] ?? 'parse failed').replace(/\s+/g, ' ').trim().slice(0, 300);
  return { index: Number(m[1]), op: m[2], ...(name ? { name } : {}), why };
}

/**
 * Without --verbose the log names only the node the parser stopped at: it parsed every node
 * before it (TensorRT numbers nodes in file order) and none after. Nodes the static check rules
 * out before it, or a stop at a node it takes, are disagreements.
 */
function trtexecStopped(stop: NonNullable<ReturnType<typeof parseFailure>>, nodes: NodeRef[], staticBad: Map<string, UnsupportedNode>, base: { tool: string; log: string }): VendorCheck {
  const at = nodes[stop.index];
  if (!at || at.op !== stop.op || (stop.name !== undefined && at.name !== stop.name)) {
    return { ...base, agrees: null, summary: `the parser stopped at node ${stop.index} (${stop.op}${stop.name ? ` '${stop.name}'` : ''}), which is not this model's node ${stop.index}: it is the log of another model`, disagreements: [] };
  }
  const disagreements: VendorCheck['disagreements'] = [];
  nodes.slice(0, stop.index).forEach((n) => {
    const bad = staticBad.get(n.name);
    if (bad) disagreements.push({ node: n.name, op: n.op, static: `not supported (${bad.reason}: ${bad.detail})`, runtime: `parsed (before the parser stopped at node ${stop.index})` });
  });
  const here = staticBad.get(at.name);
  if (!here) disagreements.push({ node: at.name, op: at.op, static: 'supported', runtime: `the parser failed on it: ${stop.why}` });
  const what = `the ONNX parser stopped at node ${stop.index} (${at.op} '${at.name}'): ${stop.why}`;
  return {
    ...base,
    agrees: disagreements.length === 0,
    summary: `${what}; ${here ? `the static check rules it out too (${here.reason})` : 'the static check says TensorRT takes it'}${disagreements.length ? `; ${disagreements.length} ${disagreements.length === 1 ? 'node disagrees' : 'nodes disagree'}` : ''}`,
    disagreements,
  };
}

function trtexec(log: string, t: TargetOutcome, nodes: NodeRef[], file: string): VendorCheck {
  const parsed = new Map<string, string>();
  for (const m of log.matchAll(/Parsing node: (.+?) \[(\w+)\]\s*$/gm)) parsed.set(m[1], m[2]);
  const layers = new Set([...log.matchAll(/Registering layer: .+? for ONNX node: (.+?)\s*$/gm)].map((m) => m[1]));
  const stop = parseFailure(log);
  const noImporter = /No importer registered for op: (\w+)/.exec(log);
  // TensorRT prints "Finish(ed) parsing network model" after a failed parse too: a stop wins.
  const finished = /Finish(?:ed)? parsing network model/.test(log);
  const base = { tool: 'trtexec', log: file };
  const pass = t.fixed ?? t.asIs;
  const staticBad = new Map(pass.unsupported.filter((u) => u.graph === 'main').map((u) => [u.name, u]));
  if (parsed.size === 0) {
    if (stop) return trtexecStopped(stop, nodes, staticBad, base);
    if (noImporter) {
      const what = `no importer for ${noImporter[1]}`;
      const agrees = !t.runs;
      return { ...base, agrees, summary: `the ONNX parser ${what}; ${agrees ? 'the static check also says NO' : 'the static check said YES'}`, disagreements: agrees ? [] : [{ node: '', op: noImporter[1], static: 'supported', runtime: `parse failed: ${what}` }] };
    }
    if (finished) {
      return { ...base, agrees: t.runs, summary: `trtexec parsed the whole model (run with --verbose for per-node placement); the static check says ${t.runs ? 'YES' : 'NO'}`, disagreements: t.runs ? [] : [...staticBad.values()].map((u) => ({ node: u.name, op: u.op, static: `${u.reason}: ${u.detail}`, runtime: 'parsed (the log says the whole model parsed)' })) };
    }
    return { ...base, agrees: null, summary: 'the log has no parsing lines; run trtexec --verbose and save all of its output', disagreements: [] };
  }
  const named = nodes.filter((n) => n.name);
  const known = named.filter((n) => parsed.has(n.name));
  if (known.length === 0) {
    return { ...base, agrees: null, summary: `the log names none of this model's ${named.length} named nodes: it is the log of another model`, disagreements: [] };
  }
  const disagreements: VendorCheck['disagreements'] = [];
  for (const n of named) {
    const op = parsed.get(n.name);
    const bad = staticBad.get(n.name);
    const placed = layers.has(n.name);
    const failedHere = stop && op && (stop.name !== undefined ? stop.name === n.name : stop.op === op) && !placed;
    if (op && op !== n.op) disagreements.push({ node: n.name, op: n.op, static: `op ${n.op}`, runtime: `the log's node of that name is ${op}` });
    else if (bad && placed) disagreements.push({ node: n.name, op: n.op, static: `not supported (${bad.reason}: ${bad.detail})`, runtime: 'registered as a TensorRT layer' });
    else if (!bad && failedHere) disagreements.push({ node: n.name, op: n.op, static: 'supported', runtime: 'the parser failed on it' });
  }
  const missing = named.length - known.length;
  const lines = [`trtexec parsed ${parsed.size} nodes into layers (${layers.size} registered)${stop ? `, then failed on node ${stop.index} (${stop.op}): ${stop.why}` : ''}`];
  if (missing) lines.push(`${missing} of this model's named nodes are not in the log`);
  lines.push(disagreements.length ? `${disagreements.length} disagree with the static check` : 'every node agrees with the static check');
  return { ...base, agrees: disagreements.length === 0, summary: lines.join('; '), disagreements };
}

function benchmarkModel(log: string, t: TargetOutcome, file: string): VendorCheck {
  const base = { tool: 'benchmark_model', log: file };
  const failed = /Failed to apply (\w+) delegate/.exec(log) ?? /\((\w+)\) failed to prepare/.exec(log);
  const replaced = /Replacing (\d+) out of (\d+) node\(s\) with delegate \(([^)]+)\) node, yielding (\d+) partitions/.exec(log);
  const partial = /graph will be partially executed by the delegate w\/ (\d+) delegate kernels/.exec(log);
  const complete = /graph will be completely executed by the delegate/.test(log);
  let runtimeAll: boolean | null = null;
  let what = '';
  if (failed) [runtimeAll, what] = [false, `the ${failed[1]} delegate failed to apply`];
  else if (replaced) [runtimeAll, what] = [replaced[1] === replaced[2], `the ${replaced[3]} delegate took ${replaced[1]} of ${replaced[2]} nodes in ${replaced[4]} partitions`];
  else if (partial) [runtimeAll, what] = [false, `the delegate took part of the graph (${partial[1]} delegate kernels)`];
  else if (complete) [runtimeAll, what] = [true, 'the delegate took the whole graph'];
  if (runtimeAll === null) return { ...base, agrees: null, summary: 'the log says nothing about delegate placement', disagreements: [] };
  const agrees = runtimeAll === t.runs;
  return {
    ...base,
    agrees,
    summary: `${what}; the static check says ${t.runs ? 'YES' : 'NO'}${agrees ? '' : ' — they disagree'}`,
    disagreements: agrees ? [] : [{ node: '(whole model)', op: '', static: t.runs ? 'every node supported' : `${(t.fixed ?? t.asIs).unsupported.length} nodes not supported`, runtime: what }],
  };
}

function benchmarkApp(log: string, t: TargetOutcome, file: string): VendorCheck {
  const base = { tool: 'benchmark_app', log: file };
  const compiled = /Compile model took/.test(log);
  const error = /\[ ERROR \] (.+)/.exec(log);
  if (!compiled && !error) return { ...base, agrees: null, summary: 'the log shows neither a compiled model nor an error', disagreements: [] };
  const runtimeAll = compiled && !error;
  const what = runtimeAll ? 'benchmark_app compiled the whole model' : `benchmark_app failed: ${error![1].trim()}`;
  const agrees = runtimeAll === t.runs;
  return {
    ...base,
    agrees,
    summary: `${what}; the static check says ${t.runs ? 'YES' : 'NO'}${agrees ? '' : ' — they disagree'}`,
    disagreements: agrees ? [] : [{ node: '(whole model)', op: '', static: t.runs ? 'every node supported' : `${(t.fixed ?? t.asIs).unsupported.length} nodes not supported`, runtime: what }],
  };
}

/** Compares one target's static verdict with a vendor tool's log; which tool is read from the log. */
export function crossCheck(t: TargetOutcome, log: string, file: string, nodes: NodeRef[]): VendorCheck {
  if (/&&&& RUNNING TensorRT|\[TRT\]|trtexec/.test(log)) return trtexec(log, t, nodes, file);
  if (/TensorFlow Lite|TfLite|benchmark_model|XNNPACK/i.test(log)) return benchmarkModel(log, t, file);
  if (/OpenVINO|benchmark_app|\[ INFO \]|\[Step \d+\/\d+\]/.test(log)) return benchmarkApp(log, t, file);
  throw new UserError(`--vendor-log ${file}: not the output of trtexec, benchmark_model or benchmark_app; save the tool's whole output`);
}
