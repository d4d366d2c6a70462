// Checks shared by every options object of the public API: a key the API does not know is a
// mistake (a typo, say), refused by name instead of being ignored.

/** Throws a TypeError naming the first key of `options` that is not in `known`. */
export function refuseUnknownOptions(options: object, known: readonly string[], what: string): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${what}s must be an object`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`unknown ${what} "${key}" (known: ${known.join(', ')})`);
  }
}
