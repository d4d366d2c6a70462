// `npm run bench [-- --quick]`: the distance and routing-table table, then the codec table.
await import('./distance.bench.js');
await import('./codec.bench.js');
