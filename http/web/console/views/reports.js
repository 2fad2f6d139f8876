// views/reports.js — the centre's figures as charts (GET
// /api/v1/reports/intervals, computed on the server): response times by
// priority, call processing against NFPA 1225 (90% of calls dispatched
// within 60 s of answer) and calls by hour of day. Each chart has a
// sentence that says what it shows and a table with its numbers, which
// screen readers read and anyone can show. The figures follow the calls as
// they come: the view asks again when incidents change, at most every few
// seconds.

import {get} from '../api.js';
import {h, svg, replace, clockTime} from '../dom.js';
import * as keys from '../keys.js';
import {fmtDur, fmtPct, fmtTick, timeTicks, countTicks, frame, text, xAxis, yAxis, r2} from '../charts.js';

// ranges are the periods a report covers, up to now.
const ranges = [
  {id: '1h', label: 'Last hour', hours: 1},
  {id: '6h', label: 'Last 6 hours', hours: 6},
  {id: '24h', label: 'Last 24 hours', hours: 24},
  {id: '7d', label: 'Last 7 days', hours: 24 * 7},
  {id: '30d', label: 'Last 30 days', hours: 24 * 30},
];

// throttleMs is the least time between two reports asked for because calls
// changed: a busy centre changes something every second.
const throttleMs = 5000;

const prioLabel = (p) => `P${p}`;

export function mount(root, ctx) {
  const me = ctx.me;
  const installer = !me.agency && me.roles.includes('admin');
  let rangeId = '24h';
  try {
    rangeId = localStorage.getItem('tenfour.reports.range') || '24h';
  } catch {
    rangeId = '24h';
  }
  if (!ranges.some((r) => r.id === rangeId)) rangeId = '24h';
  let agency = '';
  let tz = 'UTC';
  try {
    tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    // An old browser: hours in UTC.
  }
  let data = null;
  let inflight = null;
  let lastAsk = 0;
  let pending = null;

  const rangeSel = h('select', {id: 'rp-range'}, ranges.map((r) => h('option', {value: r.id, selected: r.id === rangeId}, r.label)));
  const agencySel = installer ? h('select', {id: 'rp-agency'}, h('option', {value: ''}, 'Every agency'),
    [...ctx.store.agencies.values()].map((a) => h('option', {value: a.id}, a.name))) : null;
  const refresh = h('button', {type: 'button', id: 'rp-refresh', class: 'ghost', 'aria-keyshortcuts': 'r'}, 'Refresh');
  const tablesBtn = h('button', {type: 'button', id: 'rp-tables', class: 'ghost', 'aria-pressed': 'false', 'aria-keyshortcuts': 't'}, 'Show tables');
  const status = h('p', {class: 'rp-status', id: 'rp-status', role: 'status'}, 'Loading…');
  const overview = h('p', {class: 'rp-overview', id: 'rp-overview'});

  const figResponse = figure('rp-response', 'Response times by priority');
  const figNfpa = figure('rp-nfpa', 'Call processing against NFPA 1225');
  const figHourly = figure('rp-hourly', 'Calls by hour of day');

  const view = h('section', {class: 'panel reports', 'aria-labelledby': 'rp-title'},
    h('header', {class: 'rp-head'},
      h('h1', {id: 'rp-title'}, 'Reports'),
      h('div', {class: 'rp-controls'},
        h('label', {for: 'rp-range'}, 'Period '), rangeSel,
        agencySel ? [h('label', {for: 'rp-agency'}, 'Agency '), agencySel] : null,
        refresh, tablesBtn),
      status),
    overview,
    h('div', {class: 'rp-grid'}, figResponse.el, figNfpa.el, figHourly.el));
  replace(root, view);

  async function load() {
    const r = ranges.find((x) => x.id === rangeId);
    const to = new Date();
    const from = new Date(to.getTime() - r.hours * 3600 * 1000);
    const q = new URLSearchParams({from: from.toISOString(), to: to.toISOString(), tz});
    if (agency) q.set('agency', agency);
    inflight?.abort();
    const ac = new AbortController();
    inflight = ac;
    lastAsk = Date.now();
    try {
      const d = await get('/reports/intervals?' + q, {signal: ac.signal});
      if (ac.signal.aborted) return;
      data = d;
      draw();
      status.textContent = `Updated ${clockTime(new Date())}; follows the calls as they come.`;
      status.classList.remove('error');
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.code === 'invalid' && tz !== 'UTC' && /time zone/.test(e.message)) {
        tz = 'UTC'; // the server does not know the browser's zone
        return load();
      }
      status.textContent = `Cannot load the report: ${e.message}`;
      status.classList.add('error');
    } finally {
      if (inflight === ac) inflight = null;
    }
  }

  // soon asks for the report again once the throttle allows.
  function soon() {
    if (pending || document.hidden) return;
    const wait = Math.max(0, lastAsk + throttleMs - Date.now());
    pending = setTimeout(() => {
      pending = null;
      load();
    }, wait);
  }

  function draw() {
    const d = data;
    const r = ranges.find((x) => x.id === rangeId);
    const who = d.agency ? (ctx.store.agencies.get(d.agency)?.name || d.agency) : 'every agency';
    // Calls entered late from paper (dispatch/late.go) rest on claimed times: say so.
    const late = d.late_entered ? ` ${d.late_entered} of them entered late, from paper: their times are as claimed.` : '';
    overview.textContent = `${d.incidents} call${d.incidents === 1 ? '' : 's'} received in the ${r.label.toLowerCase()} by ${who}; hours in ${d.tz}.${late}`;
    drawResponse(figResponse, d);
    drawNfpa(figNfpa, d);
    drawHourly(figHourly, d);
    // The end of the period drawn, for whoever checks the figures
    // against the API (cmd/tenfour's console_reports_test.go).
    view.dataset.report = d.to;
  }

  rangeSel.addEventListener('change', () => {
    rangeId = rangeSel.value;
    try {
      localStorage.setItem('tenfour.reports.range', rangeId);
    } catch {
      // the choice lasts this page only
    }
    load();
  });
  agencySel?.addEventListener('change', () => {
    agency = agencySel.value;
    load();
  });
  refresh.addEventListener('click', () => load());
  const toggleTables = () => {
    const on = tablesBtn.getAttribute('aria-pressed') !== 'true';
    tablesBtn.setAttribute('aria-pressed', String(on));
    tablesBtn.textContent = on ? 'Hide tables' : 'Show tables';
    view.classList.toggle('show-tables', on);
  };
  tablesBtn.addEventListener('click', toggleTables);

  const unsubscribe = ctx.store.subscribe((c) => {
    if (c.has('incidents')) soon();
    if (c.has('agencies') && agencySel && agencySel.options.length === 1) {
      agencySel.append(...[...ctx.store.agencies.values()].map((a) => h('option', {value: a.id}, a.name)));
    }
  });
  // The period ends now: it moves on even when no call comes.
  const minute = setInterval(() => soon(), 60_000);
  const onVisible = () => { if (!document.hidden) soon(); };
  document.addEventListener('visibilitychange', onVisible);

  keys.setView('Reports', [
    {key: 'r', label: 'Refresh the report now', run: () => load()},
    {key: 't', label: 'Show or hide the tables of the charts', run: toggleTables},
    {key: '[', label: 'A shorter period', run: () => step(-1)},
    {key: ']', label: 'A longer period', run: () => step(1)},
  ]);
  function step(d) {
    const i = ranges.findIndex((x) => x.id === rangeId);
    const j = Math.min(Math.max(i + d, 0), ranges.length - 1);
    if (j === i) return;
    rangeSel.value = ranges[j].id;
    rangeSel.dispatchEvent(new Event('change'));
    ctx.announce(ranges[j].label);
  }

  load();
  return () => {
    unsubscribe();
    clearInterval(minute);
    clearTimeout(pending);
    inflight?.abort();
    document.removeEventListener('visibilitychange', onVisible);
  };
}

// figure makes a chart's figure: its heading, its sentence, the place of
// its drawing and its table.
function figure(id, title) {
  const summary = h('p', {class: 'rp-summary', id: id + '-summary'});
  const chart = h('div', {class: 'rp-chart'});
  const tables = h('div', {class: 'rp-tables'});
  const el = h('figure', {class: 'rp-figure', id, 'aria-labelledby': id + '-title', 'aria-describedby': id + '-summary'},
    h('figcaption', {}, h('h2', {id: id + '-title'}, title), summary), chart, tables);
  return {el, summary, chart, tables};
}

// table makes a data table: caption, column heads, rows of cells. A cell is
// a string, or [text, value] to keep the exact value beside what is shown.
function table(caption, heads, rows, cls) {
  const cell = (c, i) => {
    const [t, v] = Array.isArray(c) ? c : [c, null];
    return i === 0 ? h('th', {scope: 'row'}, t) : h('td', {'data-value': v ?? null}, t);
  };
  return h('table', {class: `rp-table ${cls}`},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', {scope: 'col'}, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map(cell)))));
}

const dur = (v) => [fmtDur(v), v ?? ''];

// drawResponse draws the response-time intervals as box plots, a row per
// priority and one for all calls: the box from the 25th to the 75th
// percentile, the median (p50) as a bar, the 90th percentile as a diamond,
// the whisker from the least to the greatest.
function drawResponse(fig, d) {
  const wanted = ['received_on_scene', 'dispatched_on_scene'];
  const ivs = wanted.map((n) => d.intervals.find((i) => i.name === n)).filter(Boolean);
  const rowsOf = (iv) => [...iv.by_priority.map((s, p) => ({label: prioLabel(p), cls: `p${p}`, s})), {label: 'All', cls: 'all', s: iv.all}];
  const charts = ivs.map((iv) => {
    const rows = rowsOf(iv);
    // The axis reaches past the largest 90th percentile; longer whiskers
    // run off its end with an arrow.
    const reach = Math.max(...rows.map((r) => r.s.p90 ?? 0));
    const ticks = timeTicks(reach * 1.15);
    const W = 600, L = 46, R = 392, rowH = 26, top = 30;
    const H = top + rows.length * rowH + 26;
    const c = frame(W, H, 'boxplot');
    c.append(text(0, 16, iv.label, 'chart-title'));
    const axisY = top + rows.length * rowH + 2;
    const sx = xAxis(c, ticks, L, R, axisY, fmtTick, {grid: rows.length * rowH + 4});
    const end = ticks[ticks.length - 1];
    rows.forEach((row, i) => {
      const y = top + i * rowH + rowH / 2;
      c.append(text(L - 8, y + 4, row.label, `row-label ${row.cls}`, {'text-anchor': 'end'}));
      const s = row.s;
      if (!s.count) {
        c.append(text(L + 6, y + 4, 'no calls', 'muted'));
        return;
      }
      const g = svg('g', {class: `box ${row.cls}`});
      g.append(svg('line', {class: 'whisker', x1: r2(sx(s.min)), x2: r2(sx(s.max)), y1: y, y2: y}));
      if (s.max > end) g.append(svg('path', {class: 'whisker-arrow', d: `M${R} ${y - 4} L${R + 6} ${y} L${R} ${y + 4} Z`}));
      g.append(svg('rect', {class: 'iqr', x: r2(sx(s.p25)), y: y - 7, width: r2(Math.max(sx(s.p75) - sx(s.p25), 1.5)), height: 14}));
      g.append(svg('line', {class: 'median', x1: r2(sx(s.p50)), x2: r2(sx(s.p50)), y1: y - 9, y2: y + 9}));
      const x90 = sx(s.p90);
      g.append(svg('path', {class: 'p90', d: `M${r2(x90)} ${y - 6} L${r2(x90 + 5)} ${y} L${r2(x90)} ${y + 6} L${r2(x90 - 5)} ${y} Z`}));
      g.append(svg('title', {}, `${row.label}: ${s.count} calls; median ${fmtDur(s.p50)}, 90th percentile ${fmtDur(s.p90)}, from ${fmtDur(s.min)} to ${fmtDur(s.max)}`));
      c.append(g);
      c.append(text(R + 14, y + 4, `p50 ${fmtDur(s.p50)} · p90 ${fmtDur(s.p90)} · ${s.count} call${s.count === 1 ? '' : 's'}`, 'row-figures'));
    });
    return c;
  });
  const legend = h('p', {class: 'rp-legend', 'aria-hidden': 'true'},
    h('span', {class: 'key-iqr'}), 'middle half of calls (25th to 75th percentile) ',
    h('span', {class: 'key-median'}), 'median (p50) ',
    h('span', {class: 'key-p90'}), '90th percentile (p90) ',
    h('span', {class: 'key-whisker'}), 'fastest to slowest');
  replace(fig.chart, h('div', {class: 'rp-pair'}, charts), legend);
  const all = ivs[0]?.all;
  fig.summary.textContent = all?.count
    ? `From the call to the first unit on scene: half the calls within ${fmtDur(all.p50)}, 90% within ${fmtDur(all.p90)} (${all.count} calls). ` +
      `From dispatch to on scene: ${ivs[1]?.all.count ? `half within ${fmtDur(ivs[1].all.p50)}, 90% within ${fmtDur(ivs[1].all.p90)}` : 'no calls'}.`
    : 'No call of this period has a unit on scene yet.';
  replace(fig.tables, ivs.map((iv) => table(`${iv.label} (times as m:ss; p50 and p90 are nearest-rank percentiles)`,
    ['Priority', 'Calls', 'p50', 'p90', 'Fastest', 'Slowest'],
    rowsOf(iv).map((r) => [r.label, [String(r.s.count), r.s.count], dur(r.s.p50), dur(r.s.p90), dur(r.s.min), dur(r.s.max)]),
    `rp-table-${iv.name}`)));
}

// drawNfpa draws call processing against NFPA 1225: the share of calls
// dispatched within the target per hour or day against the 90% line, and
// the distribution of answer-to-dispatch times with the 60-second line.
function drawNfpa(fig, d) {
  const cp = d.call_processing;
  const target = cp.target_seconds, goal = cp.target_share;
  const W = 560, L = 46, R = 510, T = 30, B = 172;
  const per = {'5min': 'five minutes', hour: 'hour', day: 'day'}[cp.bucket] || cp.bucket;
  const c = frame(W, 200, 'nfpa-share');
  c.append(text(0, 16, `Dispatched within ${target} s of answer, by ${per}`, 'chart-title'));
  const sy = yAxis(c, [0, 0.25, 0.5, 0.75, 1], L, R, B, T, (v) => `${v * 100}%`);
  const n = cp.buckets.length;
  const bw = (R - L) / Math.max(n, 1);
  const label = (b) => {
    const t = new Date(b.start);
    return cp.bucket === 'day'
      ? t.toLocaleDateString('en-GB', {day: '2-digit', month: 'short', timeZone: d.tz})
      : t.toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit', timeZone: d.tz});
  };
  const every = Math.ceil(n / 8);
  cp.buckets.forEach((b, i) => {
    const x = L + i * bw;
    if (b.dispatched) {
      const y = sy(b.share);
      const bar = svg('rect', {class: `bar ${b.share >= goal ? 'meets' : 'misses'}`, x: r2(x + bw * 0.12), y: r2(y), width: r2(bw * 0.76), height: r2(Math.max(B - y, 0.8))},
        svg('title', {}, `${label(b)}: ${b.within} of ${b.dispatched} within ${target} s (${fmtPct(b.share)})`));
      c.append(bar);
    }
    if (i % every === 0) c.append(text(x + bw / 2, B + 16, label(b), 'tick', {'text-anchor': 'middle'}));
  });
  const gy = r2(sy(goal));
  c.append(svg('line', {class: 'target', x1: L, x2: R, y1: gy, y2: gy}));
  c.append(text(R + 6, gy - 3, 'target', 'target-label'));
  c.append(text(R + 6, gy + 11, `${goal * 100}%`, 'target-label'));

  // The distribution of answer → dispatch.
  const iv = d.intervals.find((x) => x.name === 'answered_dispatched');
  const hist = iv?.all.histogram;
  const hc = frame(W, 200, 'nfpa-hist');
  hc.append(text(0, 16, 'Call answered to first unit dispatched', 'chart-title'));
  if (hist) {
    const bins = hist.counts.length + (hist.over ? 1 : 0);
    const span = Math.max(bins * hist.width, target * 1.1);
    const ticks = timeTicks(span);
    const maxCount = Math.max(...hist.counts, hist.over);
    const sy2 = yAxis(hc, countTicks(maxCount), L, R, B, T, String);
    const sx = (v) => L + (v / ticks[ticks.length - 1]) * (R - L);
    hist.counts.forEach((k, i) => {
      if (!k) return;
      const x0 = sx(i * hist.width), x1 = sx((i + 1) * hist.width);
      const y = sy2(k);
      hc.append(svg('rect', {class: `bar ${(i + 1) * hist.width <= target ? 'meets' : 'misses'}`, x: r2(x0 + 0.5), y: r2(y), width: r2(Math.max(x1 - x0 - 1, 0.8)), height: r2(B - y)},
        svg('title', {}, `${fmtDur(i * hist.width)} to ${fmtDur((i + 1) * hist.width)}: ${k} calls`)));
    });
    if (hist.over) {
      const x0 = sx(hist.counts.length * hist.width), x1 = sx((hist.counts.length + 1) * hist.width);
      const y = sy2(hist.over);
      hc.append(svg('rect', {class: 'bar misses over', x: r2(x0 + 0.5), y: r2(y), width: r2(Math.max(x1 - x0 - 1, 0.8)), height: r2(B - y)},
        svg('title', {}, `${fmtDur(hist.counts.length * hist.width)} or more: ${hist.over} calls`)));
    }
    for (const t of ticks) hc.append(text(sx(t), B + 16, fmtTick(t), 'tick', {'text-anchor': 'middle'}));
    const tx = r2(sx(target));
    hc.append(svg('line', {class: 'target', x1: tx, x2: tx, y1: T - 4, y2: B}));
    hc.append(text(tx + 4, T + 4, `${target} s`, 'target-label'));
  } else {
    hc.append(text(L, 100, 'No call of this period was dispatched.', 'muted'));
  }
  replace(fig.chart, h('div', {class: 'rp-pair'}, c, hc),
    h('p', {class: 'rp-legend', 'aria-hidden': 'true'}, h('span', {class: 'key-meets'}), `meets the target `, h('span', {class: 'key-misses'}), 'misses it'));

  fig.summary.textContent = cp.dispatched
    ? `${fmtPct(cp.share)} of ${cp.dispatched} dispatched calls were dispatched within ${target} seconds of answer: ` +
      `${cp.share >= goal ? 'meets' : 'below'} the NFPA 1225 target of ${goal * 100}%.` +
      (iv?.all.count ? ` Half within ${fmtDur(iv.all.p50)}, 90% within ${fmtDur(iv.all.p90)}.` : '')
    : 'No call of this period was dispatched yet.';
  const share = (t) => [[String(t.dispatched), t.dispatched], [String(t.within), t.within], [fmtPct(t.share), t.share ?? '']];
  replace(fig.tables,
    table(`Dispatched within ${target} s of answer, by ${per} (target ${goal * 100}%)`,
      [cp.bucket === 'day' ? 'Day' : 'From', 'Dispatched', `Within ${target} s`, 'Share'],
      [...cp.buckets.map((b) => [label(b), ...share(b)]), ['All', ...share(cp)]], 'rp-table-nfpa'),
    table('Dispatched within the target, by priority', ['Priority', 'Dispatched', `Within ${target} s`, 'Share'],
      cp.by_priority.map((t, p) => [prioLabel(p), ...share(t)]), 'rp-table-nfpa-priority'),
    hist ? table('Call answered to first unit dispatched: calls by time', ['Time', 'Calls'],
      [...hist.counts.map((k, i) => [`${fmtDur(i * hist.width)} – ${fmtDur((i + 1) * hist.width)}`, [String(k), k]]),
        ...(hist.over ? [[`${fmtDur(hist.counts.length * hist.width)} or more`, [String(hist.over), hist.over]]] : [])], 'rp-table-processing') : null);
}

// drawHourly draws calls by hour of day as bars stacked by priority.
function drawHourly(fig, d) {
  const hours = d.by_hour;
  const W = 560, L = 46, R = 548, T = 44, B = 182;
  const c = frame(W, 210, 'hourly');
  c.append(text(0, 16, `Calls received by hour of day (${d.tz})`, 'chart-title'));
  [0, 1, 2, 3, 4].forEach((p, i) => {
    const x = L + i * 62;
    c.append(svg('rect', {class: `seg p${p}`, x, y: 24, width: 10, height: 10}));
    c.append(text(x + 14, 33, prioLabel(p), 'tick'));
  });
  const max = Math.max(...hours.map((x) => x.total));
  const sy = yAxis(c, countTicks(max), L, R, B, T, String);
  const bw = (R - L) / 24;
  for (const hr of hours) {
    const x = L + hr.hour * bw;
    let base = 0;
    hr.by_priority.forEach((k, p) => {
      if (!k) return;
      const y0 = sy(base), y1 = sy(base + k);
      c.append(svg('rect', {class: `seg p${p}`, x: r2(x + bw * 0.1), y: r2(y1), width: r2(bw * 0.8), height: r2(Math.max(y0 - y1, 0.6))},
        svg('title', {}, `${String(hr.hour).padStart(2, '0')}:00: ${k} P${p} calls`)));
      base += k;
    });
    if (hr.hour % 3 === 0) c.append(text(x + bw / 2, B + 16, String(hr.hour).padStart(2, '0'), 'tick', {'text-anchor': 'middle'}));
  }
  replace(fig.chart, c);
  const hh = (x) => `${String(x).padStart(2, '0')}:00`;
  if (!d.incidents) {
    fig.summary.textContent = 'No call was received in this period.';
  } else {
    const busiest = hours.reduce((a, b) => (b.total > a.total ? b : a));
    const quiet = hours.filter((x) => x.total > 0).reduce((a, b) => (b.total < a.total ? b : a));
    const byP = [0, 1, 2, 3, 4].map((p) => hours.reduce((s, x) => s + x.by_priority[p], 0));
    const spread = busiest === quiet
      ? `all of them from ${hh(busiest.hour)} to ${hh((busiest.hour + 1) % 24)}`
      : `the busiest hour ${hh(busiest.hour)} with ${busiest.total}, the quietest with any ${hh(quiet.hour)} with ${quiet.total}`;
    fig.summary.textContent = `${d.incidents} call${d.incidents === 1 ? '' : 's'}; ${spread}. By priority: ${byP.map((k, p) => `P${p} ${k}`).join(', ')}.`;
  }
  replace(fig.tables, table(`Calls received by hour of day (${d.tz})`, ['Hour', 'P0', 'P1', 'P2', 'P3', 'P4', 'Total'],
    hours.map((x) => [hh(x.hour), ...x.by_priority.map((k) => [String(k), k]), [String(x.total), x.total]]), 'rp-table-hourly'));
}
