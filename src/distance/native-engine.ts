// The native distance engine: the addon (src/native/binding.ts) adapted to the
// DistanceEngine contract.
import type { NativeAddon } from '../native/binding.js';
import type { DistanceEngine } from './engine.js';
import { tsEngine } from './ts-engine.js';
import { allocUint32 } from './result-pool.js';
import { assertCount, assertId, assertPackedIds } from './validate.js';

// io buffer: words 0-4 the target id, word 5 the wanted count, words 8.. the results.
const IO_COUNT_WORD = 5;
const IO_RESULTS_WORD = 8;
const IO_MAX_RESULTS = 1024;

/**
 * The native engine. Per-pair operations (xorDistance, commonPrefixLength) stay in TS on
 * purpose: one Node-API call costs more than the whole TS computation (`npm run bench`).
 * Routing-table queries go through a registered arena and io buffer so that each query
 * passes one typed array instead of four.
 */
export function nativeEngine(addon: NativeAddon): DistanceEngine {
  const io = new Uint32Array(IO_RESULTS_WORD + IO_MAX_RESULTS);
  const ioTarget = new Uint8Array(io.buffer, 0, 20);
  addon.bindIo(io);
  let registeredArena: Uint8Array | undefined; // kept referenced while registered

  return {
    name: 'native',
    xorDistance: tsEngine.xorDistance,
    commonPrefixLength: tsEngine.commonPrefixLength,
    commonPrefixLengths: addon.commonPrefixLengths,
    closest(target, packedIds, k) {
      // Validated here too because the result length depends on both arguments.
      assertPackedIds(packedIds, 'packedIds');
      assertCount(k, 'k');
      return addon.closestInto(target, packedIds, allocUint32(Math.min(k, packedIds.length / 20)));
    },
    tableClosest(arenaIds, table, target, out) {
      if (!(out instanceof Uint32Array) || out.length > IO_MAX_RESULTS) {
        return addon.tableClosest(arenaIds, table, target, out); // general path, same checks
      }
      assertId(target, 'target');
      if (arenaIds !== registeredArena) {
        addon.useArena(arenaIds);
        registeredArena = arenaIds;
      }
      for (let i = 0; i < 20; i++) ioTarget[i] = target[i];
      io[IO_COUNT_WORD] = out.length;
      const written = addon.tableClosestIo(table);
      for (let i = 0; i < written; i++) out[i] = io[IO_RESULTS_WORD + i];
      return written;
    },
  };
}
