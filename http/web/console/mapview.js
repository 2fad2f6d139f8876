// mapview.js — the map as SVG: districts and beats (GET /api/v1/districts),
// units coloured by status at their last AVL position, open incidents by
// priority. Pan by dragging or the arrow keys, zoom with the wheel or + and
// -, 0 to fit. Positions come from the stream (sampled positions, status
// changes) and from GET /api/v1/units/positions every few seconds, since a
// unit reports its position more often than the log records it.

import {get} from './api.js';
import {h, svg, replace} from './dom.js';
import {statusLabel, statuses} from './lifecycle.js';
import {createLayers} from './maplayers.js';

let districtsOnce = null;
// districts reads the districts and beats once per page.
export function districts() {
  districtsOnce ||= get('/districts').catch((e) => {
    districtsOnce = null;
    throw e;
  });
  return districtsOnce;
}

// The projection: equirectangular about the area's middle, 1000 units a
// degree of latitude; y grows southward as on screen.
const K = 1000;
// metresPerDegree is a degree of latitude on the mean Earth (radius
// 6,371,008.8 m), as dispatch measures distances.
const metresPerDegree = 6371008.8 * Math.PI / 180;

// createMap makes a map. directives: false leaves the directive areas to
// the view (maplayers.js draws them otherwise).
export function createMap(ctx, {onSelectIncident, selected, compact = false, directives = true} = {}) {
  const store = ctx.store;
  let lat0 = 41.82, cos0 = Math.cos(lat0 * Math.PI / 180), lon0 = -87.7;
  const px = (lon) => (lon - lon0) * cos0 * K;
  const py = (lat) => -(lat - lat0) * K;
  let home = {x: -40, y: -40, w: 80, h: 80};
  let vb = {...home};

  const areas = svg('g', {class: 'areas'});
  const labels = svg('g', {class: 'area-labels', 'aria-hidden': 'true'});
  const incidents = svg('g', {class: 'incidents'});
  const units = svg('g', {class: 'units'});
  // overlays is a view's own layer, under the markers (directive areas).
  const overlays = svg('g', {class: 'overlays'});
  // tool, when a view sets one, takes the pointer instead of panning: its
  // down, move and up get the point under the pointer ({x, y, lat, lon})
  // and the pointer event.
  let tool = null;
  const summaryId = 'map-summary-' + Math.random().toString(36).slice(2, 8);
  const root = svg('svg', {class: 'map', tabindex: '0', role: 'group',
    'aria-label': 'Map. Arrow keys pan, plus and minus zoom, 0 fits the whole area.',
    'aria-describedby': summaryId, preserveAspectRatio: 'xMidYMid meet'}, areas, labels, overlays, incidents, units);
  const summary = h('p', {class: 'sr-only', id: summaryId});
  const legend = h('ul', {class: 'legend', 'aria-label': 'Map legend'},
    statuses.map((s) => h('li', {}, h('span', {class: `swatch st-${s.id}`, 'aria-hidden': 'true'}), s.label)),
    [0, 1, 2, 3, 4].map((p) => h('li', {}, h('span', {class: `swatch inc p${p}`, 'aria-hidden': 'true'}), `P${p}`)));
  const zoomIn = h('button', {type: 'button', class: 'ghost', 'aria-label': 'Zoom in'}, '+');
  const zoomOut = h('button', {type: 'button', class: 'ghost', 'aria-label': 'Zoom out'}, '−');
  const fit = h('button', {type: 'button', class: 'ghost'}, 'Fit');
  const tools = h('div', {class: 'map-tools'}, zoomIn, zoomOut, fit);
  const el = h('div', {class: `mapbox${compact ? ' compact' : ''}`}, root, tools, compact ? null : legend, summary);
  // The streets, the directive areas and the tiles (maplayers.js): tiles
  // and streets beneath the districts, directive areas above them.
  const layers = createLayers(ctx, {root, el, tools, directives, districts,
    project: (lat, lon) => ({x: px(lon), y: py(lat)}), unproject: (x, y) => unproject(x, y),
    metres: (m) => m / metresPerDegree * K, view: () => vb, refresh: () => applyView(), describe: () => update()});
  root.prepend(layers.tiles, layers.streets);
  overlays.before(layers.directives);

  function applyView() {
    root.setAttribute('viewBox', `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
    // Markers keep their size on screen whatever the zoom.
    // With xMidYMid meet, the box is scaled by the larger of its ratios.
    const s = Math.max(vb.w / Math.max(root.clientWidth || 800, 1), vb.h / Math.max(root.clientHeight || 600, 1));
    for (const g of root.querySelectorAll('g[data-x]')) {
      g.setAttribute('transform', `translate(${g.dataset.x} ${g.dataset.y}) scale(${s})`);
    }
    root.classList.toggle('zoomed', vb.w < home.w / 1.4);
    root.classList.toggle('streets-named', vb.w < home.w / 3);
    layers.view();
  }

  function zoom(f, cx = vb.x + vb.w / 2, cy = vb.y + vb.h / 2) {
    const w = Math.min(Math.max(vb.w * f, home.w / 40), home.w * 3);
    const k = w / vb.w;
    vb = {x: cx - (cx - vb.x) * k, y: cy - (cy - vb.y) * k, w, h: vb.h * k};
    applyView();
  }

  function pan(dx, dy) {
    vb.x += dx * vb.w;
    vb.y += dy * vb.h;
    applyView();
  }

  zoomIn.addEventListener('click', () => zoom(1 / 1.5));
  zoomOut.addEventListener('click', () => zoom(1.5));
  fit.addEventListener('click', () => { vb = {...home}; applyView(); });
  root.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const p = toMap(ev);
    zoom(ev.deltaY > 0 ? 1.2 : 1 / 1.2, p.x, p.y);
  }, {passive: false});
  root.addEventListener('keydown', (ev) => {
    const k = ev.key;
    const steps = {ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1]};
    if (steps[k]) pan(...steps[k]);
    else if (k === '+' || k === '=') zoom(1 / 1.5);
    else if (k === '-' || k === '_') zoom(1.5);
    else if (k === '0') { vb = {...home}; applyView(); }
    else return;
    ev.preventDefault();
    ev.stopPropagation();
  });
  let drag = null;
  root.addEventListener('pointerdown', (ev) => {
    if (tool && ev.button === 0) {
      drag = {tool: true};
      root.setPointerCapture(ev.pointerId);
      tool.down?.(pointAt(ev), ev);
      return;
    }
    if (ev.button !== 0 || ev.target.closest('.inc-marker')) return;
    drag = {x: ev.clientX, y: ev.clientY, vb: {...vb}, moved: false};
    root.setPointerCapture(ev.pointerId);
  });
  root.addEventListener('pointermove', (ev) => {
    if (drag?.tool) {
      tool?.move?.(pointAt(ev), ev);
      return;
    }
    if (!drag) return;
    const s = Math.max(vb.w / root.clientWidth, vb.h / root.clientHeight);
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    vb.x = drag.vb.x - dx * s;
    vb.y = drag.vb.y - dy * s;
    applyView();
  });
  const endDrag = (ev) => {
    if (drag?.tool && ev.type === 'pointerup') tool?.up?.(pointAt(ev), ev);
    drag = null;
  };
  root.addEventListener('pointerup', endDrag);
  root.addEventListener('pointercancel', endDrag);

  function toMap(ev) {
    const r = root.getBoundingClientRect();
    // With xMidYMid meet the box is scaled by the smaller ratio and centred.
    const s = Math.max(vb.w / r.width, vb.h / r.height);
    const ox = (r.width * s - vb.w) / 2, oy = (r.height * s - vb.h) / 2;
    return {x: vb.x - ox + (ev.clientX - r.left) * s, y: vb.y - oy + (ev.clientY - r.top) * s};
  }

  const unproject = (x, y) => ({lat: lat0 - y / K, lon: lon0 + x / (cos0 * K)});
  function pointAt(ev) {
    const p = toMap(ev);
    return {...p, ...unproject(p.x, p.y)};
  }

  const poly = (b) => b.map(([la, lo]) => `${px(lo).toFixed(2)},${py(la).toFixed(2)}`).join(' ');

  async function drawAreas() {
    try {
      const d = await districts();
      const all = d.districts.flatMap((a) => a.boundary);
      const lats = all.map((p) => p[0]), lons = all.map((p) => p[1]);
      lat0 = (Math.min(...lats) + Math.max(...lats)) / 2;
      lon0 = (Math.min(...lons) + Math.max(...lons)) / 2;
      cos0 = Math.cos(lat0 * Math.PI / 180);
      const xs = lons.map(px), ys = lats.map(py);
      const pad = 2;
      home = {x: Math.min(...xs) - pad, y: Math.min(...ys) - pad,
        w: Math.max(...xs) - Math.min(...xs) + 2 * pad, h: Math.max(...ys) - Math.min(...ys) + 2 * pad};
      vb = {...home};
      replace(areas,
        d.beats.map((b) => svg('polygon', {class: 'beat', points: poly(b.boundary)}, svg('title', {}, b.name))),
        d.districts.map((a) => svg('polygon', {class: 'district', points: poly(a.boundary)}, svg('title', {}, a.name))));
      replace(labels, d.districts.map((a) => {
        const cx = a.boundary.reduce((s, p) => s + px(p[1]), 0) / a.boundary.length;
        const cy = a.boundary.reduce((s, p) => s + py(p[0]), 0) / a.boundary.length;
        return svg('text', {x: cx.toFixed(2), y: cy.toFixed(2), class: 'district-label'}, a.id);
      }));
    } catch (e) {
      replace(labels, svg('text', {x: 0, y: 0, class: 'district-label'}, 'districts unavailable'));
      console.warn('map: districts', e.message);
    }
    update();
  }

  function marker(x, y, cls, shape, title, attrs = {}) {
    return svg('g', {class: cls, 'data-x': x.toFixed(3), 'data-y': y.toFixed(3), ...attrs}, shape, svg('title', {}, title));
  }

  function update() {
    const sel = selected?.();
    const open = [...store.incidents.values()].filter((i) => i.status !== 'CLOSED' && i.location?.lat !== undefined);
    replace(incidents, open.sort((a, b) => b.priority - a.priority).map((i) =>
      marker(px(i.location.lon), py(i.location.lat), `inc-marker p${i.priority}${i.id === sel ? ' selected' : ''}`,
        svg('rect', {x: -7, y: -7, width: 14, height: 14, transform: 'rotate(45)'}),
        `${i.id} P${i.priority} ${store.typeName(i.type)} — ${i.location.text || ''}`,
        {'data-incident': i.id})));
    let shown = 0;
    const us = [];
    for (const u of store.units.values()) {
      const p = store.positions.get(u.id);
      if (!p) continue;
      shown++;
      const onSel = sel && u.incident === sel;
      us.push(marker(px(p.lon), py(p.lat), `unit-marker st-${u.status}${onSel ? ' selected' : ''}`,
        [svg('circle', {r: u.status === 'EMERGENCY' ? 9 : 6}), svg('text', {x: 8, y: 4, class: 'unit-label'}, u.call_sign)],
        `${u.call_sign} ${statusLabel(u.status)}`));
    }
    // Emergencies drawn last, on top.
    us.sort((a, b) => a.classList.contains('st-EMERGENCY') - b.classList.contains('st-EMERGENCY'));
    replace(units, us);
    summary.textContent = `${shown} of ${store.units.size} units have a known position; ${open.length} open incidents are on the map.${layers.summary()}`;
    applyView();
  }

  incidents.addEventListener('click', (ev) => {
    const g = ev.target.closest('[data-incident]');
    if (g && onSelectIncident) onSelectIncident(g.dataset.incident);
  });

  const unsubscribe = store.subscribe((c) => {
    if (c.has('units') || c.has('positions') || c.has('incidents')) update();
  });
  const poll = async () => {
    if (!store.may('GET /api/v1/units/positions') || document.hidden) return;
    try {
      const r = await get('/units/positions');
      for (const p of r.positions) store.position(p);
    } catch {
      // The live indicator tells when the server is out of reach.
    }
  };
  const timer = setInterval(poll, 10_000);
  const resize = new ResizeObserver(() => applyView());
  resize.observe(root);
  const ready = drawAreas();
  ready.then(() => layers.start());

  return {
    el,
    update,
    focus: () => root.focus(),
    // For views that draw on the map (views/supervise.js): ready settles
    // once the districts set the projection; project and unproject go
    // between latitude and longitude and the map's units, metres gives a
    // length in them; layer is the view's own SVG group; setTool gives the
    // pointer to a drawing tool (null: back to panning).
    ready,
    project: (lat, lon) => ({x: px(lon), y: py(lat)}),
    unproject,
    metres: (m) => m / metresPerDegree * K,
    layer: overlays,
    refresh: () => applyView(),
    setTool(t) {
      tool = t;
      root.classList.toggle('drawing', !!t);
    },
    // show brings a point into view, keeping the zoom: the view moves
    // only when the point is outside it.
    show(lat, lon) {
      const x = px(lon), y = py(lat);
      const mx = vb.w * 0.1, my = vb.h * 0.1;
      if (x > vb.x + mx && x < vb.x + vb.w - mx && y > vb.y + my && y < vb.y + vb.h - my) return;
      vb.x = x - vb.w / 2;
      vb.y = y - vb.h / 2;
      applyView();
    },
    destroy() {
      unsubscribe();
      clearInterval(timer);
      resize.disconnect();
      layers.destroy();
    },
  };
}
