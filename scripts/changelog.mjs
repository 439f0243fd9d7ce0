// node scripts/changelog.mjs 1.2.3 [CHANGELOG.md]: prints that version's section of the changelog
// (Keep a Changelog: `## [1.2.3] - 2026-12-01`), the notes of its GitHub release. Exit 2 with one
// line when the file has no such section or the section is empty, so a release never ships blank.
import { readFileSync } from 'node:fs';

const [version, file = 'CHANGELOG.md'] = process.argv.slice(2);
const fail = (msg) => {
  process.stderr.write(`changelog: ${msg}\n`);
  process.exit(2);
};
if (!version || !/^\d+\.\d+\.\d+$/.test(version)) fail(`give a version such as 1.2.3, got '${version ?? ''}'`);
let text;
try {
  text = readFileSync(file, 'utf8');
} catch (e) {
  fail(`${file}: cannot read it (${e.code})`);
}
const lines = text.split(/\r?\n/);
const start = lines.findIndex((l) => new RegExp(`^## \\[?${version.replaceAll('.', '\\.')}\\]?( |$)`).test(l));
if (start < 0) fail(`${file} has no '## [${version}] - YYYY-MM-DD' section: move the Unreleased entries under it before tagging v${version}`);
let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
if (end < 0) end = lines.length;
const body = lines.slice(start + 1, end).join('\n').replace(/^\[[^\]]+\]: \S+$/gm, '').trim();
if (!body) fail(`${file}: the section of ${version} is empty; say what changed`);
process.stdout.write(`${body}\n`);
