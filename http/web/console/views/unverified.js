// views/unverified.js — the unverified-location queue for supervisors and
// administrators (docs/console.md, "Locations kept as typed"): the
// incidents whose location the gazetteer could not verify
// (GET /api/v1/locations/unverified, oldest first), each fixed with text the
// gazetteer knows or a point picked on the map
// (POST /api/v1/locations/unverified/{incident}/fix).

import {get, post, seg} from '../api.js';
import {h, replace, clockTime} from '../dom.js';

// unverifiedPanel returns {el, refresh(), stop()}. map is the view's map
// (mapview.js), whose pointer a "Pick on the map" takes for one click.
export function unverifiedPanel(ctx, map, {onFixed = () => {}} = {}) {
  const store = ctx.store;
  const count = h('span', {class: 'count', id: 'unv-count'});
  const list = h('ul', {class: 'unverified-list', id: 'unverified-list'});
  const status = h('p', {class: 'hint', 'aria-live': 'polite', id: 'unv-status'});
  const el = h('details', {class: 'panel unverified-panel', id: 'unverified'},
    h('summary', {}, 'Locations to fix ', count),
    status, list,
    h('button', {type: 'button', class: 'ghost', onclick: () => refresh()}, 'Read the queue again'));
  let picking = null;

  function stopPicking() {
    if (!picking) return;
    picking = null;
    map.setTool(null);
  }

  async function fix(id, body, what) {
    status.textContent = `Fixing ${id}…`;
    try {
      const inc = await post(`/locations/unverified/${seg(id)}/fix`, body);
      status.textContent = `Fixed ${id}: ${inc.location?.text || what}`;
      ctx.toast?.(`Location of ${id} fixed: ${inc.location?.text || what}`);
      await store.incident(id).catch(() => {});
      onFixed(inc);
      refresh();
    } catch (e) {
      status.textContent = e.message;
      ctx.toast?.(`${id}: ${e.message}`, 'error');
    }
  }

  function row(i) {
    const k = i.id.replace(/[^a-zA-Z0-9-]/g, '');
    const text = h('input', {id: `unv-text-${k}`, autocomplete: 'off', value: i.location?.text || '',
      'aria-label': `Verified location for ${i.id}`});
    const pick = h('button', {type: 'button', class: 'ghost', id: `unv-pick-${k}`}, 'Pick on the map');
    pick.addEventListener('click', () => {
      if (picking === i.id) {
        stopPicking();
        status.textContent = '';
        return;
      }
      picking = i.id;
      status.textContent = `Click the place of ${i.id} on the map (the typed text is kept). Pick again to stop.`;
      map.setTool({up: (p) => {
        stopPicking();
        fix(i.id, {lat: Number(p.lat.toFixed(6)), lon: Number(p.lon.toFixed(6))}, 'the point picked');
      }});
    });
    return h('li', {'data-incident': i.id},
      h('p', {}, h('strong', {}, i.id), ` · ${store.typeName(i.type)} · `, h('span', {class: 'warn'}, i.location?.text || 'no text'),
        i.received ? [' · ', h('time', {datetime: i.received}, clockTime(i.received))] : null),
      h('form', {class: 'inline-form', onsubmit: (ev) => {
        ev.preventDefault();
        const t = text.value.trim();
        if (!t) {
          status.textContent = 'Type a location the gazetteer knows, or pick the place on the map.';
          text.focus();
          return;
        }
        fix(i.id, {text: t}, t);
      }}, text, h('button', {type: 'submit', class: 'ghost', id: `unv-fix-${k}`}, 'Fix'), pick));
  }

  async function refresh() {
    try {
      const r = await get('/locations/unverified');
      const items = r.incidents || [];
      count.textContent = String(items.length);
      // What is being typed survives the redraw.
      const typing = new Map([...list.querySelectorAll('[data-incident]')].map((li) => [li.dataset.incident, li.querySelector('input')]));
      const focused = document.activeElement;
      replace(list, items.length ? items.map(row) : h('li', {class: 'hint'}, 'None: every location is verified.'));
      for (const [id, was] of typing) {
        const now = [...list.querySelectorAll('[data-incident]')].find((li) => li.dataset.incident === id)?.querySelector('input');
        if (!now) continue;
        now.value = was.value;
        if (was === focused) now.focus();
      }
    } catch (e) {
      status.textContent = e.message;
    }
  }
  el.addEventListener('toggle', () => {
    if (el.open) refresh();
    else stopPicking();
  });
  refresh();
  return {el, refresh, stop: stopPicking};
}
