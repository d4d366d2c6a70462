// "1 contact", "2 contacts", "10,000 nodes": a count and its noun, in agreement.
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}
