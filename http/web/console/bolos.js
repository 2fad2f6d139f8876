// bolos.js — the BOLOs (be on the lookout) on the unit's screen
// (docs/console.md, "BOLOs"): those of the agency in force whose area takes
// in the unit's last known position, highest priority first, with their
// photos. Read from GET /api/v1/bolos?unit=ID when the unit is chosen, when
// a BOLO is issued or cancelled (bolo.* on the stream), and every minute,
// as the unit moves and BOLOs expire.

import {get, seg} from './api.js';
import {h, replace, clockTime} from './dom.js';

const every = 60_000;

// until says when a BOLO expires: the time today, else the date too.
function until(t) {
  const d = new Date(t);
  return d.toDateString() === new Date().toDateString() ? clockTime(t) : `${d.toLocaleDateString()} ${clockTime(t)}`;
}

// unitBOLOs returns the panel: {el, setUnit(id), stop()}.
export function unitBOLOs(ctx) {
  let unit = null, tick = null, reload = null;
  const list = h('ul', {class: 'bolo-list', id: 'unit-bolos'});
  const el = h('section', {class: 'bolos-panel', 'aria-labelledby': 'bolo-title', hidden: true},
    h('h2', {id: 'bolo-title'}, 'Be on the lookout'), list);

  async function load() {
    const u = unit;
    if (!u) return;
    try {
      const r = await get(`/bolos?unit=${seg(u)}`);
      if (u !== unit) return;
      el.hidden = r.bolos.length === 0;
      replace(list, r.bolos.map((b) => h('li', {class: `bolo p${b.priority}`, 'data-id': b.id},
        h('p', {class: 'bolo-head'}, h('strong', {}, b.kind === 'vehicle' ? 'Vehicle' : 'Person'),
          b.plate ? [' · plate ', h('span', {class: 'plate'}, b.plate)] : null,
          ` · P${b.priority} · until ${until(b.expires)}`),
        h('p', {class: 'bolo-desc'}, b.description || ''),
        b.photos.length ? h('p', {class: 'bolo-photos'}, b.photos.map((p) =>
          h('img', {src: `/api/v1/photos/${p}`, alt: `Photo for BOLO ${b.id}`, loading: 'lazy'}))) : null)));
    } catch {
      // kept as it was; the next tick tries again
    }
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
