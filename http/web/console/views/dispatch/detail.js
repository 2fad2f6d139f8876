// views/dispatch/detail.js — the dispatcher's board's selected incident:
// where and what, its hazards, the recommendation with one-key dispatch,
// the units on it, its times, the call, notes, related incidents and
// priors nearby, and the note and disposition forms.

import {get, post, seg} from '../../api.js';
import {h, replace, timer, clockTime, duration} from '../../dom.js';
import {statusLabel, priorities} from '../../lifecycle.js';
import {hazardList} from '../../hazards.js';
import {duplicateList} from '../../duplicates.js';

// incidentDetail draws the selected incident in view.detail and puts its
// functions on view (views/dispatch.js): renderDetail, loadRecs, fetchFull.
export function incidentDetail(view) {
  const {ctx, store, detail} = view;

  // The detail has two parts: what is shown, redrawn when it changes, and
  // the forms (note, disposition), made once per incident so that typing
  // is never disturbed by the live updates.
  const detailInfo = h('div', {class: 'detail-info'});
  const detailForms = h('div', {class: 'detail-forms'});
  let infoSig = '';
  let formsFor = '';

  async function fetchFull(id) {
    try {
      await store.incident(id);
    } catch (e) {
      if (id === view.selected) ctx.toast(`Incident ${id}: ${e.message}`, 'error');
    }
  }

  async function loadPriors() {
    const i = store.incidents.get(view.selected);
    if (!i || view.priorsLoading === i.id) return;
    const id = i.id;
    view.priorsLoading = id;
    try {
      const r = await get(`/incidents/${seg(id)}/priors`);
      if (id === view.selected) view.priors = {for: id, list: r.priors || [], error: null};
    } catch (e) {
      if (id === view.selected) view.priors = {for: id, list: [], error: e.message};
    } finally {
      if (view.priorsLoading === id) view.priorsLoading = null;
    }
    renderDetail();
  }

  async function loadRecs() {
    const i = store.incidents.get(view.selected);
    if (!i || i.status === 'CLOSED' || !store.may('GET /api/v1/incidents/{id}/recommendations') || view.recsLoading === i.id) return;
    const id = i.id;
    view.recsLoading = id;
    try {
      const r = await get(`/incidents/${seg(id)}/recommendations?k=5`);
      // A run card, if one applies: the slots the units fill and what
      // none can (docs/console.md, "Run cards").
      if (id === view.selected) view.recs = {for: id, units: r.units || [], error: null, card: r.run_card || null, shortfall: r.shortfall || []};
    } catch (e) {
      if (id === view.selected) view.recs = {for: id, units: [], error: e.message};
    } finally {
      if (view.recsLoading === id) view.recsLoading = null;
    }
    renderDetail();
  }

  function renderDetail() {
    const i = store.incidents.get(view.selected);
    if (!i) {
      formsFor = '';
      infoSig = '';
      replace(detail, h('h2', {id: 'detail-title'}, 'No incident selected'),
        h('p', {class: 'hint'}, 'Choose an incident in the queue (j and k move, or click it); n starts a new one.'));
      return;
    }
    if (view.recs.for !== i.id && view.recsLoading !== i.id && i.status !== 'CLOSED') loadRecs();
    if (view.priors.for !== i.id && view.priorsLoading !== i.id) loadPriors();
    if (i.hazardsBehind && i.full) {
      i.hazardsBehind = false;
      fetchFull(i.id);
    }
    if (!detail.contains(detailInfo)) replace(detail, detailInfo, view.detailSlot, detailForms);
    const formsKey = i.id + i.status;
    if (formsFor !== formsKey) {
      formsFor = formsKey;
      replace(detailForms, store.may('POST /api/v1/incidents/{id}/notes') ? noteForm(i) : null,
        i.status !== 'CLOSED' && store.may('POST /api/v1/incidents/{id}/clear') ? clearForm(i) : null);
    }
    const sig = JSON.stringify([i, view.onIt(i).map((u) => [u.id, u.status, u.status_since, u.request, u.emergency_by]), view.recs, view.recsLoading === i.id, view.priors]);
    if (sig === infoSig) return;
    infoSig = sig;
    const active = document.activeElement;
    const keep = detailInfo.contains(active) && active.id ? active.id : null;
    const top = view.recs.for === i.id ? view.recs.units[0] : null;
    const canDispatch = store.may('POST /api/v1/incidents/{id}/dispatch') && i.status !== 'CLOSED';
    const times = [['Received', i.received], ['Answered', i.answered], ['Entered', i.entered], ['Dispatched', i.dispatched],
      ['En route', i.en_route], ['On scene', i.on_scene], ['Cleared', i.cleared]].filter(([, t]) => t);
    const loc = i.location || {};
    replace(detailInfo,
      h('header', {class: 'panel-head'},
        h('h2', {id: 'detail-title'}, h('span', {class: `prio p${i.priority}`}, `P${i.priority}`), ' ',
          store.typeName(i.type)),
        h('span', {class: `badge ${i.status.toLowerCase()}`}, i.status === 'PENDING' ? 'Waiting' : i.status === 'ACTIVE' ? 'Active' : 'Closed'),
        i.status !== 'CLOSED' ? timer(i.received, view.lateAfter(i)) : null),
      h('p', {class: 'd-loc'}, h('strong', {}, loc.text || 'No location'),
        loc.verified ? h('span', {class: 'ok', title: 'Found in the gazetteer'}, ' ✓ verified') : h('span', {class: 'warn'}, ' unverified'),
        loc.district ? ` · district ${loc.district}` : '', loc.beat ? ` · beat ${loc.beat}` : ''),
      h('p', {class: 'd-id'}, i.id, ' · ', priorities[i.priority]?.label || ''),
      hazardList(i.hazards, 'd-hazards'),
      hazardActions(i),
      view.created && view.created.id === i.id ? createdDups(i) : null,
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
    const list = view.recs.for === i.id ? view.recs.units : [];
    const card = view.recs.for === i.id ? view.recs.card : null;
    return h('section', {class: 'recs', 'aria-labelledby': 'recs-title'},
      h('h3', {id: 'recs-title'}, 'Recommended'),
      view.recs.for !== i.id ? h('p', {class: 'hint'}, 'Finding the nearest available units…') :
        view.recs.error ? h('p', {class: 'form-error'}, view.recs.error) :
          !list.length ? h('p', {class: 'warn'}, 'No unit of this agency to propose: none available with a known position.') : null,
      top && canDispatch ? h('button', {type: 'button', class: 'primary big', id: 'dispatch-top', 'aria-keyshortcuts': 'd',
        onclick: () => view.dispatch(i.id, [top.unit], !!top.preempts)},
      `Dispatch ${top.call_sign}`, h('span', {class: 'eta'}, ` ETA ${duration(top.eta_seconds)}`),
      top.preempts ? h('span', {class: 'eta'}, ` · off ${view.shortId(top.preempts)}`) : null, ' ', h('kbd', {}, 'd')) : null,
      card ? h('p', {class: 'run-card', id: 'd-run-card'}, `Run card: ${card.name}`,
        card.slots ? ` (${card.slots.map((s) => `${s.count} ${s.kind}`).join(', ')})` : '',
        list.length > 1 && canDispatch ? [' ', h('button', {type: 'button', class: 'ghost', id: 'dispatch-card',
          onclick: () => view.dispatch(i.id, list.map((r) => r.unit), false)}, `Dispatch all ${list.length}`)] : null) : null,
      card && view.recs.shortfall.length ? h('p', {class: 'warn', id: 'd-shortfall', role: 'status'},
        'Short: ' + view.recs.shortfall.map((s) => `${s.missing} ${s.kind}`).join(', ') + ' — no staffed unit available; ask for mutual aid or wait.') : null,
      list.length ? h('table', {class: 'rec-list'},
        h('thead', {}, h('tr', {}, [card ? 'Slot' : null, 'Unit', 'ETA', 'Distance', 'Why', ''].filter((c) => c !== null).map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, list.map((r, n) => h('tr', {},
          card ? h('td', {class: 'slot'}, r.slot || '') : null,
          h('td', {class: 'cs'}, r.call_sign),
          h('td', {class: 'num'}, duration(r.eta_seconds)),
          h('td', {class: 'num'}, `${(r.distance_m / 1000).toFixed(1)} km`),
          h('td', {class: 'reason'}, r.reason),
          h('td', {}, canDispatch && n > 0 ? h('button', {type: 'button', class: r.preempts ? 'ghost preempt' : 'ghost', id: `dispatch-${r.unit}`,
            onclick: () => view.dispatch(i.id, [r.unit], !!r.preempts)},
          r.preempts ? `Take ${r.call_sign} off ${view.shortId(r.preempts)}` : `Dispatch ${r.call_sign}`) : null))))) : null);
  }

  // hazardActions: a premise record entered at the incident's place, and
  // each record over it removed with a reason (views/premise_form.js).
  function hazardActions(i) {
    if (!view.mayPremise()) return null;
    const records = [...new Map((i.hazards || []).filter((z) => z.premise).map((z) => [z.premise, z])).values()];
    return h('div', {class: 'hazard-actions', id: 'd-hazard-actions'},
      i.location?.lat != null ? h('button', {type: 'button', class: 'ghost', id: 'add-hazard',
        onclick: () => view.openPremise(i)}, 'Add a hazard at this place') : null,
      records.map((z) => h('button', {type: 'button', class: 'ghost', id: `remove-hazard-${z.premise}`,
        onclick: () => view.removing.open(z.premise, `${z.place || i.location?.text || ''}`)}, `Remove record ${z.premise}…`)));
  }

  // createdDups keeps the server's possible duplicates of the incident just
  // made on its detail, with the way to fold it into one (merge).
  function createdDups(i) {
    const dups = view.created.possible_duplicates || [];
    if (!dups.length || i.status === 'CLOSED') return null;
    return h('section', {class: 'dup-box', id: 'd-dups', 'aria-labelledby': 'd-dups-title'},
      h('h3', {id: 'd-dups-title'}, 'Possible duplicates of this call'),
      duplicateList(store, dups, (d) => [
        h('button', {type: 'button', class: 'ghost', onclick: () => view.select(d.incident)}, 'Show'), ' ',
        store.may('POST /api/v1/incidents/{id}/merge') ? h('button', {type: 'button', class: 'ghost', id: `merge-into-${d.incident}`,
          onclick: () => view.act(`Merged ${view.shortId(i.id)} into ${view.shortId(d.incident)}`,
            () => post(`/incidents/${seg(i.id)}/merge`, {into: d.incident, reason: `the same emergency as ${d.incident}`}))
            .then((ok) => ok && ((view.created = null), view.select(d.incident)))}, `Merge ${view.shortId(i.id)} into it`) : null]));
  }

  // priorList shows the agency's other incidents near this one's place over
  // the last year (GET /api/v1/incidents/{id}/priors).
  function priorList(i) {
    if (view.priors.for !== i.id) return null;
    return h('section', {class: 'priors', id: 'd-priors', 'aria-labelledby': 'priors-title'},
      h('h3', {id: 'priors-title'}, 'Prior incidents within 100 m or at this address, last 365 days'),
      view.priors.error ? h('p', {class: 'form-error'}, view.priors.error) :
        !view.priors.list.length ? h('p', {class: 'hint'}, 'None.') :
          h('ul', {}, view.priors.list.map((p) => h('li', {},
            h('time', {datetime: p.received}, new Date(p.received).toLocaleDateString()), ' ',
            store.typeName(p.type), ` · ${p.incident} · `,
            p.same_address ? 'same address' : `${Math.round(p.distance_m)} m`,
            p.disposition ? ` · ${p.disposition}` : ` · ${p.status.toLowerCase()}`))));
  }

  function assigned(i) {
    const now = view.onIt(i);
    const before = i.units.filter((id) => !now.some((u) => u.id === id));
    if (!i.units.length) return null;
    return h('section', {class: 'assigned', 'aria-labelledby': 'assigned-title'},
      h('h3', {id: 'assigned-title'}, 'Units'),
      h('ul', {}, now.map((u) => h('li', {class: `chip st-${u.status}`},
        h('span', {class: 'cs'}, u.call_sign), ' ', statusLabel(u.status), ' ', timer(u.status_since),
        // Cancel (disregard), End EMERGENCY (views/dispatch/unit_actions.js).
        h('span', {class: 'chip-acts'}, view.unitControls(u, 'detail')))),
      before.map((id) => h('li', {class: 'chip gone'}, h('span', {class: 'cs'}, store.callSign(id)),
        i.cancelled && id in i.cancelled ? ` cancelled${i.cancelled[id] ? `: ${i.cancelled[id]}` : ''}` : ' cleared'))));
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
      if (await view.act(`Note added to ${view.shortId(i.id)}`, () => post(`/incidents/${seg(i.id)}/notes`, {text}))) {
        input.value = '';
        fetchFull(i.id);
      }
    }}, h('label', {for: 'note-text'}, 'Note ', h('kbd', {}, 'o')), input, h('button', {type: 'submit', class: 'ghost'}, 'Add note'));
  }

  function clearForm(i) {
    const input = h('input', {id: 'disposition', autocomplete: 'off', maxlength: '200', placeholder: 'report taken'});
    return h('form', {class: 'inline-form', onsubmit: (ev) => {
      ev.preventDefault();
      view.clearIncident(i.id, input.value.trim());
    }}, h('label', {for: 'disposition'}, 'Disposition ', h('kbd', {}, 'c')), input,
    h('button', {type: 'submit', class: 'ghost'}, 'Clear incident'));
  }

  Object.assign(view, {renderDetail, loadRecs, fetchFull});
}
