// Commander options from a settings table (src/settings): the flag, its help, its default as the
// table writes it, the parser that collects lists, and the old names that still work with a warning.
import { Command, Option } from 'commander';
import { camel, deprecationWarning, kebab, warnOnce, type Setting, type SettingsTable } from '../settings/index.js';
import { collect } from './collect.js';

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

const PLACEHOLDER: Record<Setting['kind'], string> = {
  string: '<text>', path: '<file>', boolean: '', list: '<list>', pairs: '<name=value>', enum: '<name>',
  duration: '<time>', count: '<n>', number: '<x>', fraction: '<x>', percent: '<percent>', share: '<percent>',
};

function option(name: string, s: Setting, help: string, hidden = false): Option {
  const value = s.kind === 'boolean' ? '' : ` ${s.value ?? PLACEHOLDER[s.kind]}`;
  const o = new Option(`--${name}${value}`, help);
  if (hidden) o.hideHelp();
  if (s.kind === 'list') o.argParser(list);
  else if (s.kind === 'pairs') o.argParser((value: string, previous?: string[]) => collect(value, previous ?? []));
  // Commander matches choices exactly; an enum in any case is checked by its parser.
  else if (s.kind === 'enum' && s.choices && !s.anyCase) o.choices([...s.choices]);
  // A hidden old name has no default: set, it was typed.
  if (hidden) return o;
  if (s.kind === 'list' || s.kind === 'pairs') o.default([]);
  else if (s.default !== undefined && s.kind !== 'boolean') o.default(s.default);
  return o;
}

/**
 * Adds the flags of `table` (those with `flag !== false`; `only` picks some, in table order) to
 * `cmd`. `help` overrides a flag's help where the command means something narrower. A deprecated
 * name is a hidden flag: used, it warns once on stderr and sets the new one (unless that was typed).
 */
export function addSettings(cmd: Command, table: SettingsTable, opts: { only?: readonly string[]; help?: Record<string, string> } = {}): Command {
  for (const [prop, s] of Object.entries(table)) {
    if (s.flag === false || (opts.only && !opts.only.includes(prop))) continue;
    const name = kebab(prop);
    cmd.addOption(option(name, s, opts.help?.[prop] ?? s.help));
    for (const old of (s.deprecated ?? []).filter((d) => d.only !== 'input')) {
      const oldProp = camel(old.name);
      cmd.addOption(option(old.name, s, `deprecated: use --${name}`, true));
      cmd.hook('preAction', (_cmd, action) => {
        const value = action.getOptionValue(oldProp);
        if (value === undefined) return;
        warnOnce(`edgeml: ${deprecationWarning(`--${old.name}`, `--${name}`, old.until)}\n`, (line) => process.stderr.write(line));
        if (action.getOptionValueSource(prop) !== 'cli') action.setOptionValueWithSource(prop, value, 'cli');
      });
    }
  }
  return cmd;
}
