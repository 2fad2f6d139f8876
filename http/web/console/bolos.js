// bolos.js — the BOLOs (be on the lookout) on the unit's screen
// (docs/console.md, "BOLOs"): those of the agency in force whose area takes
// in the unit's last known position, highest priority first, with their
// photos. Read from GET /api/v1/bolos?unit=ID when the unit is chosen, when
// a BOLO is issued or cancelled (bolo.* on the stream), and every minute,
// as the unit moves and BOLOs expire. The list is paged, newest issued
// first (docs/api.md, "History lists"): the panel reads the first page and
// older ones on demand ("Older…"), and shows what it read by priority.

import {get, seg} from './api.js';
import {h, replace, clockTime} from './dom.js';

const every = 60_000;

// until says when a BOLO expires: the time today, else the date too.
function until(t) {
  const d = new Date(t);
  return d.toDateString() === new Date().toDateString() ? clockTime(t) : `${d.toLocaleDateString()} ${clockTime(t)}`;
}

// byPriority orders BOLOs highest priority (1) first, then newest issued.
export function byPriority(a, b) {
  return a.priority - b.priority || Date.parse(b.issued) - Date.parse(a.issued) || (a.id < b.id ? 1 : -1);
}

// unitBOLOs returns the panel: {el, setUnit(id), stop()}.
export function unitBOLOs(ctx) {
  let unit = null, tick = null, reload = null;
  let bolos = [], next = '', pages = 1; // read so far; the next page; how many pages read
  const list = h('ul', {class: 'bolo-list', id: 'unit-bolos'});
  const older = h('button', {type: 'button', class: 'ghost small bolo-older', id: 'unit-bolos-older', hidden: true, onclick: more}, 'Older…');
  const el = h('section', {class: 'bolos-panel', 'aria-labelledby': 'bolo-title', hidden: true},
    h('h2', {id: 'bolo-title'}, 'Be on the lookout'), list, older);

  // load reads the BOLOs again: as many pages as were read so far.
  async function load() {
    const u = unit;
    if (!u) return;
    try {
      let r = await get(`/bolos?unit=${seg(u)}`), all = r.bolos;
      for (let n = 1; n < pages && r.next; n++) {
        r = await get(r.next);
        all = all.concat(r.bolos);
      }
      if (u !== unit) return;
      bolos = all;
      next = r.next || '';
      render();
    } catch {
      // kept as it was; the next tick tries again
    }
  }
  // more reads the next page.
  async function more() {
    const u = unit, from = next;
    if (!from) return;
    older.disabled = true;
    try {
      const r = await get(from);
      if (u !== unit || from !== next) return;
      const have = new Set(bolos.map((b) => b.id));
      bolos = bolos.concat(r.bolos.filter((b) => !have.has(b.id)));
      next = r.next || '';
      pages++;
      render();
    } catch (e) {
      ctx.toast?.(`Older BOLOs not read: ${e.message}`, 'error');
    } finally {
      older.disabled = false;
    }
  }
  function render() {
    el.hidden = bolos.length === 0;
    older.hidden = !next;
    replace(list, [...bolos].sort(byPriority).map((b) => h('li', {class: `bolo p${b.priority}`, 'data-id': b.id},
      h('p', {class: 'bolo-head'}, h('strong', {}, b.kind === 'vehicle' ? 'Vehicle' : 'Person'),
        b.plate ? [' · plate ', h('span', {class: 'plate'}, b.plate)] : null,
        ` · P${b.priority} · until ${until(b.expires)}`),
      h('p', {class: 'bolo-desc'}, b.description || ''),
      b.photos.length ? h('p', {class: 'bolo-photos'}, b.photos.map((p) =>
        h('img', {src: `/api/v1/photos/${p}`, alt: `Photo for BOLO ${b.id}`, loading: 'lazy'}))) : null)));
  }
  const unwatch = ctx.store.watch((e) => {
    if (!e.type.startsWith('bolo.')) return;
    clearTimeout(reload);
    reload = setTimeout(load, 100);
  });
  function setUnit(id) {
    if (id === unit) return;
    unit = id;
    clearInterval(tick);
    el.hidden = true;
    bolos = [];
    next = '';
    pages = 1;
    older.hidden = true;
    replace(list);
    if (!id) return;
    load();
    tick = setInterval(load, every);
  }
  return {el, setUnit, stop: () => {
    unwatch();
    clearInterval(tick);
    clearTimeout(reload);
  }};
}
