// views/dispatch.js — the dispatcher's board: the incident queue by
// priority with age timers, the selected incident with its recommendation
// and one-key dispatch (views/dispatch/detail.js), the unit board by
// status with time in status, the map, and a command line
// (views/dispatch/commands.js). Every action has a key (keys.js; ? lists
// them).

import {post, seg} from '../api.js';
import {h, replace, reconcile, ticking, timer} from '../dom.js';
import {statuses, statusLabel, statusCode} from '../lifecycle.js';
import {createMap} from '../mapview.js';
import {newIncidentDialog} from './incident_form.js';
import * as keys from '../keys.js';
import {dispatchMessages} from '../messages.js';
import {premiseDialog, removePremiseDialog} from './premise_form.js';
import {unverifiedPanel} from './unverified.js';
import {incidentDetail} from './dispatch/detail.js';
import {commandLine} from './dispatch/commands.js';
import {unitActions} from './dispatch/unit_actions.js';

// The default of dispatch.DefaultTimers: a P0/P1 incident pending this long
// is late.
const defaultPendingAlert = 60;

export function mount(root, ctx) {
  const store = ctx.store;
  // view is the board's state and the functions its parts share
  // (views/dispatch/): selected is the selected incident's id; recs the
  // recommendation for it; priors the prior incidents near it (loadPriors);
  // created the incident last made here.
  const view = {ctx, store, selected: sessionStorage.getItem('tenfour.select') || null,
    recs: {for: null, units: [], error: null}, recsLoading: null,
    priors: {for: null, list: [], error: null}, priorsLoading: null, created: null, shortId};
  sessionStorage.removeItem('tenfour.select');
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
  const map = createMap(ctx, {compact: true, selected: () => view.selected, onSelectIncident: (id) => select(id, {focus: true})});
  const mapPanel = h('section', {class: 'panel map-panel', 'aria-label': 'Map'}, map.el);
  const cmdInput = h('input', {id: 'cmd', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'cmd-out',
    placeholder: 'n  new · d  dispatch recommended · d 1A12 · s 1A12 av · c report taken · c 1A12 reason (cancel) · note text · #42 · ?'});
  const cmdOut = h('output', {id: 'cmd-out', for: 'cmd', 'aria-live': 'polite'});
  const cmd = h('form', {class: 'cmdline', role: 'search', 'aria-label': 'Command line'},
    h('label', {for: 'cmd'}, 'Command ', h('kbd', {}, '/')), cmdInput, cmdOut);
  const messages = dispatchMessages(ctx);
  // The queue of locations kept as typed, for those who fix them
  // (views/unverified.js).
  const unverified = store.may('POST /api/v1/locations/unverified/{incident}/fix') ? unverifiedPanel(ctx, map, {onFixed: (inc) => select(inc.id)}) : null;
  replace(root, h('h1', {class: 'sr-only'}, 'Dispatch'),
    h('div', {class: 'dispatch-grid'}, queue, detail, board, mapPanel), messages.el, unverified?.el, cmd);
  Object.assign(view, {detail, map, queue, cmd, cmdInput});
  const stopUnitActions = unitActions(view);
  board.querySelector('.panel-head').after(view.boardSlot);
  incidentDetail(view);
  const stopCommands = commandLine(view);

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
      (i) => [i.status, i.priority, i.units.join(','), i.id === view.selected, i.location?.text, unitsSig(i)].join('|'),
      (i) => h('li', {class: `q-item p${i.priority} ${i.status.toLowerCase()}`},
        h('button', {type: 'button', class: 'q-button', 'aria-current': i.id === view.selected ? 'true' : null,
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


  function select(id, {focus = false} = {}) {
    if (view.selected !== id) {
      view.selected = id;
      view.recs = {for: null, units: [], error: null};
      clearTimeout(detailFetch);
      // Caller, narrative and notes are private: read (and so recorded as
      // read) once the dispatcher stays on the incident.
      detailFetch = setTimeout(() => view.fetchFull(id), 250);
    }
    renderQueue();
    view.renderDetail();
    renderBoard();
    map.update();
    const i = store.incidents.get(id);
    if (i?.location?.lat !== undefined) map.show(i.location.lat, i.location.lon);
    if (focus) detail.focus();
  }
  ctx.openIncident = (id) => select(id, {focus: true});


  // --- the unit board -------------------------------------------------------
  function renderBoard() {
    // The units at work first, EMERGENCY on top; the available ones last.
    const order = [...statuses.filter((x) => x.id !== 'AVAILABLE'), statuses.find((x) => x.id === 'AVAILABLE')];
    const groups = order.map((s) => ({s, units: [...store.units.values()].filter((u) => u.status === s.id)
      .sort((a, b) => a.call_sign.localeCompare(b.call_sign, 'en', {numeric: true}))}))
      .filter((g) => g.units.length || g.s.id === 'AVAILABLE');
    reconcile(boardGroups, groups, (g) => g.s.id, (g) => g.units.map((u) => u.id + u.status_since + u.incident + (u.incident === view.selected) + (u.staffing || '') + (u.held_by || '') + (u.request || '') + (u.emergency_by || '')).join(','),
      (g) => h('section', {class: `group st-${g.s.id}`, 'aria-label': `${g.s.label}: ${g.units.length}`},
        h('h3', {}, g.s.label, ' ', h('span', {class: 'count'}, String(g.units.length))),
        h('ul', {class: 'chips'}, g.units.map((u) => h('li', {},
          h('button', {type: 'button', class: `chip st-${u.status}${u.incident && u.incident === view.selected ? ' on-selected' : ''}`,
            'aria-label': `${u.call_sign}, ${u.kind}, ${statusLabel(u.status)}${u.incident ? ', on ' + u.incident : ''}${u.staffing === 'UNSTAFFED' ? ', no crew' : ''}${u.held_by ? ', out with ' + store.callSign(u.held_by) : ''}`,
            onclick: () => { if (u.incident) select(u.incident); else cmdInput.value = `d ${u.call_sign}`; }},
          h('span', {class: 'cs'}, u.call_sign),
          h('span', {class: 'kind', 'aria-hidden': 'true'}, u.kind,
            u.staffing === 'UNSTAFFED' ? ' · no crew' : '', u.held_by ? ` · with ${store.callSign(u.held_by)}` : ''),
          timer(u.status_since),
          u.incident ? h('span', {class: 'inc', 'aria-hidden': 'true'}, shortId(u.incident)) : null),
        // Letting the unit go (views/dispatch/unit_actions.js).
        h('span', {class: 'chip-acts'}, view.unitControls(u, 'board')))))));
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
      view.recs = {for: null, units: [], error: null};
      view.renderDetail();
    }
    return ok;
  }

  function dispatchTop() {
    const i = store.incidents.get(view.selected);
    if (!i) return say('Select an incident first (j, k or #number).', true);
    const top = view.recs.for === i.id ? view.recs.units[0] : null;
    if (!top) return say(view.recs.error || 'No recommended unit for this incident yet.', true);
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
    const at = open.findIndex((i) => i.id === view.selected);
    const next = open[at < 0 ? 0 : Math.min(Math.max(at + step, 0), open.length - 1)];
    select(next.id);
    queueList.querySelector(`[data-key="${CSS.escape(next.id)}"] button`)?.focus();
  }

  // view.created is the incident last made here, while its possible
  // duplicates are shown on its detail (createdDups).
  const dialog = newIncidentDialog(ctx, (inc) => {
    // Possible duplicates (dispatch/duplicate.go) are said loudly: the call
    // may belong to an open incident as another caller, or merge into it.
    const dups = (inc.possible_duplicates || []).map((d) => `${d.incident} (${d.distance_m} m, ${Math.round(d.age_seconds / 60)} min ago)`);
    view.created = dups.length ? inc : null;
    say(`Created ${inc.id}: ${store.typeName(inc.type)} at ${inc.location?.text || ''}${dups.length ? `. Possible duplicate of ${dups.join(', ')}` : ''}`, dups.length > 0);
    select(inc.id, {focus: true});
  }, (inc, made) => {
    const n = (inc.callers || []).length;
    say(`Call attached to ${inc.id} as caller ${n + 1}${made ? `; ${made.id} ${inc.merged?.includes(made.id) ? 'merged into it' : 'linked to it'}` : ''}`);
    select(inc.id, {focus: true});
    view.fetchFull(inc.id);
  });
  // Premise records (views/premise_form.js): entered from the incident or
  // the command line (hazard TEXT), removed from the hazard box.
  const mayPremise = () => store.may('POST /api/v1/premises') && !!ctx.me?.agency;
  const premise = premiseDialog(ctx, (rec) => {
    say(`Hazard record ${rec.id} entered at ${rec.location?.text || ''}: ${rec.flags.map((f) => f.kind).join(', ')}`);
    if (view.selected) view.fetchFull(view.selected);
  });
  const removing = removePremiseDialog((rec) => {
    say(`Hazard record ${rec.id} removed: ${rec.remove_reason || ''}`);
    if (view.selected) view.fetchFull(view.selected);
  });
  function openPremise(i, text = '') {
    if (!mayPremise()) return say('Your roles cannot enter premise records.', true);
    premise.open(i?.location?.lat != null ? i.location.text : '', text, i?.agency || '');
  }
  function openNew(location = '') {
    if (!store.may('POST /api/v1/incidents')) return say('Your roles cannot create incidents.', true);
    dialog.open(location);
  }
  // The parts call these (views/dispatch/detail.js, commands.js).
  Object.assign(view, {select, act, say, dispatch, dispatchTop, clearIncident, mayPremise, openPremise, openNew, removing, onIt, lateAfter});

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
    {key: 'r', label: 'Find the recommended units again', run: () => view.loadRecs()},
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
    if (c.has('incidents') || c.has('units')) view.renderDetail();
    if (c.has('units') && view.selected) {
      // Units changed: the recommendation may have too.
      clearTimeout(recTimer);
      recTimer = setTimeout(view.loadRecs, 800);
    }
  });
  renderQueue();
  renderBoard();
  view.renderDetail();
  if (view.selected) select(view.selected);
  const stopTicking = ticking(root);
  (queueList.querySelector('button') || queue).focus();

  return () => {
    unsubscribe();
    stopUnitActions();
    stopCommands();
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
