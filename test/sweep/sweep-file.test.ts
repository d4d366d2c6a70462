// Experiment files: every combination of the grid, seeds or repetitions, JSON or YAML, and
// one error naming the file and the field for anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSweepFile } from '../../src/sweep/sweep-file.js';

test('a YAML grid runs every combination, first axis slowest, each with every seed', () => {
  const plan = parseSweepFile(
    ['name: kc', 'base: { transport: sim, nodes: 3000 }', 'grid:', '  k: [8, 20]', '  sessions: [exp:30m, exp:1h]', 'seeds: [4, 5]'].join(
      '\n',
    ),
  );
  assert.equal(plan.name, 'kc');
  assert.deepEqual(plan.axes, ['k', 'sessions']);
  assert.deepEqual(
    plan.points.map((p) => p.label),
    ['k=8 sessions=exp:30m', 'k=8 sessions=exp:1h', 'k=20 sessions=exp:30m', 'k=20 sessions=exp:1h'],
  );
  assert.equal(plan.runs.length, 8);
  assert.deepEqual(plan.runs[3], {
    index: 3,
    point: 1,
    seed: 5,
    args: ['--transport', 'sim', '--nodes', '3000', '--k', '8', '--sessions', 'exp:1h', '--seed', '5'],
  });
});

test('JSON works as well; repetitions N means seeds 1..N; no grid is one setting', () => {
  const plan = parseSweepFile(JSON.stringify({ base: { nodes: 500 }, repetitions: 3 }));
  assert.equal(plan.name, 'sweep');
  assert.deepEqual(plan.seeds, [1, 2, 3]);
  assert.deepEqual(plan.points, [{ settings: {}, label: 'base' }]);
  assert.deepEqual(plan.runs[2].args, ['--nodes', '500', '--seed', '3']);
});

test('mistakes are named', () => {
  const refused: Array<[string, RegExp]> = [
    ['{', /f\.yaml: not JSON or YAML/],
    ['[1, 2]', /expected a map with base, grid and seeds/],
    ['{ base: {}, grids: {} }', /unknown field grids/],
    ['{ base: [1] }', /base must be a map of flag names to values/],
    ['{ grid: { k: 8 } }', /grid\.k must be a list of values/],
    ['{ grid: { k: [] } }', /grid\.k must be a list of values/],
    ['{ grid: { k: [{ a: 1 }] } }', /the value of k must be a string or a number/],
    ['{ base: { no-progress: true } }', /--no-progress is set by the sweep itself/],
    ['{ base: { seed: 3 } }', /--seed is set by the sweep itself \(use seeds or repetitions\)/],
    ['{ grid: { json: [a] } }', /--json is set by the sweep itself/],
    ['{ base: { k: 8 }, grid: { k: [8] } }', /k is both in base and in grid/],
    ['{ seeds: [1], repetitions: 2 }', /give seeds or repetitions, not both/],
    ['{ seeds: [-1] }', /seeds must be a list of integers/],
    ['{ repetitions: 0 }', /repetitions must be a positive integer/],
  ];
  for (const [text, message] of refused) assert.throws(() => parseSweepFile(text, 'f.yaml'), message, text);
});
