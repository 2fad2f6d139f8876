// charts.js — small SVG charts drawn by hand: box plots, bars, stacked bars
// and a histogram, each with its axis. No library: a chart is a few dozen
// SVG elements, built with dom.js's svg like the rest of the console, and
// coloured from the theme's variables by console classes (reports.css).
//
// Each chart is drawn in a fixed coordinate box (viewBox) that scales to the
// width of its figure; its figure carries a text summary and a table with
// the same numbers, for screen readers and for anyone who would rather read.

import {svg} from './dom.js';

// fmtDur formats a duration in seconds as a report shows it: "4.2 s" under
// ten seconds, "42 s" under a minute, "1:35" under an hour, "1:02:05" past
// it. (cmd/tenfour's console_reports_test.go reads tables the same way.)
export function fmtDur(s) {
  if (s === null || s === undefined) return '–';
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const t = Math.floor(s);
  const hh = Math.floor(t / 3600), mm = Math.floor((t % 3600) / 60), ss = t % 60;
  const p = (n) => String(n).padStart(2, '0');
  return hh > 0 ? `${hh}:${p(mm)}:${p(ss)}` : `${mm}:${p(ss)}`;
}

// fmtTick formats a time axis's tick (whole seconds): "0", "30 s", "1:30".
export function fmtTick(s) {
  if (s === 0) return '0';
  return s < 60 ? `${s} s` : fmtDur(s);
}

// fmtPct formats a share (0–1) as a percentage with one decimal.
export function fmtPct(share) {
  if (share === null || share === undefined) return '–';
  return `${(share * 100).toFixed(1)}%`;
}

// durationSteps are the tick steps of a time axis, in seconds.
const durationSteps = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 14400, 28800, 86400];

// timeTicks returns the ticks of a time axis from 0 to at least max: at most
// about six, at a nice step; the last tick is the axis's end.
export function timeTicks(max) {
  const top = Math.max(max, 1);
  const step = durationSteps.find((s) => top / s <= 6) || durationSteps[durationSteps.length - 1];
  const ticks = [];
  for (let v = 0; v < top + step; v += step) {
    ticks.push(v);
    if (v >= top) break;
  }
  return ticks;
}

// countTicks returns the ticks of a count axis from 0 to at least max.
export function countTicks(max) {
  const top = Math.max(max, 1);
  const raw = top / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw && Number.isInteger(s)) || Math.max(1, Math.ceil(raw));
  const ticks = [];
  for (let v = 0; ; v += step) {
    ticks.push(v);
    if (v >= top) break;
  }
  return ticks;
}

// frame makes a chart's svg of width × height (user units).
export function frame(width, height, cls) {
  return svg('svg', {class: `chart ${cls || ''}`, viewBox: `0 0 ${width} ${height}`, width: '100%',
    preserveAspectRatio: 'xMinYMin meet', 'aria-hidden': 'true', focusable: 'false'});
}

// text makes an SVG text element.
export function text(x, y, s, cls = '', attrs = {}) {
  return svg('text', {x: r2(x), y: r2(y), class: cls, ...attrs}, s);
}

export const r2 = (v) => Math.round(v * 100) / 100;

// xAxis draws a horizontal axis at y from x0 to x1 for ticks (values from
// 0 to the last tick), labelled by fmt; it returns the scale function.
export function xAxis(g, ticks, x0, x1, y, fmt, {grid = 0} = {}) {
  const top = ticks[ticks.length - 1] || 1;
  const sx = (v) => x0 + (Math.min(v, top) / top) * (x1 - x0);
  g.append(svg('line', {class: 'axis', x1: x0, x2: x1, y1: y, y2: y}));
  for (const t of ticks) {
    const x = r2(sx(t));
    if (grid) g.append(svg('line', {class: 'grid', x1: x, x2: x, y1: y - grid, y2: y}));
    g.append(svg('line', {class: 'axis', x1: x, x2: x, y1: y, y2: y + 4}));
    g.append(text(x, y + 16, fmt(t), 'tick', {'text-anchor': 'middle'}));
  }
  return sx;
}

// yAxis draws a vertical axis at x from y0 (bottom) to y1 (top), with grid
// lines across to xEnd; it returns the scale function.
export function yAxis(g, ticks, x, xEnd, y0, y1, fmt) {
  const top = ticks[ticks.length - 1] || 1;
  const sy = (v) => y0 - (Math.min(v, top) / top) * (y0 - y1);
  for (const t of ticks) {
    const y = r2(sy(t));
    g.append(svg('line', {class: t === 0 ? 'axis' : 'grid', x1: x, x2: xEnd, y1: y, y2: y}));
    g.append(text(x - 6, y + 4, fmt(t), 'tick', {'text-anchor': 'end'}));
  }
  return sy;
}
