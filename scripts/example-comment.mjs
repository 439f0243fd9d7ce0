// Renders a real report (by default the one `npm start` writes) as GitHub would show the comment,
// to docs/example-comment.png, with Debian's Chromium through playwright-core.
// node scripts/example-comment.mjs [report.md] [out.png]
import { readFileSync } from 'node:fs';
import { marked } from 'marked';
import { chromium } from 'playwright-core';

const [input = 'edgeml-results/report.md', out = 'docs/example-comment.png'] = process.argv.slice(2);
// Charts are Mermaid blocks GitHub draws itself; the picture shows the tables above them.
const md = readFileSync(input, 'utf8').split('<details open><summary>Charts')[0];
const html = `<!doctype html><meta charset="utf-8"><style>
body{font:14px/1.5 -apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328;margin:0;padding:16px;background:#fff;width:980px}
.comment{border:1px solid #d1d9e0;border-radius:6px}.head{background:#f6f8fa;border-bottom:1px solid #d1d9e0;padding:8px 16px;color:#59636e}
.body{padding:16px}table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #d1d9e0;padding:4px 10px}th{background:#f6f8fa}
h3{margin:0 0 12px}h4{margin:16px 0 4px}blockquote{color:#59636e;border-left:3px solid #d1d9e0;margin:8px 0;padding:0 12px}
</style><div class="comment"><div class="head"><b>github-actions</b> bot commented</div><div class="body">${marked.parse(md)}</div></div>`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 1012, height: 400 }, deviceScaleFactor: 1 });
await page.setContent(html);
await page.locator('.comment').screenshot({ path: out });
await browser.close();
process.stdout.write(`${out}\n`);
