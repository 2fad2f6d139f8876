// views/history.js — closed incidents (docs/console.md, "History"): the
// console holds open work only, and a closed incident leaves the server's
// memory for its archive a day after it closed; this view searches both
// (GET /api/v1/incidents?status=closed) by the dates received, an address,
// a type and a unit, newest first, a page at a time: "Older" follows the
// list's Link header. Picking one shows it whole — the caller and narrative
// are read then, as on the board, and that read is recorded — with the
// priors at its place, the archived ones among them.

import {get, seg} from '../api.js';
import {h, replace} from '../dom.js';
import * as keys from '../keys.js';
import {may} from '../lifecycle.js';

// pageSize is how many incidents a page holds: a screenful or two.
export const pageSize = 50;

// dayStart returns the ISO time of local midnight of the date input's
// value ('YYYY-MM-DD'), plus days; '' for no date.
function dayStart(value, days = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || '');
  if (!m) return '';
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days).toISOString();
}

// when formats a time as the local date and wall clock.
function when(t) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString('en-GB', {year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit'});
}

export function mount(root, ctx) {
  const me = ctx.me;
  const types = ctx.store.types || [];
  const fromIn = h('input', {type: 'date', id: 'hs-from'});
  const toIn = h('input', {type: 'date', id: 'hs-to'});
  const addrIn = h('input', {id: 'hs-address', autocomplete: 'off', spellcheck: 'false', placeholder: '2400 S Western Ave'});
  const typeSel = h('select', {id: 'hs-type'}, h('option', {value: ''}, 'Any type'),
    types.map((t) => h('option', {value: t.code}, `${t.name} (${t.code})`)));
  const unitIn = h('input', {id: 'hs-unit', autocomplete: 'off', spellcheck: 'false', placeholder: 'metro.1a12'});
  const search = h('button', {type: 'submit', id: 'hs-search', class: 'primary'}, 'Search');
  const status = h('p', {class: 'hs-status', id: 'hs-status', role: 'status'});
  const rows = h('tbody', {id: 'hs-rows'});
  const older = h('button', {type: 'button', id: 'hs-older', class: 'ghost', hidden: true, 'aria-keyshortcuts': 'o'}, 'Older incidents');
  const detail = h('section', {class: 'hs-detail', id: 'hs-detail', 'aria-live': 'polite', hidden: true});
  const field = (label, input) => h('label', {class: 'hs-field'}, h('span', {}, label), input);
  const form = h('form', {class: 'hs-form', id: 'hs-form', 'aria-labelledby': 'hs-title'},
    field('Received from', fromIn), field('to', toIn), field('Address', addrIn), field('Type', typeSel), field('Unit', unitIn), search);

  const view = h('section', {class: 'panel history', 'aria-labelledby': 'hs-title'},
    h('header', {class: 'hs-head'}, h('h1', {id: 'hs-title'}, 'History'),
      h('p', {class: 'hint'}, 'Closed incidents, newest first, from the archive as from today\'s.')),
    form, status,
    h('div', {class: 'hs-body'},
      h('div', {class: 'hs-list'},
        h('table', {class: 'hs-table', id: 'hs-table'},
          h('thead', {}, h('tr', {}, ['Received', 'Incident', 'Type', 'Location', 'Units', 'Disposition'].map((c) => h('th', {scope: 'col'}, c)))),
          rows),
        older),
      detail));
  replace(root, view);

  let next = '';
  let shown = 0;
  let asking = 0; // the search a page answers: a newer search drops older answers

  function query() {
    const q = new URLSearchParams({status: 'closed', limit: String(pageSize)});
    const from = dayStart(fromIn.value), to = dayStart(toIn.value, 1);
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    if (addrIn.value.trim()) q.set('address', addrIn.value.trim());
    if (typeSel.value) q.set('type', typeSel.value);
    if (unitIn.value.trim()) q.set('unit', unitIn.value.trim().toLowerCase());
    return '/incidents?' + q;
  }

  function row(i) {
    return h('tr', {class: `prio-${i.priority}`, dataset: {id: i.id}, tabindex: '0', onclick: () => open(i.id),
      onkeydown: (e) => { if (e.key === 'Enter') open(i.id); }},
    h('td', {class: 'hs-when'}, h('time', {datetime: i.received}, when(i.received))),
    h('td', {class: 'hs-id'}, i.id),
    h('td', {}, i.type),
    h('td', {}, i.location?.text || (i.location?.lat != null ? `${i.location.lat.toFixed(5)}, ${i.location.lon.toFixed(5)}` : '')),
    h('td', {class: 'hs-units'}, (i.units || []).join(' ')),
    h('td', {}, i.disposition || ''));
  }

  async function page(path, fresh) {
    const mine = fresh ? ++asking : asking;
    status.classList.remove('error');
    status.textContent = 'Searching…';
    search.disabled = older.disabled = true;
    try {
      const p = await get(path);
      if (mine !== asking) return;
      if (fresh) {
        replace(rows);
        shown = 0;
        detail.hidden = true;
      }
      for (const i of p.incidents || []) rows.append(row(i));
      shown += (p.incidents || []).length;
      next = p.next || '';
      older.hidden = !next;
      status.textContent = shown === 0 ? 'No closed incident matches.'
        : `${shown} closed incident${shown === 1 ? '' : 's'}${next ? ', and older ones' : ', all there are'}.`;
    } catch (e) {
      if (mine !== asking) return;
      status.classList.add('error');
      status.textContent = e.message;
    } finally {
      if (mine === asking) search.disabled = older.disabled = false;
    }
  }

  async function open(id) {
    for (const tr of rows.children) tr.setAttribute('aria-selected', tr.dataset.id === id ? 'true' : 'false');
    detail.hidden = false;
    replace(detail, h('p', {class: 'hint'}, `Reading ${id}…`));
    try {
      const [i, pr] = await Promise.all([
        get('/incidents/' + seg(id)),
        get(`/incidents/${seg(id)}/priors?radius_m=100&days=365`).catch(() => null),
      ]);
      const times = ['received', 'dispatched', 'on_scene', 'cleared'].filter((k) => i[k]);
      replace(detail,
        h('h2', {}, `${i.id} · ${i.type}`),
        h('p', {}, i.location?.text || ''),
        h('dl', {class: 'hs-times'}, times.map((k) => [h('dt', {}, k.replace('_', ' ')), h('dd', {}, when(i[k]))])),
        i.caller?.name || i.caller?.phone ? h('p', {}, `Caller: ${[i.caller.name, i.caller.phone].filter(Boolean).join(', ')}`) : null,
        i.narrative ? h('p', {class: 'hs-narrative'}, i.narrative) : null,
        (i.notes || []).length ? h('ul', {class: 'hs-notes'}, i.notes.map((n) => h('li', {}, `${when(n.time)} ${n.author}: ${n.text}`))) : null,
        h('p', {}, `Disposition: ${i.disposition || '—'} · units ${(i.units || []).join(', ') || 'none'}`),
        may(me, 'GET /api/v1/incidents/{id}/bundle') ? h('p', {}, h('a', {href: `/console/audit?incident=${seg(i.id)}`}, 'Its timeline, verified')) : null,
        h('h3', {}, 'Priors: within 100 metres or at this address, a year back'),
        pr && pr.priors.length ? h('ul', {class: 'hs-priors', id: 'hs-priors'}, pr.priors.map((p) =>
          h('li', {}, `${when(p.received)} · ${p.incident} · ${p.type} · ${p.status}${p.disposition ? ' · ' + p.disposition : ''}`)))
          : h('p', {class: 'hint', id: 'hs-priors'}, pr ? 'None.' : 'The priors cannot be read.'));
    } catch (e) {
      replace(detail, h('p', {class: 'error'}, e.message));
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    page(query(), true);
  });
  older.addEventListener('click', () => next && page(next, false));
  keys.setView('History', [
    {key: '/', label: 'Go to the address field', run: () => addrIn.focus()},
    {key: 'o', label: 'Show older incidents', run: () => older.click(), when: () => !older.hidden},
  ]);
  page(query(), true);
  return () => {
    asking++;
  };
}
