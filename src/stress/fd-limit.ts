// The process's open-file limit (`ulimit -n`): each UDP node holds one socket.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === 'unlimited') return Infinity;
    if (soft && /^\d+$/.test(soft)) return Number(soft);
  } catch {
    // not Linux: ask the shell
  }
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Infinity : Number(out);
  } catch {
    return 1024;
  }
}

/** File descriptors a process needs besides its node sockets (stdio, libuv, modules). */
export const FD_HEADROOM = 100;
