// The dashboard in a real browser: a small stress run with --http, headless Chromium
// (test/helpers/browser.ts: Debian's, or the one an npm package ships; driven by
// playwright-core), charts drawn with data, the phase reaching "done", and a screenshot
// under test-output/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../helpers/browser.js';
import type { PageChart } from '../helpers/report-page.js';
import { CliProcess } from '../helpers/cli-process.js';

const OUTPUT_DIR = fileURLToPath(new URL('../../../test-output/', import.meta.url));

/** What the test reads of the page (the browser's globals, typed without the DOM library). */
interface Page {
  kadswarm?: {
    last?: { phase: { name: string } };
    phases: string[];
    charts: Record<string, PageChart>;
  };
  document: { getElementById(id: string): { textContent: string | null } | null };
}

test('dashboard: a stress run drawn live in headless Chromium, reaching "done"', { timeout: 180_000 }, async () => {
  // The browser first: if it cannot start, no stress run is left serving (it would keep
  // this test file's process, and so the whole suite, waiting forever).
  const { browser, choice } = await launchBrowser();
  console.log(`browser: ${choice.source} (${choice.executablePath})`);
  const run = CliProcess.spawn([
    'stress',
    '--nodes',
    '400',
    '--transport',
    'sim',
    '--misses',
    '40',
    '--http',
    '127.0.0.1:0',
    '--no-progress',
  ]);
  try {
    await run.until(() => run.gatewayUrl !== '', 30_000, 'the gateway line');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('requestfailed', (request) => failures.push(`${request.url()} failed`));
    await page.goto(`${run.gatewayUrl}/`);
    try {
      await page.waitForFunction(() => (globalThis as unknown as Page).kadswarm?.last?.phase.name === 'done', null, { timeout: 120_000 });
    } catch (error) {
      throw new Error(`the page never showed "done": ${(error as Error).message}; page errors: ${failures.join('; ') || 'none'}`, {
        cause: error,
      });
    }
    await page.waitForTimeout(1200); // one more stats event after "done", so every chart has its final data

    const charts = await page.evaluate(() => {
      const page = globalThis as unknown as Page;
      const state = page.kadswarm!;
      const summary: Record<string, { points: number; inked: number }> = {};
      for (const [name, chart] of Object.entries(state.charts)) {
        const canvas = chart.ctx.canvas;
        const pixels = chart.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) inked++;
        const points = chart.data.slice(1).reduce((n, series) => n + series.filter((v) => v !== null && v > 0).length, 0);
        summary[name] = { points, inked };
      }
      const text = (id: string) => page.document.getElementById(id)?.textContent;
      return { summary, phases: state.phases, text: text('phase'), hit: text('hit'), caption: text('latency-caption') };
    });
    assert.deepEqual(Object.keys(charts.summary).sort(), ['fill', 'hops', 'latency', 'traffic']);
    for (const [name, { points, inked }] of Object.entries(charts.summary)) {
      assert.ok(points > 0, `${name}: has data`);
      assert.ok(inked > 2000, `${name}: the canvas is drawn on (${inked} pixels)`);
    }
    assert.equal(charts.text, 'done');
    assert.match(charts.hit ?? '', /^[\d.]+ \/ [\d.]+ ms \(virtual\)$/, "a simulation's latencies say they are virtual");
    assert.equal(charts.caption, 'latency CDF: hits vs misses (ms, virtual time)');
    assert.equal(failures.length, 0, failures.join('\n'));

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: `${OUTPUT_DIR}/dashboard.png`, fullPage: true });
  } finally {
    await browser.close();
    run.child.kill('SIGTERM');
  }
});
