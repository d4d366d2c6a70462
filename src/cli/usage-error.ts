/** A mistake in how the command was invoked: reported in one line, exit code 2. */
export class UsageError extends Error {
  /** The subcommand whose help explains the mistake (stress, host), if any. */
  command: string | undefined;

  /** The line that points at the right help. */
  get hint(): string {
    return `see kademlia ${this.command ? `${this.command} ` : ''}--help`;
  }
}
