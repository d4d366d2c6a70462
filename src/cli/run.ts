// Subcommand dispatch for `kademlia`.
import { HELP } from './help.js';
import { HOST_HELP, runHostCommand } from './host-command.js';
import { runNodeCommand } from './node-command.js';
import { runStressCommand, STRESS_HELP } from './stress-command.js';
import { runSweepCommand, SWEEP_HELP } from './sweep-command.js';
import { UsageError } from './usage-error.js';

const COMMAND_HELP: Record<string, string> = { stress: STRESS_HELP, host: HOST_HELP, sweep: SWEEP_HELP };

export async function runCli(args: string[]): Promise<void> {
  const [first, ...rest] = args;
  if (first === 'help') return printHelp(rest);
  if (first === 'stress') return inCommand('stress', () => runStressCommand(rest));
  if (first === 'host') return inCommand('host', () => runHostCommand(rest));
  if (first === 'sweep') return inCommand('sweep', () => runSweepCommand(rest));
  if (first !== undefined && !first.startsWith('-')) throw new UsageError(`unknown command "${first}"`);
  await runNodeCommand(args);
}

function printHelp(args: string[]): void {
  if (args.length > 1) throw new UsageError('help takes at most one command name');
  const [command] = args;
  if (command === undefined) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const text = COMMAND_HELP[command];
  if (text === undefined) throw new UsageError(`no help for "${command}": the commands are ${Object.keys(COMMAND_HELP).join(', ')}`);
  process.stdout.write(`${text}\n`);
}

/** Runs a subcommand; its usage errors point at its own help. */
async function inCommand(command: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof UsageError) error.command ??= command;
    throw error;
  }
}
