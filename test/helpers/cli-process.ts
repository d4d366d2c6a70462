// Runs the real `kademlia` executable as a child process and reads its output by lines.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export class CliProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private waiters: Array<() => void> = [];
  private exited: Promise<number | null>;
  port = 0;
  /** The gateway's base URL once --http announced it (no trailing slash). */
  gatewayUrl = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const wake = () => {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.stdout.push(line);
      wake();
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.stderr.push(line);
      const port = / listening on .*:(\d+) /.exec(line);
      if (port) this.port = Number(port[1]);
      const gateway = /^gateway: (http:\/\/\S+?)\/ /.exec(line);
      if (gateway) this.gatewayUrl = gateway[1];
      wake();
    });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
        wake();
      }),
    );
  }

  static spawn(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
    return new CliProcess(spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }));
  }

  /** Starts a node on a free loopback port and waits for its banner. */
  static async node(extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliProcess> {
    const p = CliProcess.spawn(['-l', '127.0.0.1:0', ...extra], env);
    await p.until(() => p.port > 0, 10_000, 'banner');
    return p;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Resolves once `condition` holds (re-checked on every output line), or rejects after timeoutMs. */
  until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for ${what}; stdout: ${JSON.stringify(this.stdout)} stderr: ${JSON.stringify(this.stderr)}`)),
        timeoutMs,
      );
      const check = () => {
        if (condition()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** The next stdout line after the `seen` lines already consumed. */
  async line(index: number, timeoutMs = 5000): Promise<string> {
    await this.until(() => this.stdout.length > index, timeoutMs, `stdout line ${index}`);
    return this.stdout[index];
  }

  exitCode(timeoutMs = 5000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((_, reject) => {
      timer = setTimeout(() => {
        // what it printed says where it stopped: keep it in the failure
        const tail = [...this.stdout.slice(-5), ...this.stderr.slice(-10)].join('\n');
        this.kill(); // a hung child must not hold the test file (and the suite) open
        reject(new Error(`process did not exit in ${timeoutMs} ms (killed); it printed last:\n${tail}`));
      }, timeoutMs);
    });
    // cleared once it exits: a pending timer would keep the test file's process alive until it fires
    return Promise.race([this.exited, timedOut]).finally(() => clearTimeout(timer));
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
