// ONNX Runtime's run errors nest every enclosing If/Loop node around the one that failed
// ("... running If node. Name:'If_0' Status Message: ... running LSTM node. Name:'.../LSTM' Status
// Message: Input X must have 3 dimensions only"): the innermost node and message, as one line.
import { oneLine } from '../errors.js';

export function ortMessage(e: unknown): string {
  const text = oneLine(e).replace(/^Error:\s*/, '');
  const parts = text.split(/\s*Status Message:\s*/);
  if (parts.length < 2) return text;
  const message = parts[parts.length - 1];
  const node = /running (\w+) node\. Name:'([^']*)'/.exec(parts[parts.length - 2]);
  return node ? `node '${node[2]}' (${node[1]}): ${message}` : message;
}
