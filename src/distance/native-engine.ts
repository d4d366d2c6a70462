// Loads the C++ addon built by `npm install` (build/Release/kadswarm.node).
import { createRequire } from 'node:module';
import type { DistanceEngine } from './engine.js';

const require = createRequire(import.meta.url);

/** The raw addon exports: the engine functions plus a no-op used as the call-cost baseline. */
export interface NativeAddon extends Omit<DistanceEngine, 'name'> {
  noop(): void;
}

export type NativeLoad = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

let cached: NativeLoad | undefined;

export function loadNativeAddon(): NativeLoad {
  if (cached) return cached;
  // dist/src/distance/ -> package root
  const path = new URL('../../../build/Release/kadswarm.node', import.meta.url).pathname;
  try {
    cached = { ok: true, addon: require(path) as NativeAddon };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    cached = { ok: false, reason: message };
  }
  return cached;
}

export function nativeEngine(addon: NativeAddon): DistanceEngine {
  return {
    name: 'native',
    xorDistance: addon.xorDistance,
    commonPrefixLength: addon.commonPrefixLength,
    commonPrefixLengths: addon.commonPrefixLengths,
    closest: addon.closest,
    tableClosest: addon.tableClosest,
  };
}
