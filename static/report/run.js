// The report page of one stress run: its outcome, hops, latency CDFs, messages per phase,
// the experiment's time series, routing table fill per bucket, and every parameter.
(() => {
  const { section, barChart, lineChart, table, heading, fmt } = window.kadswarmPage;
  const data = window.kadswarmReport;
  const r = data.report;
  const unit = r.time_basis === 'virtual' ? 'ms of virtual time' : 'ms';
  heading(
    data.title,
    `kadswarm ${r.version}, ${r.protocol} protocol, ${r.backend} backend, ${r.threads} thread(s); wall ${fmt(r.wall_ms / 1000)} s, peak RSS ${fmt(r.peak_rss_mb)} MB`,
  );

  const outcome = section('Outcome');
  const e = r.experiment;
  table(
    outcome,
    e
      ? [
          ['lookups (after warm-up)', e.lookups],
          ['found, right value', e.lookups_ok],
          ['success', `${(e.lookup_success * 100).toFixed(2)}%`],
          ['wrong values', e.lookups_wrong],
          ['misses Not found', `${e.misses_ok} of ${e.misses}`],
          ['lookup latency p50 / p99', `${fmt(e.lookup_ms_p50)} / ${fmt(e.lookup_ms_p99)} ${unit}`],
          ['leaves, joins', `${e.leaves}, ${e.joins}`],
          ['leaves per node per hour', e.churn_per_node_h],
          ['messages per node per second', e.messages_per_node_s],
          ['bytes per node per second', e.bytes_per_node_s],
        ]
      : [
          ['keys found', `${r.found} of ${r.keys}`],
          ['wrong values', r.wrong],
          ['misses Not found', `${r.miss_not_found} of ${r.misses}`],
          ['hit latency p50 / p99', `${fmt(r.hit_ms_p50)} / ${fmt(r.hit_ms_p99)} ${unit}`],
          ['miss latency p50 / p99', `${fmt(r.miss_ms_p50)} / ${fmt(r.miss_ms_p99)} ${unit}`],
          ['hops p50 / p99', `${r.hops_p50} / ${r.hops_p99}`],
        ],
    'what the run measured',
  );
  table(
    outcome,
    [
      ['messages', r.messages],
      ['dropped', r.dropped],
      ['timeouts', r.timeouts],
      ['internal errors', r.internal_errors],
    ],
    'traffic',
  );

  const lookups = section(
    'Lookups',
    'Lookups that found their value: rounds of queries (hops), and how long they took next to the misses.',
  );
  barChart(lookups, 'hops', 'successful lookups by hops', 'hops', 'lookups', data.hops.hops, data.hops.count, '#2f6fdf');
  const merged = [...new Set([...data.hits[0], ...data.misses[0]])].sort((a, b) => a - b);
  const at = (curve) => {
    let i = 0;
    return merged.map((x) => {
      while (i < curve[0].length && curve[0][i] <= x) i++;
      return i === 0 ? null : curve[1][i - 1];
    });
  };
  lineChart(
    lookups,
    'latency',
    `latency CDF (${unit})`,
    'ms',
    merged,
    [
      { label: 'hits', values: at(data.hits), color: '#2a9d55' },
      { label: 'misses', values: at(data.misses), color: '#d9534f' },
    ],
    [{ label: 'fraction', range: [0, 1] }],
  );

  const traffic = section('Messages per phase');
  barChart(
    traffic,
    'phases',
    'messages sent in each phase',
    'phase',
    'messages',
    data.phases.names.map((_, i) => i),
    data.phases.messages,
    '#e08a1e',
    data.phases.names,
  );

  if (r.series) {
    const s = r.series;
    const minutes = s.map((row) => row.minute);
    const col = (k) => s.map((row) => row[k]);
    const over = section(
      'Over time',
      `One point per minute; the first ${fmt(r.experiment.warmup_ms / 60000)} minutes are warm-up, left out of the figures above.`,
    );
    lineChart(over, 'series-lookups', 'lookups done, failed and wrong per minute', 'minute', minutes, [
      { label: 'done', values: col('lookups'), color: '#2f6fdf' },
      { label: 'failed', values: col('failed'), color: '#d9534f' },
      { label: 'wrong', values: col('wrong'), color: '#8a5cd0' },
    ]);
    lineChart(over, 'series-latency', `lookup latency (${unit})`, 'minute', minutes, [
      { label: 'p50', values: col('latency_ms_p50'), color: '#2a9d55' },
      { label: 'p99', values: col('latency_ms_p99'), color: '#e08a1e' },
    ]);
    // two quantities of different sizes: the second on a scale of its own, on the right
    const twin = (name, caption, left, right, rightLabel) =>
      lineChart(
        over,
        name,
        caption,
        'minute',
        minutes,
        [left, { ...right, scale: 'right' }],
        [{}, { side: 1, scale: 'right', label: rightLabel, grid: { show: false } }],
      );
    twin(
      'series-load',
      'bytes and messages per node per second',
      { label: 'bytes/node/s', values: col('bytes_per_node_s'), color: '#2f6fdf' },
      { label: 'messages/node/s', values: col('messages_per_node_s'), color: '#d9534f' },
      'messages',
    );
    lineChart(over, 'series-hops', 'mean hops of the lookups found', 'minute', minutes, [
      { label: 'hops', values: col('hops_mean'), color: '#8a5cd0' },
    ]);
    twin(
      'series-nodes',
      'nodes alive, and mean routing table fill',
      { label: 'alive', values: col('nodes_alive'), color: '#2a9d55' },
      { label: 'contacts per table', values: col('table_fill'), color: '#e08a1e' },
      'contacts',
    );
  }

  const tables = section(
    'Routing tables',
    'Contacts per bucket at the end of the run, averaged over the nodes running then (bucket b: b leading bits shared with the node).',
  );
  barChart(
    tables,
    'fill',
    'contacts per bucket',
    'bucket',
    'contacts',
    r.bucket_fill.map((_, b) => b),
    r.bucket_fill,
    '#8a5cd0',
  );

  table(section('Parameters'), Object.entries(r.parameters), 'every setting of the run, defaults included');
})();
