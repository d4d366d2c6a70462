// The report page of a sweep: each setting's mean lookup latency against its bandwidth,
// with the lower convex hull (Li et al., IPTPS 2004), success against churn, and every run.
(() => {
  const { section, lineChart, table, heading, element, fmt } = window.kadswarmPage;
  const data = window.kadswarmReport;
  const done = data.settings.filter((s) => s.mean !== null);
  heading(
    data.title ?? `kadswarm sweep: ${data.name}`,
    `kadswarm ${data.version}; ${data.settings.length} settings x ${data.seeds.length} seeds; grid over ${data.axes.join(', ') || 'nothing'}`,
  );

  const byX = (key) => [...done].sort((a, b) => a.mean[key] - b.mean[key]);
  const tradeoff = section(
    'Latency against bandwidth',
    'Each point is a setting (its mean over the seeds); the line is the lower convex hull: the least latency any setting buys with that much bandwidth.',
  );
  const points = byX('bytes_per_node_s');
  const xs = points.map((s) => s.mean.bytes_per_node_s);
  const onHull = new Set(data.hull);
  lineChart(
    tradeoff,
    'tradeoff',
    'lookup latency p50 (ms) against bytes sent per node per second',
    'bytes/node/s',
    xs,
    [
      { label: 'settings', values: points.map((s) => s.mean.lookup_ms_p50), color: '#2f6fdf', points: true, scale: 'y', line: false },
      { label: 'convex hull', values: points.map((s) => (onHull.has(s.setting) ? s.mean.lookup_ms_p50 : null)), color: '#d9534f' },
    ],
    [{ label: 'ms' }],
  );

  const churn = section(
    'Success against churn',
    'Each point is a setting: the share of lookups that found their value, against leaves per node per hour.',
  );
  const byChurn = byX('churn_per_node_h');
  lineChart(
    churn,
    'success',
    'lookup success against leaves per node per hour',
    'leaves/node/h',
    byChurn.map((s) => s.mean.churn_per_node_h),
    [{ label: 'success', values: byChurn.map((s) => s.mean.lookup_success), color: '#2a9d55', points: true, line: false }],
    [{ label: 'success', range: [0, 1] }],
  );

  const settings = section('Settings', "Means over each setting's seeds.");
  for (const s of data.settings)
    table(
      settings,
      s.mean ? Object.entries(s.mean) : [['failed', `${s.failed} of ${s.runs} runs`]],
      `${s.setting}${onHull.has(s.setting) ? ' (on the hull)' : ''}`,
    );

  const runs = section('Runs');
  const t = element('table', { class: 'runs' });
  const columns = ['run', 'setting', 'seed', ...data.figures, 'error'];
  const head = element('tr');
  for (const c of columns) head.append(element('th', {}, c));
  t.append(head);
  for (const row of data.runs) {
    const tr = element('tr');
    for (const c of columns) tr.append(element('td', {}, row[c] === null || row[c] === undefined ? '' : fmt(row[c])));
    t.append(tr);
  }
  runs.append(t);
})();
