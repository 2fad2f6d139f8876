// release.js — letting a unit go, as the server allows it
// (dispatch/leave.go): cancelling a unit on its way ("disregard") and
// ending an officer's EMERGENCY. Both need a reason, asked in an inline
// form; the console offers each only to whoever the server lets do it,
// and says who may otherwise. The server decides alone: these rules only
// spare a user a button that would be refused.

import {h} from './dom.js';
import {may, statusLabel} from './lifecycle.js';

// onItsWay reports whether unit u may be cancelled: it is on its way.
export const onItsWay = (u) => u?.status === 'DISPATCHED' || u?.status === 'EN_ROUTE';

const supervises = (me, agency) => !!me?.roles?.includes('supervisor') && me.agency === agency;

// cancelRule says whether user me may cancel unit u: {ok} or {ok: false,
// why}, why being the sentence shown in place of the control (null when
// the user's roles cancel no unit at all: nothing is shown).
export function cancelRule(me, u) {
  if (!onItsWay(u) || !may(me, 'POST /api/v1/units/{id}/cancel')) return {ok: false, why: null};
  if (u.request && !supervises(me, u.agency)) {
    return {ok: false, why: `${u.call_sign} is helping on request ${u.request}: only a supervisor of its agency may call it back`};
  }
  return {ok: true};
}

// endRule says whether user me may end the EMERGENCY of unit u: the
// officer who pressed it (u.emergency_by) or a supervisor of its agency.
export function endRule(me, u) {
  if (u?.status !== 'EMERGENCY') return {ok: false, why: null};
  if ((u.emergency_by && u.emergency_by === me?.username) || supervises(me, u.agency)) return {ok: true};
  return {ok: false, why: `Only ${u.emergency_by ? `${u.emergency_by}, who pressed it, or ` : ''}a supervisor of ${u.agency} may end ${u.call_sign}'s EMERGENCY`};
}

// endRequestRule says whether user me may close request r: any
// requester for an URGENT or ROUTINE one; for an EMERGENCY, the person
// who raised it (r.user) or a supervisor of the requesting agency.
export function endRequestRule(me, r) {
  if (r.urgency !== 'EMERGENCY' || (r.user && r.user === me?.username) || supervises(me, r.from_agency)) return {ok: true};
  return {ok: false, why: `Only ${r.user ? `${r.user}, who raised it, or ` : ''}a supervisor of ${r.from_agency} may close this EMERGENCY request`};
}

// reasonForm makes the inline form that asks why: id names its fields;
// question is the label; statuses, if given, are the statuses to choose
// from (ending an EMERGENCY), status the one chosen first; submit(reason,
// status) sends it and returns an error message or null; cancel closes it.
// It returns {el, focus}.
export function reasonForm({id, question, submitLabel, statuses, status, placeholder, submit, cancel}) {
  const input = h('input', {id: `${id}-reason`, name: 'reason', autocomplete: 'off', maxlength: '500', 'aria-required': 'true',
    placeholder: placeholder || '', 'aria-describedby': `${id}-error`});
  const select = statuses ? h('select', {id: `${id}-status`, name: 'status'},
    statuses.map((s) => h('option', {value: s, selected: s === status}, statusLabel(s)))) : null;
  const err = h('p', {class: 'form-error', id: `${id}-error`, role: 'alert'});
  const send = h('button', {type: 'submit', class: 'danger'}, submitLabel);
  const el = h('form', {class: 'reason-form', id, 'aria-label': question, onsubmit: async (ev) => {
    ev.preventDefault();
    const reason = input.value.trim();
    if (!reason) {
      err.textContent = 'A reason is required: it goes on the record.';
      input.focus();
      return;
    }
    err.textContent = '';
    send.disabled = true;
    const problem = await submit(reason, select?.value);
    send.disabled = false;
    if (problem) {
      err.textContent = problem;
      input.focus();
    }
  }},
  select ? [h('label', {for: select.id}, 'Go to'), select] : null,
  h('label', {for: input.id}, question), input, err,
  h('div', {class: 'form-buttons'}, send,
    h('button', {type: 'button', class: 'ghost', onclick: cancel}, 'Back')));
  input.addEventListener('input', () => {
    if (input.value.trim()) err.textContent = '';
  });
  el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      cancel();
    }
  });
  return {el, focus: () => input.focus(), input};
}
