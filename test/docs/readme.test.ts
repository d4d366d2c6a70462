// The README's library example runs as written, from a project outside the checkout that
// depends on kadswarm (node_modules/kadswarm is this package, as `npm install <path>` makes
// it); and every relative link in the README and docs/ leads to a file that exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The first ```js block after the heading `heading`. */
function codeUnder(markdown: string, heading: string): string {
  const section = markdown.slice(markdown.indexOf(`\n${heading}\n`));
  const block = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(section.length < markdown.length && block, `a js block under "${heading}"`);
  return block[1];
}

test("the README's library example runs as written, importing 'kadswarm' from outside the checkout", () => {
  const project = mkdtempSync(join(tmpdir(), 'kadswarm-readme-'));
  try {
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules', 'kadswarm'), 'dir');
    writeFileSync(join(project, 'example.mjs'), codeUnder(readme, '## Use it as a library'));
    const run = spawnSync(process.execPath, ['example.mjs'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'stored on 2 nodes, read back: hello\n');
    assert.match(readme, /It prints `stored on 2 nodes, read back: hello`/, 'the README says what it prints');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test('every relative link in the README and docs/ leads to a file of the repository', () => {
  const pages = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  for (const page of pages) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // an outside address
      assert.ok(!target.includes('../shared'), `${page} links outside the repository: ${target}`);
      assert.ok(existsSync(join(ROOT, dirname(page), target)), `${page} links to ${target}, which does not exist`);
    }
  }
});
