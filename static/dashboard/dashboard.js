// The kadswarm dashboard: live stats from WS /v1/events (polling /v1/stats if the socket
// drops), drawn with uPlot. window.kadswarm exposes the charts and the last stats (tests).
/* global uPlot -- uplot/dist/uPlot.iife.min.js, loaded by index.html before this file */
(() => {
  const $ = (id) => document.getElementById(id);
  const WIDTH = 440;
  const HEIGHT = 220;
  const HISTORY = 300; // seconds of traffic kept on the time chart
  const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : `${Math.round(n * 10) / 10}`);
  const bars = uPlot.paths.bars({ size: [0.7, 40] });
  // bar charts: whole-number categories, with half a bar of room at both ends
  const categories = { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] };
  const categoryAxis = (label) => ({ label, incrs: [1, 2, 5, 10, 20], values: (u, v) => v.map((x) => (Number.isInteger(x) ? x : '')) });

  const chart = (id, options) =>
    new uPlot(
      { width: WIDTH, height: HEIGHT, ...options },
      options.series.map(() => []),
      $(`chart-${id}`),
    );
  // the two bar charts (hops, table fill): whole-number categories on x, one series of bars
  const barChart = (id, xLabel, yLabel, color, yAxis = {}) =>
    chart(id, {
      scales: { x: categories },
      series: [{ label: xLabel }, { label: yLabel, fill: `${color}88`, stroke: color, paths: bars, points: { show: false } }],
      axes: [categoryAxis(xLabel), { label: yLabel, ...yAxis }],
    });

  const charts = {
    traffic: chart('traffic', {
      scales: { x: { time: true }, alive: { auto: true } },
      series: [
        {},
        { label: 'messages/s', stroke: '#2f6fdf', width: 2 },
        { label: 'nodes alive', stroke: '#2a9d55', width: 2, scale: 'alive' },
      ],
      axes: [{}, { label: 'msg/s', values: (u, v) => v.map(fmt) }, { side: 1, scale: 'alive', label: 'alive', grid: { show: false } }],
    }),
    hops: barChart('hops', 'rounds', 'gets', '#2f6fdf', { values: (u, v) => v.map(fmt) }),
    latency: chart('latency', {
      scales: { x: { time: false }, y: { range: [0, 1] } },
      series: [{ label: 'ms' }, { label: 'hits', stroke: '#2a9d55', width: 2 }, { label: 'misses', stroke: '#d9534f', width: 2 }],
      axes: [{ label: 'ms' }, { label: 'fraction' }],
    }),
    fill: barChart('fill', 'bucket', 'contacts', '#8a5cd0'),
  };
  const traffic = [[], [], []];
  const phases = [];
  const state = { charts, last: null, events: 0, phases };
  window.kadswarm = state;

  function showPhase(phase) {
    $('phase').textContent = phase.name;
    $('phase-count').textContent = phase.total > 0 ? `${fmt(phase.done)} / ${fmt(phase.total)}` : '';
    $('phase-progress').value = phase.name === 'done' ? 1 : phase.total > 0 ? phase.done / phase.total : 0;
    if (phases[phases.length - 1] !== phase.name) {
      phases.push(phase.name);
      const item = document.createElement('li');
      item.textContent = phase.name;
      $('phase-history').append(item);
    }
  }

  function showStats(s) {
    state.last = s;
    $('kind').textContent = `${s.kind} · ${s.nodes.total} node${s.nodes.total === 1 ? '' : 's'} · ${s.server}`;
    $('alive').textContent = fmt(s.nodes.alive);
    $('rate').textContent = fmt(s.messages.per_s);
    $('messages').textContent = `${fmt(s.messages.out)} / ${fmt(s.messages.in)} / ${fmt(s.messages.dropped)}`;
    const virtual = s.time_basis === 'virtual';
    const ms = (l) => (l.count === 0 ? '-' : `${l.p50.toFixed(1)} / ${l.p99.toFixed(1)} ms${virtual ? ' (virtual)' : ''}`);
    $('latency-caption').textContent = `latency CDF: hits vs misses (ms${virtual ? ', virtual time' : ''})`;
    $('hit').textContent = ms(s.latency_ms.hit);
    $('miss').textContent = ms(s.latency_ms.miss);
    $('storage').textContent = `${fmt(s.storage.entries)} values, ${fmt(s.storage.bytes)} B`;
    $('rss').textContent = `${s.rss_mb} MB`;
    $('backend').textContent = s.backend;
    showPhase(s.phase);

    traffic[0].push(Date.now() / 1000);
    traffic[1].push(s.messages.per_s);
    traffic[2].push(s.nodes.alive);
    if (traffic[0].length > HISTORY) traffic.forEach((series) => series.shift());
    charts.traffic.setData(traffic);
    let lastHop = s.hops.histogram.length;
    while (lastHop > 1 && s.hops.histogram[lastHop - 1] === 0) lastHop--;
    const hops = s.hops.histogram.slice(0, lastHop);
    charts.hops.setData([hops.map((_, i) => i), hops]);
    const cdf = s.latency_ms.cdf;
    charts.latency.setData([cdf.ms, cdf.hit, cdf.miss]);
    const fill = s.routing.bucket_fill;
    charts.fill.setData([fill.map((_, i) => i), fill]);
  }

  function onEvent(event) {
    state.events++;
    if (event.type === 'stats') showStats(event.stats);
    else if (event.type === 'phase') showPhase(event.phase);
  }

  let poller = null;
  function poll() {
    if (poller) return;
    poller = setInterval(() => {
      fetch('/v1/stats')
        .then((r) => r.json())
        .then((s) => onEvent({ type: 'stats', stats: s }))
        .catch(() => {});
    }, 1000);
  }

  function connect() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/events`);
    ws.onopen = () => {
      $('connection').textContent = 'live';
      $('connection').className = 'pill live';
      if (poller) clearInterval(poller);
      poller = null;
    };
    ws.onmessage = (m) => onEvent(JSON.parse(m.data));
    ws.onclose = () => {
      $('connection').textContent = 'polling';
      $('connection').className = 'pill';
      poll();
      setTimeout(connect, 3000);
    };
  }
  connect();
})();
