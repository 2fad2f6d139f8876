// views/supervise/accept.js — accepting an assistance request: the form
// that picks the units to send, the nearest first, and asks for a
// supervisor's override where a directive keeps them out — which units,
// and whether this user may override, as the server says.

import {get, post, seg} from '../../api.js';
import {h, replace} from '../../dom.js';
import {distanceM, km} from '../../circlepick.js';
import {unitName} from '../../assistalerts.js';

// acceptForm picks the units to send: the agency's AVAILABLE units, the
// nearest to the request first; those a directive keeps out need a
// supervisor's override with a reason. Which ones a directive keeps out,
// and whether this user may override, the server says
// (GET /api/v1/requests/{id}/blocked): read when the form opens and
// again when a directive or a unit's make-up changes (reread).
export function acceptForm(sv, id) {
  const {store, me, agencyName, requests} = sv;
  let blocked = null; // unit id → directive ids; null until read
  let mayOverride = false;
  let reading = 0;
  async function reread() {
    const n = ++reading;
    try {
      const b = await get(`/requests/${seg(id)}/blocked`);
      if (n !== reading) return;
      blocked = b.blocked_by || {};
      mayOverride = !!b.may_override;
    } catch (e) {
      if (n !== reading) return;
      blocked = blocked || {};
      err.textContent = `Cannot read which directives keep units out here: ${e.message}`;
    }
    refresh();
  }
  const chosen = new Set();
  const list = h('ul', {class: 'pick-units'});
  const commonNote = h('p', {class: 'held-by-all', hidden: true});
  const overrideInput = h('textarea', {id: `rq-override-${id}`, rows: 2, maxlength: 500});
  const overrideNote = h('p', {class: 'hint'});
  const overrideBox = h('div', {class: 'override', hidden: true},
    h('label', {for: overrideInput.id}, 'Override reason (required: a directive keeps the units chosen out)'), overrideInput, overrideNote);
  const err = h('p', {class: 'form-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Send');
  let candidates = [];
  function refresh() {
    const r = requests.get(id);
    if (!r) return;
    const loc = r.location || {};
    if (!blocked) {
      if (!list.querySelector('.reading')) replace(list, h('li', {class: 'hint reading'}, 'Reading the directives over this place…'));
      return;
    }
    candidates = [...store.units.values()].filter((u) => u.agency === me.agency && u.status === 'AVAILABLE').map((u) => {
      const p = store.positions.get(u.id);
      const dist = p && loc.lat !== undefined ? distanceM(loc.lat, loc.lon, p.lat, p.lon) : null;
      return {u, dist, blockedBy: blocked[u.id] || []};
    }).sort((a, b) => (a.dist ?? Infinity) - (b.dist ?? Infinity) || a.u.call_sign.localeCompare(b.u.call_sign, 'en', {numeric: true}));
    for (const uid of [...chosen]) if (!candidates.some((c) => c.u.id === uid)) chosen.delete(uid);
    const shown = candidates.slice(0, 12);
    // A hold or clear directive keeps every unit out: said once.
    const common = shown.length && shown.every((c) => c.blockedBy.length && c.blockedBy.join() === shown[0].blockedBy.join()) ? shown[0].blockedBy.join(', ') : '';
    const sig = JSON.stringify(shown.map((c) => [c.u.id, Math.round((c.dist ?? -1) / 100), c.blockedBy, chosen.has(c.u.id)]));
    if (list.dataset.sig !== sig) {
      list.dataset.sig = sig;
      const focused = list.contains(document.activeElement) ? document.activeElement.value : null;
      replace(list, shown.length ? shown.map((c, n) => {
        const disabled = c.blockedBy.length > 0 && !mayOverride;
        const box = h('input', {type: 'checkbox', value: c.u.id, id: `pick-${id}-${c.u.id}`, checked: chosen.has(c.u.id), disabled,
          onchange: (ev) => {
            if (ev.target.checked) chosen.add(c.u.id);
            else chosen.delete(c.u.id);
            summarize();
          }});
        return h('li', {class: c.blockedBy.length ? 'blocked' : ''}, h('label', {for: box.id}, box,
          h('span', {class: 'cs'}, c.u.call_sign), ' ', h('span', {class: 'kind'}, c.u.kind),
          n === 0 && c.dist !== null ? h('span', {class: 'nearest'}, 'nearest') : null,
          h('span', {class: 'dist'}, c.dist === null ? 'position unknown' : km(c.dist)),
          c.blockedBy.length && !common ? h('span', {class: 'held-by'}, `kept out by ${c.blockedBy.join(', ')}${disabled ? ': a supervisor may override' : ''}`) : null));
      }) : h('li', {class: 'hint'}, `${agencyName(me.agency)} has no unit AVAILABLE.`));
      replace(commonNote, common ? `${common} ${common.includes(',') ? 'keep' : 'keeps'} every unit of ${agencyName(me.agency)} out of this place: ` +
        (mayOverride ? 'sending one needs your override, with a reason.' : 'only a supervisor may send one, overriding it.') : '');
      commonNote.hidden = !common;
      if (focused) list.querySelector(`input[value="${CSS.escape(focused)}"]`)?.focus();
    }
    summarize();
  }
  function summarize() {
    const blocked = candidates.filter((c) => chosen.has(c.u.id) && c.blockedBy.length);
    overrideBox.hidden = blocked.length === 0;
    overrideInput.required = blocked.length > 0;
    overrideNote.textContent = blocked.length ? `${blocked.map((c) => c.u.call_sign).join(', ')}: ${[...new Set(blocked.flatMap((c) => c.blockedBy))].join(', ')}. The override is recorded with your name (directive.overridden).` : '';
    const n = chosen.size;
    submit.textContent = n ? `Send ${n} unit${n === 1 ? '' : 's'}${blocked.length ? ' under override' : ''}` : 'Send units';
  }
  const el = h('form', {class: 'rq-form accept-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const units = candidates.filter((c) => chosen.has(c.u.id)).map((c) => c.u.id);
    if (!units.length) {
      err.textContent = 'Choose at least one unit to send.';
      list.querySelector('input:not(:disabled)')?.focus();
      return;
    }
    const body = {units};
    if (!overrideBox.hidden) {
      const reason = overrideInput.value.trim();
      if (!reason) {
        err.textContent = 'A directive keeps these units out: give the reason you override it.';
        overrideInput.focus();
        return;
      }
      body.override = reason;
    }
    const names = units.map((u) => unitName(store, u)).join(', ');
    if (await sv.act(`Accepted ${id}: sent ${names}`, () => post(`/requests/${seg(id)}/accept`, body), err, id)) sv.closeForm(id);
  }},
  h('fieldset', {}, h('legend', {}, 'Units to send, nearest first'), commonNote, list),
  overrideBox, err,
  h('div', {class: 'form-buttons'}, submit, h('button', {type: 'button', class: 'ghost', onclick: () => sv.closeForm(id)}, 'Cancel')));
  el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      sv.closeForm(id);
    }
  });
  refresh();
  reread();
  return {name: 'accept', el, refresh, reread, focus: () => (list.querySelector('input:not(:disabled)') || submit).focus()};
}
