// The dashboard: one page and its assets, read once at startup and served from memory.
// Everything is local (uPlot comes from node_modules): it works offline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { HttpResponse } from 'uWebSockets.js';
import { write } from '../http.js';

const DASHBOARD_DIR = new URL('../../../../static/dashboard/', import.meta.url);

export interface Asset {
  path: string;
  contentType: string;
  body: Buffer;
}

export function dashboardAssets(): Asset[] {
  const resolve = createRequire(import.meta.url).resolve;
  const local = (name: string) => readFileSync(new URL(name, DASHBOARD_DIR));
  return [
    { path: '/', contentType: 'text/html; charset=utf-8', body: local('index.html') },
    { path: '/dashboard.js', contentType: 'text/javascript; charset=utf-8', body: local('dashboard.js') },
    { path: '/dashboard.css', contentType: 'text/css; charset=utf-8', body: local('dashboard.css') },
    {
      path: '/uPlot.iife.min.js',
      contentType: 'text/javascript; charset=utf-8',
      body: readFileSync(resolve('uplot/dist/uPlot.iife.min.js')),
    },
    { path: '/uPlot.min.css', contentType: 'text/css; charset=utf-8', body: readFileSync(resolve('uplot/dist/uPlot.min.css')) },
  ];
}

export function serveAsset(asset: Asset) {
  return (res: HttpResponse): void => write(res, { status: 200, body: asset.body, contentType: asset.contentType });
}
