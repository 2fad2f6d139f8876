// maplayers.js — the map's layers beyond districts and markers
// (mapview.js): the gazetteer's streets and named places (GET
// /api/v1/streets), the directive areas in force (GET /api/v1/directives,
// kept current from the stream) and, when the server was started with
// --map-tiles, a raster tile layer beneath everything (GET
// /api/v1/map-tiles; web-mercator {z}/{x}/{y} tiles). Without --map-tiles
// nothing is fetched from any other site, and the console's
// Content-Security-Policy would refuse it anyway.

import {get, getAll} from './api.js';
import {h, svg, replace} from './dom.js';
import {may} from './lifecycle.js';

// once memoises a read for the page, forgetting a failure.
function once(path) {
  let p = null;
  return () => (p ||= get(path).catch((e) => {
    p = null;
    throw e;
  }));
}
const streetsOnce = once('/streets');
const tilesOnce = once('/map-tiles');

// Web-mercator tile arithmetic (the "slippy map" scheme: 2^z × 2^z tiles of
// 256 px, x eastward from 180° W, y southward from 85.0511° N).
const lon2x = (lon, z) => ((lon + 180) / 360) * 2 ** z;
const lat2y = (lat, z) => {
  const r = (lat * Math.PI) / 180;
  return ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z;
};
const x2lon = (x, z) => (x / 2 ** z) * 360 - 180;
const y2lat = (y, z) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;

// maxTiles bounds the tiles shown at once.
const maxTiles = 64;

const effectWords = {hold: 'Hold dispatch', clear: 'Clear units out', restrict: 'Only'};

// createLayers makes the layers for a map. m gives what they need of it:
// root (the svg), el (its box), tools (its buttons' row), project(lat,
// lon) → {x, y}, unproject(x, y) → {lat, lon}, metres(m) → map units,
// view() → {x, y, w, h} (the viewBox), districts() (the areas, once), and
// directives (false: the view draws them itself).
export function createLayers(ctx, m) {
  const tiles = svg('g', {class: 'tiles', 'aria-hidden': 'true'});
  const streets = svg('g', {class: 'streets', 'aria-hidden': 'true'});
  const directives = svg('g', {class: 'directive-areas'});
  const attribution = h('p', {class: 'map-attribution', hidden: true});
  let base = true;
  try {
    base = localStorage.getItem('tenfour.map.base') !== 'off';
  } catch {
    // no storage: shown
  }
  const baseBtn = h('button', {type: 'button', class: 'ghost', 'aria-pressed': String(base), hidden: true,
    title: 'Show or hide the base map (tiles)'}, 'Base map');
  m.el.append(attribution);
  m.tools.append(baseBtn);

  let started = false;
  let tileCfg = null;
  let list = []; // directives in force
  let described = '';
  let timers = [];
  let frame = 0;
  const me = ctx.me || {};
  // The installation's administrator sees every agency's: labelled with it.
  const installer = !me.agency && (me.roles || []).includes('admin');
  const mayDirectives = m.directives !== false && may(me, 'GET /api/v1/directives');

  async function drawStreets() {
    let d;
    try {
      d = await streetsOnce();
    } catch (e) {
      console.warn('map: streets', e.message);
      return;
    }
    const lines = [], names = [], places = [];
    for (const [i, s] of d.streets.entries()) {
      const pts = s.line.map(([la, lo]) => m.project(la, lo));
      lines.push(svg('polyline', {class: `street${s.major ? ' major' : ''}`, points: pts.map((p) => `${p.x.toFixed(2)},${p.y.toFixed(2)}`).join(' ')},
        svg('title', {}, s.name)));
      // Each name three times along its street, read along it, staggered
      // from one street to the next so that they do not line up.
      const [a, b] = [pts[0], pts[pts.length - 1]];
      const vertical = Math.abs(b.x - a.x) < Math.abs(b.y - a.y);
      for (const f of [0.1, 0.43, 0.76].map((x) => x + (i % 5) * 0.035)) {
        const x = a.x + (b.x - a.x) * f, y = a.y + (b.y - a.y) * f;
        names.push(svg('text', {class: `street-name${s.major ? ' major' : ''}`, x: x.toFixed(2), y: y.toFixed(2),
          transform: vertical ? `rotate(-90 ${x.toFixed(2)} ${y.toFixed(2)})` : null}, s.name));
      }
    }
    for (const p of d.places) {
      const q = m.project(p.lat, p.lon);
      places.push(svg('g', {class: 'place-marker', 'data-x': q.x.toFixed(3), 'data-y': q.y.toFixed(3)},
        svg('rect', {x: -5, y: -5, width: 10, height: 10, rx: 2}), svg('text', {x: 8, y: 4}, p.name), svg('title', {}, p.name)));
    }
    replace(streets, svg('g', {class: 'street-lines'}, lines), svg('g', {class: 'street-names'}, names), svg('g', {class: 'places'}, places));
    m.refresh();
  }

  // The directives: read again when one is issued, revoked, expired or
  // overridden, and when the next one in force expires.
  let asking = null;
  async function loadDirectives() {
    if (!mayDirectives) return;
    if (asking) {
      asking.again = true;
      return;
    }
    asking = {again: false};
    try {
      list = await getAll('/directives?status=IN_FORCE&limit=1000', 'directives');
      await drawDirectives();
    } catch (e) {
      console.warn('map: directives', e.message);
    } finally {
      const again = asking.again;
      asking = null;
      if (again) loadDirectives();
    }
    for (const t of timers) clearTimeout(t);
    const next = Math.min(...list.map((x) => Date.parse(x.expires)).filter((t) => t > Date.now()));
    if (Number.isFinite(next)) timers = [setTimeout(loadDirectives, Math.min(next - Date.now() + 1000, 2 ** 31 - 1))];
  }

  async function drawDirectives() {
    let areas = null;
    const shapes = [], marks = [], said = [];
    for (const d of list) {
      const sc = d.scope || {};
      const cls = `directive dir-${d.effect}`;
      const words = d.effect === 'restrict' ? `Only ${d.restrict}` : effectWords[d.effect] || d.effect;
      const tip = `${words} — ${d.reason} (${d.id}, ${d.issuer?.user || d.agency}; until ${new Date(d.expires).toLocaleString('en-GB')})`;
      let ring = null, where = '';
      if (sc.kind === 'circle' && sc.circle) {
        ring = [m.project(sc.circle.lat, sc.circle.lon), m.metres(sc.circle.radius_m)];
        where = `within ${Math.round(sc.circle.radius_m)} m of ${sc.circle.lat.toFixed(4)}, ${sc.circle.lon.toFixed(4)}`;
      } else if (sc.kind === 'incident') {
        const i = ctx.store.incidents.get(sc.incident);
        if (i?.location?.lat !== undefined) ring = [m.project(i.location.lat, i.location.lon), m.metres(150)];
        where = `at incident ${sc.incident}`;
      }
      let pts = null;
      if (sc.kind === 'polygon' && sc.polygon?.length) {
        pts = sc.polygon.map((p) => m.project(p.lat, p.lon));
        where = `in an area of ${sc.polygon.length} points`;
      } else if (sc.kind === 'district') {
        areas ||= await m.districts().catch(() => null);
        const a = areas?.districts.find((x) => x.id === sc.district);
        if (a) pts = a.boundary.map(([la, lo]) => m.project(la, lo));
        where = `in district ${sc.district}`;
      } else if (sc.kind === 'agency') {
        where = `everywhere ${d.agency} works`;
      }
      said.push(`${words.toLowerCase()} ${where} (${d.agency})`);
      let at = null;
      if (ring) {
        const [c, r] = ring;
        shapes.push(svg('circle', {class: cls, cx: c.x.toFixed(3), cy: c.y.toFixed(3), r: r.toFixed(3), 'data-directive': d.id}, svg('title', {}, tip)));
        at = {x: c.x, y: c.y - r};
      } else if (pts) {
        shapes.push(svg('path', {class: cls, 'data-directive': d.id, d: 'M' + pts.map((p) => `${p.x.toFixed(3)} ${p.y.toFixed(3)}`).join(' L') + ' Z'},
          svg('title', {}, tip)));
        at = {x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: Math.min(...pts.map((p) => p.y))};
      }
      if (at) {
        // The label keeps its size on screen (mapview scales g[data-x]).
        const label = `${words.toUpperCase()}${installer ? ` · ${d.agency}` : ''}`;
        marks.push(svg('g', {class: `directive-label dir-${d.effect}`, 'data-x': at.x.toFixed(3), 'data-y': at.y.toFixed(3), 'data-directive': d.id},
          svg('text', {x: 0, y: -6}, label), svg('title', {}, tip)));
      }
    }
    replace(directives, shapes, marks);
    described = list.length ? ` ${list.length} directive${list.length === 1 ? '' : 's'} in force: ${said.join('; ')}.` : '';
    m.refresh();
    m.describe();
  }

  async function startTiles() {
    try {
      tileCfg = await tilesOnce();
    } catch {
      tileCfg = null;
    }
    if (!tileCfg?.url) return;
    baseBtn.hidden = false;
    attribution.textContent = tileCfg.attribution || '';
    attribution.hidden = !tileCfg.attribution || !base;
    drawTiles();
  }

  baseBtn.addEventListener('click', () => {
    base = !base;
    baseBtn.setAttribute('aria-pressed', String(base));
    attribution.hidden = !tileCfg?.attribution || !base;
    try {
      localStorage.setItem('tenfour.map.base', base ? 'on' : 'off');
    } catch {
      // the choice lasts this page only
    }
    drawTiles();
  });

  // drawTiles puts the tiles that cover the visible part of the map, at
  // the zoom whose pixels are nearest the screen's, keeping those already
  // there.
  function drawTiles() {
    m.root.classList.toggle('with-tiles', !!(tileCfg?.url && base));
    if (!tileCfg?.url || !base || !started) {
      tiles.replaceChildren();
      return;
    }
    const v = m.view();
    const cw = m.root.clientWidth || 800, ch = m.root.clientHeight || 600;
    const s = Math.max(v.w / cw, v.h / ch);
    const x0 = v.x - (cw * s - v.w) / 2, y0 = v.y - (ch * s - v.h) / 2;
    const nw = m.unproject(x0, y0), se = m.unproject(x0 + cw * s, y0 + ch * s);
    let z = Math.round(Math.log2((360 * cw) / (256 * (se.lon - nw.lon))));
    z = Math.min(Math.max(z, 0), tileCfg.max_zoom || 19);
    let xs, ys;
    for (;;) {
      const n = 2 ** z;
      const clamp = (t) => Math.min(Math.max(Math.floor(t), 0), n - 1);
      xs = [clamp(lon2x(nw.lon, z)), clamp(lon2x(se.lon, z))];
      ys = [clamp(lat2y(nw.lat, z)), clamp(lat2y(se.lat, z))];
      if ((xs[1] - xs[0] + 1) * (ys[1] - ys[0] + 1) <= maxTiles || z === 0) break;
      z--;
    }
    const want = new Map();
    for (let x = xs[0]; x <= xs[1]; x++) {
      for (let y = ys[0]; y <= ys[1]; y++) want.set(`${z}/${x}/${y}`, [x, y]);
    }
    for (const img of [...tiles.children]) {
      if (!want.has(img.dataset.tile)) img.remove();
      else want.delete(img.dataset.tile);
    }
    for (const [key, [x, y]] of want) {
      const a = m.project(y2lat(y, z), x2lon(x, z)), b = m.project(y2lat(y + 1, z), x2lon(x + 1, z));
      const url = tileCfg.url.replace('{z}', z).replace('{x}', x).replace('{y}', y).replace('{s}', 'abc'[(x + y) % 3]);
      // A hair of overlap hides the seams between tiles.
      const pad = (b.x - a.x) * 0.004;
      const img = svg('image', {class: 'tile', 'data-tile': key, x: (a.x - pad).toFixed(4), y: (a.y - pad).toFixed(4),
        width: (b.x - a.x + 2 * pad).toFixed(4), height: (b.y - a.y + 2 * pad).toFixed(4), preserveAspectRatio: 'none'});
      img.addEventListener('load', () => img.classList.add('loaded'), {once: true});
      img.addEventListener('error', () => img.classList.add('failed'), {once: true});
      img.setAttribute('href', url);
      tiles.append(img);
    }
  }

  const unwatch = mayDirectives && ctx.store.watch
    ? ctx.store.watch((ev) => {
      if (ev.data?.type?.startsWith('directive.')) loadDirectives();
    })
    : null;
  // Without the stream's events (an older store), the directives are read
  // again every half minute.
  const poll = mayDirectives && !unwatch ? setInterval(loadDirectives, 30_000) : null;
  const unsubscribe = ctx.store.subscribe((c) => {
    // A directive on an incident follows the incident's point.
    if (c.has('incidents') && list.some((d) => d.scope?.kind === 'incident')) drawDirectives();
  });

  return {
    tiles, streets, directives,
    // start draws the layers once the map's projection is set.
    start() {
      started = true;
      drawStreets();
      loadDirectives();
      startTiles();
    },
    // view follows a change of the map's view (pan, zoom, resize).
    view() {
      if (!tileCfg?.url || frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        drawTiles();
      });
    },
    // summary says what the layers show, for the map's description.
    summary: () => described,
    destroy() {
      unwatch?.();
      unsubscribe();
      clearInterval(poll);
      for (const t of timers) clearTimeout(t);
      cancelAnimationFrame(frame);
    },
  };
}
