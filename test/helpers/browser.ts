// A headless Chromium for the browser tests, never downloaded: Debian's chromium when it is
// on PATH, else the one @sparticuz/chromium ships inside its npm tarball (unpacked into the
// system's temporary folder on first use). Either way the test runs; it is never skipped.
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/**
 * Flags for a machine with no network beyond loopback: no background fetches, no first-run
 * work. --lang: under LANG=C the packaged build reports the language "en-US@posix", which
 * Intl (and so uPlot) refuses.
 */
const OFFLINE_FLAGS = [
  '--lang=en-US',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserChoice {
  /** 'chromium on PATH' or '@sparticuz/chromium'. */
  source: string;
  executablePath: string;
  args: string[];
}

function chromiumOnPath(): string | null {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

export async function chooseBrowser(): Promise<BrowserChoice> {
  const onPath = chromiumOnPath();
  if (onPath) return { source: 'chromium on PATH', executablePath: onPath, args: ['--headless', ...OFFLINE_FLAGS] };
  const { default: packaged } = await import('@sparticuz/chromium');
  return { source: '@sparticuz/chromium', executablePath: await packaged.executablePath(), args: [...packaged.args, ...OFFLINE_FLAGS] };
}

export async function launchBrowser(): Promise<{ browser: Browser; choice: BrowserChoice }> {
  const choice = await chooseBrowser();
  return { browser: await chromium.launch({ executablePath: choice.executablePath, args: choice.args }), choice };
}
