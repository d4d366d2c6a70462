// What the report pages share: sections, figures, tables, and uPlot charts that the
// browser test can read back (window.kadswarm.charts).
/* global uPlot -- inlined before this file */
(() => {
  const WIDTH = 560;
  const HEIGHT = 260;
  const charts = {};
  window.kadswarm = { charts };
  const root = document.getElementById('report');

  const element = (tag, attributes = {}, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const fmt = (n) =>
    typeof n !== 'number'
      ? String(n)
      : Math.abs(n) >= 1e6
        ? `${(n / 1e6).toFixed(2)}M`
        : Math.abs(n) >= 1e4
          ? `${(n / 1e3).toFixed(1)}k`
          : `${Math.round(n * 100) / 100}`;

  function section(title, note) {
    const s = element('section');
    s.append(element('h2', {}, title));
    if (note) s.append(element('p', { class: 'note' }, note));
    const grid = element('div', { class: 'grid' });
    s.append(grid);
    root.append(s);
    return grid;
  }

  /** A figure with a caption holding one uPlot chart, registered under `name`. */
  function chart(parent, name, caption, options, data) {
    const figure = element('figure');
    const holder = element('div');
    figure.append(holder, element('figcaption', {}, caption));
    parent.append(figure);
    charts[name] = new uPlot({ width: WIDTH, height: HEIGHT, ...options }, data, holder);
    return charts[name];
  }

  const bars = () => uPlot.paths.bars({ size: [0.7, 60] });
  /** Bars over whole-number categories (hops, buckets) or named ones (phases: x is their index). */
  function barChart(parent, name, caption, xLabel, yLabel, xs, ys, color, names) {
    return chart(
      parent,
      name,
      caption,
      {
        scales: { x: { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] } },
        series: [{ label: xLabel }, { label: yLabel, fill: `${color}88`, stroke: color, paths: bars(), points: { show: false } }],
        axes: [
          {
            label: xLabel,
            incrs: [1, 2, 5, 10, 20],
            values: (u, v) => v.map((x) => (Number.isInteger(x) ? (names ? (names[x] ?? '') : x) : '')),
          },
          { label: yLabel, values: (u, v) => v.map(fmt) },
        ],
      },
      [xs, ys],
    );
  }

  /** Lines over a shared x: series is [{label, values, color, scale?}]. */
  function lineChart(parent, name, caption, xLabel, xs, series, axes = [{}]) {
    return chart(
      parent,
      name,
      caption,
      {
        scales: { x: { time: false } },
        series: [
          { label: xLabel },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            scale: s.scale ?? 'y',
            points: { show: s.points ?? false, size: 7, fill: s.color },
            ...(s.line === false ? { paths: () => null } : {}), // points only
          })),
        ],
        axes: [{ label: xLabel }, ...axes.map((a) => ({ values: (u, v) => v.map(fmt), ...a }))],
      },
      [xs, ...series.map((s) => s.values)],
    );
  }

  /** A table of [name, value] rows. */
  function table(parent, rows, caption) {
    const figure = element('figure', { class: 'table' });
    const t = element('table');
    for (const [k, v] of rows) {
      const tr = element('tr');
      tr.append(element('th', {}, k), element('td', {}, typeof v === 'object' && v !== null ? JSON.stringify(v) : fmt(v)));
      t.append(tr);
    }
    figure.append(t);
    if (caption) figure.append(element('figcaption', {}, caption));
    parent.append(figure);
  }

  function heading(title, subtitle) {
    root.append(element('h1', {}, title));
    if (subtitle) root.append(element('p', { class: 'subtitle' }, subtitle));
  }

  window.kadswarmPage = { section, chart, barChart, lineChart, table, heading, element, fmt };
})();
