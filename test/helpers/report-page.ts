// Opens a self-contained report page from its file in headless Chromium with every request
// beyond the file refused, and reads back what each chart drew.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from './browser.js';

/** A uPlot chart as a test reads it in the page (typed without the DOM library). */
export interface PageChart {
  data: Array<Array<number | null>>;
  ctx: {
    canvas: { width: number; height: number };
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

/** What the test reads of the page (the browser's globals, typed without the DOM library). */
interface Page {
  kadswarm: { charts: Record<string, PageChart> };
  document: { querySelectorAll(selector: string): { length: number }; querySelector(selector: string): { textContent: string } | null };
}

/** Each chart's data points (non-null, above 0) and inked pixels. */
export async function drawn(
  file: string,
): Promise<{ charts: Record<string, { points: number; inked: number }>; tables: number; text: string; fetched: string[] }> {
  const { browser } = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const fetched: string[] = [];
    const failures: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith('file:')) return route.continue();
      fetched.push(route.request().url());
      return route.abort();
    });
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => Object.keys((globalThis as unknown as Page).kadswarm?.charts ?? {}).length > 0);
    assert.deepEqual(failures, [], 'no script errors');
    const result = await page.evaluate(() => {
      const page = globalThis as unknown as Page;
      const charts: Record<string, { points: number; inked: number }> = {};
      for (const [name, chart] of Object.entries(page.kadswarm.charts)) {
        const canvas = chart.ctx.canvas;
        const pixels = chart.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) inked++;
        charts[name] = { points: chart.data.slice(1).reduce((n, s) => n + s.filter((v) => v !== null && v > 0).length, 0), inked };
      }
      return { charts, tables: page.document.querySelectorAll('table').length, text: page.document.querySelector('main')!.textContent };
    });
    return { ...result, fetched };
  } finally {
    await browser.close();
  }
}
