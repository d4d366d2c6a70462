// Chooses the distance backend once, at load time, from KADEMLIA_NATIVE:
//   0 -> pure TS; 1 -> native, or fail with a clear message; unset -> native if it loads.
// Call sites use `engine` and never branch on the backend.
import type { BackendName, DistanceEngine } from './engine.js';
import { loadNativeAddon, type NativeLoad } from '../native/binding.js';
import { nativeEngine } from './native-engine.js';
import { tsEngine } from './ts-engine.js';

export function selectEngine(setting: string | undefined, load: () => NativeLoad = loadNativeAddon): DistanceEngine {
  if (setting === '0') return tsEngine;
  if (setting !== undefined && setting !== '' && setting !== '1') {
    throw new Error(`KADEMLIA_NATIVE must be 0 or 1 (got "${setting}")`);
  }
  const loaded = load();
  if (loaded.ok) return nativeEngine(loaded.addon);
  if (setting === '1') {
    throw new Error(
      `KADEMLIA_NATIVE=1 but the native addon could not be loaded from ${loaded.path}: ${loaded.reason} (run npm install, or set KADEMLIA_NATIVE=0)`,
    );
  }
  return tsEngine;
}

export const engine: DistanceEngine = selectEngine(process.env.KADEMLIA_NATIVE);
export const backend: BackendName = engine.name;
