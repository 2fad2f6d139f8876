// views/dispatch.js — the dispatcher's board: the incident queue by
// priority with age timers, the selected incident with its recommendation
// and one-key dispatch, the unit board by status with time in status, the
// map, and a command line. Every action has a key (keys.js; ? lists them).

import {get, post, seg} from '../api.js';
import {h, replace, reconcile, ticking, timer, clockTime, duration} from '../dom.js';
import {statuses, statusLabel, statusCode, statusByCode, priorities} from '../lifecycle.js';
import {createMap} from '../mapview.js';
import {newIncidentDialog} from './incident_form.js';
import * as keys from '../keys.js';
import {hazardList} from '../hazards.js';
import {dispatchMessages} from '../messages.js';
import {premiseDialog, removePremiseDialog} from './premise_form.js';
import {unverifiedPanel} from './unverified.js';
import {duplicateList} from '../duplicates.js';

// The default of dispatch.DefaultTimers: a P0/P1 incident pending this long
// is late.
const defaultPendingAlert = 60;

export function mount(root, ctx) {
  const store = ctx.store;
  let selected = sessionStorage.getItem('tenfour.select') || null;
  sessionStorage.removeItem('tenfour.select');
  let recs = {for: null, units: [], error: null};
  let recsLoading = null;
  // priors are the prior incidents near the selected one (loadPriors).
  let priors = {for: null, list: [], error: null};
  let priorsLoading = null;
  let detailFetch = null;

  // --- the layout -------------------------------------------------------
  const queueList = h('ol', {class: 'queue', id: 'queue', 'aria-label': 'Open incidents, most urgent first'});
  const queueCount = h('span', {class: 'count'});
  const queue = h('section', {class: 'panel queue-panel', 'aria-labelledby': 'queue-title', tabindex: '-1', id: 'queue-panel'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'queue-title'}, 'Incidents ', queueCount),
      store.may('POST /api/v1/incidents') ? h('button', {type: 'button', class: 'primary', id: 'new-incident',
        'aria-keyshortcuts': 'n', onclick: () => openNew()}, 'New incident ', h('kbd', {}, 'n')) : null),
    queueList);
  const detail = h('section', {class: 'panel detail-panel', 'aria-labelledby': 'detail-title', tabindex: '-1', id: 'detail'});
  const boardGroups = h('div', {class: 'board', id: 'board'});
  const board = h('section', {class: 'panel units-panel', 'aria-labelledby': 'units-title', tabindex: '-1', id: 'units-panel'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'units-title'}, 'Units')), boardGroups);
  const map = createMap(ctx, {compact: true, selected: () => selected, onSelectIncident: (id) => select(id, {focus: true})});
  const mapPanel = h('section', {class: 'panel map-panel', 'aria-label': 'Map'}, map.el);
  const cmdInput = h('input', {id: 'cmd', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'cmd-out',
    placeholder: 'n  new · d  dispatch recommended · d 1A12 · s 1A12 av · c report taken · note text · #42 · ?'});
  const cmdOut = h('output', {id: 'cmd-out', for: 'cmd', 'aria-live': 'polite'});
  const cmd = h('form', {class: 'cmdline', role: 'search', 'aria-label': 'Command line'},
    h('label', {for: 'cmd'}, 'Command ', h('kbd', {}, '/')), cmdInput, cmdOut);
  const messages = dispatchMessages(ctx);
  // The queue of locations kept as typed, for those who fix them
  // (views/unverified.js).
  const unverified = store.may('POST /api/v1/locations/unverified/{incident}/fix') ? unverifiedPanel(ctx, map, {onFixed: (inc) => select(inc.id)}) : null;
  replace(root, h('h1', {class: 'sr-only'}, 'Dispatch'),
    h('div', {class: 'dispatch-grid'}, queue, detail, board, mapPanel), messages.el, unverified?.el, cmd);

  // --- the queue ----------------------------------------------------------
  function lateAfter(i) {
    const t = store.agencies.get(i.agency)?.timers?.pending_alert_seconds || defaultPendingAlert;
    return i.status === 'PENDING' && i.priority <= 1 ? t : null;
  }
  function openIncidents() {
    return [...store.incidents.values()].filter((i) => i.status !== 'CLOSED').sort((a, b) =>
      (a.status === 'PENDING' ? 0 : 1) - (b.status === 'PENDING' ? 0 : 1) ||
      a.priority - b.priority || Date.parse(a.received) - Date.parse(b.received));
  }
  function renderQueue() {
    const open = openIncidents();
    const pending = open.filter((i) => i.status === 'PENDING').length;
    queueCount.textContent = `${open.length} open · ${pending} waiting`;
    if (!open.length) {
      replace(queueList, h('li', {class: 'empty', 'data-key': 'empty'}, 'No open incidents.'));
      return;
    }
    if (queueList.querySelector('.empty')) queueList.replaceChildren();
    reconcile(queueList, open, (i) => i.id,
      (i) => [i.status, i.priority, i.units.join(','), i.id === selected, i.location?.text, unitsSig(i)].join('|'),
      (i) => h('li', {class: `q-item p${i.priority} ${i.status.toLowerCase()}`},
        h('button', {type: 'button', class: 'q-button', 'aria-current': i.id === selected ? 'true' : null,
          onclick: () => select(i.id), 'aria-label': queueLabel(i)},
        h('span', {class: `prio p${i.priority}`, 'aria-hidden': 'true'}, `P${i.priority}`),
        h('span', {class: 'q-main', 'aria-hidden': 'true'},
          h('span', {class: 'q-type'}, store.typeName(i.type)),
          h('span', {class: 'q-loc'}, i.location?.text || 'no location')),
        h('span', {class: 'q-side', 'aria-hidden': 'true'},
          timer(i.received, lateAfter(i)),
          h('span', {class: 'q-id'}, shortId(i.id)),
          h('span', {class: 'q-units'}, i.status === 'PENDING' ? 'waiting' : onIt(i).map((u) =>
            h('span', {class: `q-unit st-${u.status}`}, `${u.call_sign} ${statusCode(u.status)}`)))))));
  }
  function unitsSig(i) {
    return onIt(i).map((u) => u.id + u.status).join(',');
  }
  function queueLabel(i) {
    const units = onIt(i).map((u) => `${u.call_sign} ${statusLabel(u.status)}`).join(', ');
    return `Priority ${i.priority}, ${store.typeName(i.type)}, ${i.location?.text || 'no location'}, ${i.status === 'PENDING' ? 'waiting for a unit' : units}, incident ${i.id}`;
  }
  const onIt = (i) => i.units.map((id) => store.units.get(id)).filter((u) => u && u.incident === i.id);

  // --- the selected incident ---------------------------------------------
  // The detail has two parts: what is shown, redrawn when it changes, and
  // the forms (note, disposition), made once per incident so that typing
  // is never disturbed by the live updates.
  const detailInfo = h('div', {class: 'detail-info'});
  const detailForms = h('div', {class: 'detail-forms'});
  let infoSig = '';
  let formsFor = '';

  function select(id, {focus = false} = {}) {
    if (selected !== id) {
      selected = id;
      recs = {for: null, units: [], error: null};
      clearTimeout(detailFetch);
      // Caller, narrative and notes are private: read (and so recorded as
      // read) once the dispatcher stays on the incident.
      detailFetch = setTimeout(() => fetchFull(id), 250);
    }
    renderQueue();
    renderDetail();
    renderBoard();
    map.update();
    const i = store.incidents.get(id);
    if (i?.location?.lat !== undefined) map.show(i.location.lat, i.location.lon);
    if (focus) detail.focus();
  }
  ctx.openIncident = (id) => select(id, {focus: true});

  async function fetchFull(id) {
    try {
      await store.incident(id);
    } catch (e) {
      if (id === selected) ctx.toast(`Incident ${id}: ${e.message}`, 'error');
    }
  }

  async function loadPriors() {
    const i = store.incidents.get(selected);
    if (!i || priorsLoading === i.id) return;
    const id = i.id;
    priorsLoading = id;
    try {
      const r = await get(`/incidents/${seg(id)}/priors`);
      if (id === selected) priors = {for: id, list: r.priors || [], error: null};
    } catch (e) {
      if (id === selected) priors = {for: id, list: [], error: e.message};
    } finally {
      if (priorsLoading === id) priorsLoading = null;
    }
    renderDetail();
  }

  async function loadRecs() {
    const i = store.incidents.get(selected);
    if (!i || i.status === 'CLOSED' || !store.may('GET /api/v1/incidents/{id}/recommendations') || recsLoading === i.id) return;
    const id = i.id;
    recsLoading = id;
    try {
      const r = await get(`/incidents/${seg(id)}/recommendations?k=5`);
      // A run card, if one applies: the slots the units fill and what
      // none can (docs/console.md, "Run cards").
      if (id === selected) recs = {for: id, units: r.units || [], error: null, card: r.run_card || null, shortfall: r.shortfall || []};
    } catch (e) {
      if (id === selected) recs = {for: id, units: [], error: e.message};
    } finally {
      if (recsLoading === id) recsLoading = null;
    }
    renderDetail();
  }

  function renderDetail() {
    const i = store.incidents.get(selected);
    if (!i) {
      formsFor = '';
      infoSig = '';
      replace(detail, h('h2', {id: 'detail-title'}, 'No incident selected'),
        h('p', {class: 'hint'}, 'Choose an incident in the queue (j and k move, or click it); n starts a new one.'));
      return;
    }
    if (recs.for !== i.id && recsLoading !== i.id && i.status !== 'CLOSED') loadRecs();
    if (priors.for !== i.id && priorsLoading !== i.id) loadPriors();
    if (i.hazardsBehind && i.full) {
      i.hazardsBehind = false;
      fetchFull(i.id);
    }
    if (!detail.contains(detailInfo)) replace(detail, detailInfo, detailForms);
    const formsKey = i.id + i.status;
    if (formsFor !== formsKey) {
      formsFor = formsKey;
      replace(detailForms, store.may('POST /api/v1/incidents/{id}/notes') ? noteForm(i) : null,
        i.status !== 'CLOSED' && store.may('POST /api/v1/incidents/{id}/clear') ? clearForm(i) : null);
    }
    const sig = JSON.stringify([i, onIt(i).map((u) => [u.id, u.status, u.status_since]), recs, recsLoading === i.id, priors]);
    if (sig === infoSig) return;
    infoSig = sig;
    const active = document.activeElement;
    const keep = detailInfo.contains(active) && active.id ? active.id : null;
    const top = recs.for === i.id ? recs.units[0] : null;
    const canDispatch = store.may('POST /api/v1/incidents/{id}/dispatch') && i.status !== 'CLOSED';
    const times = [['Received', i.received], ['Answered', i.answered], ['Entered', i.entered], ['Dispatched', i.dispatched],
      ['En route', i.en_route], ['On scene', i.on_scene], ['Cleared', i.cleared]].filter(([, t]) => t);
    const loc = i.location || {};
    replace(detailInfo,
      h('header', {class: 'panel-head'},
        h('h2', {id: 'detail-title'}, h('span', {class: `prio p${i.priority}`}, `P${i.priority}`), ' ',
          store.typeName(i.type)),
        h('span', {class: `badge ${i.status.toLowerCase()}`}, i.status === 'PENDING' ? 'Waiting' : i.status === 'ACTIVE' ? 'Active' : 'Closed'),
        i.status !== 'CLOSED' ? timer(i.received, lateAfter(i)) : null),
      h('p', {class: 'd-loc'}, h('strong', {}, loc.text || 'No location'),
        loc.verified ? h('span', {class: 'ok', title: 'Found in the gazetteer'}, ' ✓ verified') : h('span', {class: 'warn'}, ' unverified'),
        loc.district ? ` · district ${loc.district}` : '', loc.beat ? ` · beat ${loc.beat}` : ''),
      h('p', {class: 'd-id'}, i.id, ' · ', priorities[i.priority]?.label || ''),
      hazardList(i.hazards, 'd-hazards'),
      hazardActions(i),
      created && created.id === i.id ? createdDups(i) : null,
      recommendation(i, top, canDispatch),
      assigned(i),
      h('dl', {class: 'times'}, times.flatMap(([k, t]) => [h('dt', {}, k), h('dd', {}, h('time', {datetime: t}, clockTime(t)))])),
      callerAndNarrative(i),
      notes(i),
      related(i),
      priorList(i),
      i.status === 'CLOSED' ? h('p', {}, 'Disposition: ', h('strong', {}, i.disposition || '')) : null);
    if (keep) document.getElementById(keep)?.focus();
  }

  function recommendation(i, top, canDispatch) {
    if (i.status === 'CLOSED' || !store.may('GET /api/v1/incidents/{id}/recommendations')) return null;
    const list = recs.for === i.id ? recs.units : [];
    const card = recs.for === i.id ? recs.card : null;
    return h('section', {class: 'recs', 'aria-labelledby': 'recs-title'},
      h('h3', {id: 'recs-title'}, 'Recommended'),
      recs.for !== i.id ? h('p', {class: 'hint'}, 'Finding the nearest available units…') :
        recs.error ? h('p', {class: 'form-error'}, recs.error) :
          !list.length ? h('p', {class: 'warn'}, 'No unit of this agency to propose: none available with a known position.') : null,
      top && canDispatch ? h('button', {type: 'button', class: 'primary big', id: 'dispatch-top', 'aria-keyshortcuts': 'd',
        onclick: () => dispatch(i.id, [top.unit], !!top.preempts)},
      `Dispatch ${top.call_sign}`, h('span', {class: 'eta'}, ` ETA ${duration(top.eta_seconds)}`),
      top.preempts ? h('span', {class: 'eta'}, ` · off ${shortId(top.preempts)}`) : null, ' ', h('kbd', {}, 'd')) : null,
      card ? h('p', {class: 'run-card', id: 'd-run-card'}, `Run card: ${card.name}`,
        card.slots ? ` (${card.slots.map((s) => `${s.count} ${s.kind}`).join(', ')})` : '',
        list.length > 1 && canDispatch ? [' ', h('button', {type: 'button', class: 'ghost', id: 'dispatch-card',
          onclick: () => dispatch(i.id, list.map((r) => r.unit), false)}, `Dispatch all ${list.length}`)] : null) : null,
      card && recs.shortfall.length ? h('p', {class: 'warn', id: 'd-shortfall', role: 'status'},
        'Short: ' + recs.shortfall.map((s) => `${s.missing} ${s.kind}`).join(', ') + ' — no staffed unit available; ask for mutual aid or wait.') : null,
      list.length ? h('table', {class: 'rec-list'},
        h('thead', {}, h('tr', {}, [card ? 'Slot' : null, 'Unit', 'ETA', 'Distance', 'Why', ''].filter((c) => c !== null).map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, list.map((r, n) => h('tr', {},
          card ? h('td', {class: 'slot'}, r.slot || '') : null,
          h('td', {class: 'cs'}, r.call_sign),
          h('td', {class: 'num'}, duration(r.eta_seconds)),
          h('td', {class: 'num'}, `${(r.distance_m / 1000).toFixed(1)} km`),
          h('td', {class: 'reason'}, r.reason),
          h('td', {}, canDispatch && n > 0 ? h('button', {type: 'button', class: r.preempts ? 'ghost preempt' : 'ghost', id: `dispatch-${r.unit}`,
            onclick: () => dispatch(i.id, [r.unit], !!r.preempts)},
          r.preempts ? `Take ${r.call_sign} off ${shortId(r.preempts)}` : `Dispatch ${r.call_sign}`) : null))))) : null);
  }

  // hazardActions: a premise record entered at the incident's place, and
  // each record over it removed with a reason (views/premise_form.js).
  function hazardActions(i) {
    if (!mayPremise()) return null;
    const records = [...new Map((i.hazards || []).filter((z) => z.premise).map((z) => [z.premise, z])).values()];
    return h('div', {class: 'hazard-actions', id: 'd-hazard-actions'},
      i.location?.lat != null ? h('button', {type: 'button', class: 'ghost', id: 'add-hazard',
        onclick: () => openPremise(i)}, 'Add a hazard at this place') : null,
      records.map((z) => h('button', {type: 'button', class: 'ghost', id: `remove-hazard-${z.premise}`,
        onclick: () => removing.open(z.premise, `${z.place || i.location?.text || ''}`)}, `Remove record ${z.premise}…`)));
  }

  // createdDups keeps the server's possible duplicates of the incident just
  // made on its detail, with the way to fold it into one (merge).
  function createdDups(i) {
    const dups = created.possible_duplicates || [];
    if (!dups.length || i.status === 'CLOSED') return null;
    return h('section', {class: 'dup-box', id: 'd-dups', 'aria-labelledby': 'd-dups-title'},
      h('h3', {id: 'd-dups-title'}, 'Possible duplicates of this call'),
      duplicateList(store, dups, (d) => [
        h('button', {type: 'button', class: 'ghost', onclick: () => select(d.incident)}, 'Show'), ' ',
        store.may('POST /api/v1/incidents/{id}/merge') ? h('button', {type: 'button', class: 'ghost', id: `merge-into-${d.incident}`,
          onclick: () => act(`Merged ${shortId(i.id)} into ${shortId(d.incident)}`,
            () => post(`/incidents/${seg(i.id)}/merge`, {into: d.incident, reason: `the same emergency as ${d.incident}`}))
            .then((ok) => ok && ((created = null), select(d.incident)))}, `Merge ${shortId(i.id)} into it`) : null]));
  }

  // priorList shows the agency's other incidents near this one's place over
  // the last year (GET /api/v1/incidents/{id}/priors).
  function priorList(i) {
    if (priors.for !== i.id) return null;
    return h('section', {class: 'priors', id: 'd-priors', 'aria-labelledby': 'priors-title'},
      h('h3', {id: 'priors-title'}, 'Prior incidents within 100 m, last 365 days'),
      priors.error ? h('p', {class: 'form-error'}, priors.error) :
        !priors.list.length ? h('p', {class: 'hint'}, i.location?.lat == null ? 'None known: the place has no point.' : 'None.') :
          h('ul', {}, priors.list.map((p) => h('li', {},
            h('time', {datetime: p.received}, new Date(p.received).toLocaleDateString()), ' ',
            store.typeName(p.type), ` · ${p.incident} · ${Math.round(p.distance_m)} m`,
            p.disposition ? ` · ${p.disposition}` : ` · ${p.status.toLowerCase()}`))));
  }

  function assigned(i) {
    const now = onIt(i);
    const before = i.units.filter((id) => !now.some((u) => u.id === id));
    if (!i.units.length) return null;
    return h('section', {class: 'assigned', 'aria-labelledby': 'assigned-title'},
      h('h3', {id: 'assigned-title'}, 'Units'),
      h('ul', {}, now.map((u) => h('li', {class: `chip st-${u.status}`},
        h('span', {class: 'cs'}, u.call_sign), ' ', statusLabel(u.status), ' ', timer(u.status_since))),
      before.map((id) => h('li', {class: 'chip gone'}, h('span', {class: 'cs'}, store.callSign(id)), ' cleared'))));
  }

  function callerAndNarrative(i) {
    if (!i.full) return h('p', {class: 'hint'}, 'Caller and narrative: loading…');
    return h('section', {class: 'narrative', 'aria-labelledby': 'narr-title'},
      h('h3', {id: 'narr-title'}, 'Call'),
      i.caller?.name || i.caller?.phone ? h('p', {}, 'Caller: ', i.caller.name || '', i.caller.phone ? ` · ${i.caller.phone}` : '') : null,
      i.narrative ? h('p', {class: 'narr'}, i.narrative) : h('p', {class: 'hint'}, 'No narrative.'));
  }

  function notes(i) {
    if (i.notesBehind && i.full) {
      i.notesBehind = false;
      fetchFull(i.id);
    }
    if (!i.notes.length) return null;
    return h('section', {class: 'notes', 'aria-labelledby': 'notes-title'},
      h('h3', {id: 'notes-title'}, 'Notes'),
      h('ol', {}, i.notes.map((n) => h('li', {},
        h('time', {datetime: n.time}, clockTime(n.time)), ' ', h('span', {class: 'author'}, n.author || ''), ' ',
        n.text !== undefined ? n.text : h('span', {class: 'hint'}, '…')))));
  }

  // related shows the further callers, the merges and the links of the
  // incident (dispatch/duplicate.go, merge.go), as the server gives them.
  function related(i) {
    if (!i.full) return null;
    const rows = [];
    if (i.merged_into) rows.push(h('li', {}, 'Merged into ', h('strong', {}, i.merged_into)));
    for (const m of i.merged || []) rows.push(h('li', {}, 'Merged from ', h('strong', {}, m)));
    for (const l of i.links || []) rows.push(h('li', {}, `Linked ${l.relation}: `, h('strong', {}, l.incident), ` · ${l.reason}`));
    for (const c of i.callers || []) {
      rows.push(h('li', {}, `Caller ${c.n + 1}: `, c.caller?.name || 'no name', c.caller?.phone ? ` · ${c.caller.phone}` : '',
        c.narrative ? ` — ${c.narrative}` : ''));
    }
    if (!rows.length) return null;
    return h('section', {class: 'related', id: 'd-related', 'aria-labelledby': 'related-title'},
      h('h3', {id: 'related-title'}, 'Other callers, merges and links'), h('ul', {}, rows));
  }

  function noteForm(i) {
    const input = h('input', {id: 'note-text', autocomplete: 'off', maxlength: '2000'});
    return h('form', {class: 'inline-form', onsubmit: async (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      if (await act(`Note added to ${shortId(i.id)}`, () => post(`/incidents/${seg(i.id)}/notes`, {text}))) {
        input.value = '';
        fetchFull(i.id);
      }
    }}, h('label', {for: 'note-text'}, 'Note ', h('kbd', {}, 'o')), input, h('button', {type: 'submit', class: 'ghost'}, 'Add note'));
  }

  function clearForm(i) {
    const input = h('input', {id: 'disposition', autocomplete: 'off', maxlength: '200', placeholder: 'report taken'});
    return h('form', {class: 'inline-form', onsubmit: (ev) => {
      ev.preventDefault();
      clearIncident(i.id, input.value.trim());
    }}, h('label', {for: 'disposition'}, 'Disposition ', h('kbd', {}, 'c')), input,
    h('button', {type: 'submit', class: 'ghost'}, 'Clear incident'));
  }

  // --- the unit board -------------------------------------------------------
  function renderBoard() {
    // The units at work first, EMERGENCY on top; the available ones last.
    const order = [...statuses.filter((x) => x.id !== 'AVAILABLE'), statuses.find((x) => x.id === 'AVAILABLE')];
    const groups = order.map((s) => ({s, units: [...store.units.values()].filter((u) => u.status === s.id)
      .sort((a, b) => a.call_sign.localeCompare(b.call_sign, 'en', {numeric: true}))}))
      .filter((g) => g.units.length || g.s.id === 'AVAILABLE');
    reconcile(boardGroups, groups, (g) => g.s.id, (g) => g.units.map((u) => u.id + u.status_since + u.incident + (u.incident === selected) + (u.staffing || '') + (u.held_by || '')).join(','),
      (g) => h('section', {class: `group st-${g.s.id}`, 'aria-label': `${g.s.label}: ${g.units.length}`},
        h('h3', {}, g.s.label, ' ', h('span', {class: 'count'}, String(g.units.length))),
        h('ul', {class: 'chips'}, g.units.map((u) => h('li', {},
          h('button', {type: 'button', class: `chip st-${u.status}${u.incident && u.incident === selected ? ' on-selected' : ''}`,
            'aria-label': `${u.call_sign}, ${u.kind}, ${statusLabel(u.status)}${u.incident ? ', on ' + u.incident : ''}${u.staffing === 'UNSTAFFED' ? ', no crew' : ''}${u.held_by ? ', out with ' + store.callSign(u.held_by) : ''}`,
            onclick: () => { if (u.incident) select(u.incident); else cmdInput.value = `d ${u.call_sign}`; }},
          h('span', {class: 'cs'}, u.call_sign),
          h('span', {class: 'kind', 'aria-hidden': 'true'}, u.kind,
            u.staffing === 'UNSTAFFED' ? ' · no crew' : '', u.held_by ? ` · with ${store.callSign(u.held_by)}` : ''),
          timer(u.status_since),
          u.incident ? h('span', {class: 'inc', 'aria-hidden': 'true'}, shortId(u.incident)) : null))))));
  }

  // --- actions ----------------------------------------------------------------
  // act runs a command, says what happened, and returns whether it worked.
  async function act(done, fn) {
    try {
      await fn();
      say(done);
      return true;
    } catch (e) {
      say(e.message, true);
      return false;
    }
  }
  function say(text, error = false) {
    cmdOut.textContent = text;
    cmdOut.className = error ? 'error' : 'ok';
    if (error) ctx.toast(text, 'error');
  }

  // dispatch sends units to incident id; preempt takes them off the
  // lower-priority work the recommendation named.
  async function dispatch(id, unitIds, preempt = false) {
    const names = unitIds.map((u) => store.callSign(u)).join(', ');
    const body = preempt ? {units: unitIds, preempt: true} : {units: unitIds};
    const ok = await act(`Dispatched ${names} to ${shortId(id)}`, () => post(`/incidents/${seg(id)}/dispatch`, body));
    if (ok) {
      recs = {for: null, units: [], error: null};
      renderDetail();
    }
    return ok;
  }

  function dispatchTop() {
    const i = store.incidents.get(selected);
    if (!i) return say('Select an incident first (j, k or #number).', true);
    const top = recs.for === i.id ? recs.units[0] : null;
    if (!top) return say(recs.error || 'No recommended unit for this incident yet.', true);
    dispatch(i.id, [top.unit], !!top.preempts);
  }

  function clearIncident(id, disposition) {
    if (!disposition) {
      say('Give a disposition to clear the incident: c report taken', true);
      detail.querySelector('#disposition')?.focus();
      return;
    }
    act(`Cleared ${shortId(id)}: ${disposition}`, () => post(`/incidents/${seg(id)}/clear`, {disposition}));
  }

  function move(step) {
    const open = openIncidents();
    if (!open.length) return;
    const at = open.findIndex((i) => i.id === selected);
    const next = open[at < 0 ? 0 : Math.min(Math.max(at + step, 0), open.length - 1)];
    select(next.id);
    queueList.querySelector(`[data-key="${CSS.escape(next.id)}"] button`)?.focus();
  }

  // created is the incident last made here, while its possible duplicates
  // are shown on its detail (createdDups).
  let created = null;
  const dialog = newIncidentDialog(ctx, (inc) => {
    // Possible duplicates (dispatch/duplicate.go) are said loudly: the call
    // may belong to an open incident as another caller, or merge into it.
    const dups = (inc.possible_duplicates || []).map((d) => `${d.incident} (${d.distance_m} m, ${Math.round(d.age_seconds / 60)} min ago)`);
    created = dups.length ? inc : null;
    say(`Created ${inc.id}: ${store.typeName(inc.type)} at ${inc.location?.text || ''}${dups.length ? `. Possible duplicate of ${dups.join(', ')}` : ''}`, dups.length > 0);
    select(inc.id, {focus: true});
  }, (inc, made) => {
    const n = (inc.callers || []).length;
    say(`Call attached to ${inc.id} as caller ${n + 1}${made ? `; ${made.id} ${inc.merged?.includes(made.id) ? 'merged into it' : 'linked to it'}` : ''}`);
    select(inc.id, {focus: true});
    fetchFull(inc.id);
  });
  // Premise records (views/premise_form.js): entered from the incident or
  // the command line (hazard TEXT), removed from the hazard box.
  const mayPremise = () => store.may('POST /api/v1/premises') && !!ctx.me?.agency;
  const premise = premiseDialog(ctx, (rec) => {
    say(`Hazard record ${rec.id} entered at ${rec.location?.text || ''}: ${rec.flags.map((f) => f.kind).join(', ')}`);
    if (selected) fetchFull(selected);
  });
  const removing = removePremiseDialog((rec) => {
    say(`Hazard record ${rec.id} removed: ${rec.remove_reason || ''}`);
    if (selected) fetchFull(selected);
  });
  function openPremise(i, text = '') {
    if (!mayPremise()) return say('Your roles cannot enter premise records.', true);
    premise.open(i?.location?.lat != null ? i.location.text : '', text, i?.agency || '');
  }
  function openNew(location = '') {
    if (!store.may('POST /api/v1/incidents')) return say('Your roles cannot create incidents.', true);
    dialog.open(location);
  }

  // --- the command line -----------------------------------------------------------
  function findIncident(word) {
    const n = word.replace(/^#/, '');
    const all = [...store.incidents.values()];
    return all.find((i) => i.id === n) || all.find((i) => i.id.endsWith('-' + n.padStart(6, '0')));
  }
  function unitIds(words) {
    const ids = [];
    for (const w of words) {
      const u = store.unitByCallSign(w);
      if (!u) {
        say(`No unit with call sign ${w}.`, true);
        return null;
      }
      ids.push(u.id);
    }
    return ids;
  }
  async function run(line) {
    const [verb, ...args] = line.trim().split(/\s+/);
    const rest = line.trim().slice(verb.length).trim();
    const v = verb.toLowerCase();
    if (!v) return;
    if (v === '?' || v === 'help') return document.getElementById('help-open').click();
    if (v === 'n' || v === 'new') return openNew(rest);
    if (v.startsWith('#') || v === 'i') {
      const i = findIncident(v === 'i' ? args[0] || '' : v);
      return i ? (select(i.id), say(`Showing ${i.id}`)) : say(`No incident ${v === 'i' ? args[0] : v}.`, true);
    }
    if (v === 'm' || v === 'map') return map.focus();
    if (v === 'd' || v === 'dispatch') {
      if (!args.length) return dispatchTop();
      if (!selected) return say('Select an incident first (j, k or #number).', true);
      const ids = unitIds(args);
      return ids && dispatch(selected, ids);
    }
    if (v === 'c' || v === 'clear') {
      if (!selected) return say('Select an incident first.', true);
      return clearIncident(selected, rest);
    }
    if (v === 'note' || v === 'o') {
      if (!selected) return say('Select an incident first.', true);
      if (!rest) return say('Write the note after the word: note caller called back', true);
      return act(`Note added to ${shortId(selected)}`, () => post(`/incidents/${seg(selected)}/notes`, {text: rest}))
        .then((ok) => ok && fetchFull(selected));
    }
    if (v === 'merge' || v === 'link') {
      // merge #42 reason…: merge the selected incident into 42;
      // link #42 parent|child|related reason…: link 42 to the selected one.
      if (!selected) return say('Select an incident first.', true);
      const [other, ...more] = args;
      const target = other && findIncident(other);
      const relation = v === 'link' ? more.shift() : '';
      const reason = more.join(' ');
      if (!target || !reason || (v === 'link' && !['parent', 'child', 'related'].includes(relation))) {
        return say(v === 'merge' ? 'Write merge #NUMBER reason: merges the selected incident into that one.'
          : 'Write link #NUMBER parent|child|related reason: what that incident is to the selected one.', true);
      }
      if (v === 'merge') {
        return act(`Merged ${shortId(selected)} into ${shortId(target.id)}`,
          () => post(`/incidents/${seg(selected)}/merge`, {into: target.id, reason})).then((ok) => ok && select(target.id));
      }
      return act(`Linked ${shortId(target.id)} as ${relation} of ${shortId(selected)}`,
        () => post(`/incidents/${seg(selected)}/links`, {incident: target.id, relation, reason})).then((ok) => ok && fetchFull(selected));
    }
    if (v === 'hazard' || v === 'hz') {
      // hazard TEXT: a premise record at the selected incident's place
      // (or one to place), with TEXT as its first flag's text.
      return openPremise(selected ? store.incidents.get(selected) : null, rest);
    }
    if (v === 's' || v === 'status') {
      const [cs, ...st] = args;
      const u = cs && store.unitByCallSign(cs);
      const status = st.length && statusByCode(st.join('_'));
      if (!u || !status) return say('Write s CALLSIGN STATUS, for example s 1A12 av (AV ER OS TR BZ OOS EM).', true);
      // The statuses the server says the unit may go to now; when they are
      // being read again, the server decides alone.
      const next = await store.nextStatusesRead(u.id);
      if (next && status !== u.status && !next.includes(status)) {
        return say(`${u.call_sign} is ${statusLabel(u.status)} and cannot go ${statusLabel(status)}; it can go ` +
          `${next.map((x) => `${statusLabel(x)} (${statusCode(x)})`).join(', ') || 'nowhere by a status change'}.`, true);
      }
      return act(`${u.call_sign} is ${statusLabel(status)}`, async () => store.takeUnit(await post(`/units/${seg(u.id)}/status`, {status})));
    }
    say(`Unknown command ${verb}; ? lists them.`, true);
  }
  cmd.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const line = cmdInput.value;
    cmdInput.value = '';
    run(line);
  });
  cmdInput.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      cmdInput.value = '';
      cmdInput.blur();
      queue.focus();
    }
  });
  detail.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && ev.target.matches('input')) {
      ev.target.blur();
      detail.focus();
    }
  });
  queueList.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      move(ev.key === 'ArrowDown' ? 1 : -1);
    }
  });

  keys.setView('Dispatch', [
    {key: '/', label: 'Go to the command line', run: () => cmdInput.focus()},
    {key: 'n', label: 'New incident', run: () => openNew(), when: () => store.may('POST /api/v1/incidents')},
    {key: 'd', label: 'Dispatch the recommended unit to the selected incident', run: dispatchTop, when: () => store.may('POST /api/v1/incidents/{id}/dispatch')},
    {key: 'j', alt: ['ArrowDown'], label: 'Next incident in the queue', run: () => move(1)},
    {key: 'k', alt: ['ArrowUp'], label: 'Previous incident in the queue', run: () => move(-1)},
    {key: 'c', label: 'Clear the selected incident (type the disposition)', run: () => detail.querySelector('#disposition')?.focus(),
      when: () => store.may('POST /api/v1/incidents/{id}/clear')},
    {key: 'o', label: 'Add a note to the selected incident', run: () => detail.querySelector('#note-text')?.focus(), when: () => store.may('POST /api/v1/incidents/{id}/notes')},
    {key: 'r', label: 'Find the recommended units again', run: () => loadRecs()},
    {key: 'f', label: 'Put the focus on the map (arrows pan, + and − zoom, 0 fits)', run: () => map.focus()},
    {key: '1', label: 'Go to the incident queue', run: () => (queueList.querySelector('[aria-current="true"]') || queueList.querySelector('button') || queue).focus()},
    {key: '2', label: 'Go to the selected incident', run: () => detail.focus()},
    {key: '3', label: 'Go to the unit board', run: () => board.focus()},
  ]);

  // --- live -------------------------------------------------------------------
  let recTimer = null;
  const unsubscribe = store.subscribe((c) => {
    if (c.has('incidents') || c.has('units') || c.has('types')) renderQueue();
    if (c.has('units')) renderBoard();
    if (c.has('incidents') || c.has('units')) renderDetail();
    if (c.has('units') && selected) {
      // Units changed: the recommendation may have too.
      clearTimeout(recTimer);
      recTimer = setTimeout(loadRecs, 800);
    }
  });
  renderQueue();
  renderBoard();
  renderDetail();
  if (selected) select(selected);
  const stopTicking = ticking(root);
  (queueList.querySelector('button') || queue).focus();

  return () => {
    unsubscribe();
    stopTicking();
    map.destroy();
    dialog.destroy();
    premise.destroy();
    removing.destroy();
    unverified?.stop();
    messages.stop();
    clearTimeout(recTimer);
    clearTimeout(detailFetch);
    ctx.openIncident = null;
  };
}

// shortId shortens metro-2026-000042 to #42 for the board.
export function shortId(id) {
  const m = /-(\d+)$/.exec(id || '');
  return m ? '#' + Number(m[1]) : id;
}
