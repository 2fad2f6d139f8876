// views/dispatch/unit_actions.js — letting a unit go from the dispatcher's
// board (release.js): "Cancel (disregard)" for a unit on its way, "End
// EMERGENCY" for a unit in EMERGENCY, each with its reason asked in an
// inline form next to where it was pressed (the selected incident's units
// or the unit board). The controls are offered to whom the server lets do
// it; to others the reason why not is said.

import {post, seg} from '../../api.js';
import {h, replace} from '../../dom.js';
import {statusLabel} from '../../lifecycle.js';
import {cancelRule, endRule, onItsWay, reasonForm} from '../../release.js';

// unitActions puts on view (views/dispatch.js) the slots the form opens in
// (detailSlot, boardSlot) and unitControls, openCancel, openEnd; it
// returns the function that stops it.
export function unitActions(view) {
  const {store, ctx} = view;
  // Each slot is kept out of the parts redrawn live, so that typing the
  // reason is never disturbed.
  const detailSlot = h('div', {class: 'unit-act-slot', id: 'unit-act-detail'});
  const boardSlot = h('div', {class: 'unit-act-slot', id: 'unit-act-board'});
  let open = null; // {unit, kind, slot}

  // unitControls returns the controls for unit u shown at where ('detail'
  // or 'board'): buttons, or the sentence saying who may.
  function unitControls(u, where) {
    const c = cancelRule(ctx.me, u), e = endRule(ctx.me, u);
    const out = [];
    if (c.ok) {
      out.push(h('button', {type: 'button', class: 'ghost unit-cancel', id: `cancel-${where}-${u.id}`,
        'aria-label': `Cancel (disregard) ${u.call_sign}`, onclick: () => openCancel(u, where)}, 'Cancel (disregard)'));
    } else if (c.why) {
      out.push(brief('unit-cancel-no', c.why, where === 'detail' ? null : 'helping: supervisor cancels'));
    }
    if (e.ok) {
      out.push(h('button', {type: 'button', class: 'danger-ghost unit-end-emergency', id: `end-emergency-${where}-${u.id}`,
        'aria-label': `End EMERGENCY of ${u.call_sign}`, onclick: () => openEnd(u, null, where)}, 'End EMERGENCY…'));
    } else if (e.why) {
      out.push(brief('unit-end-no', e.why, where === 'detail' ? null : 'supervisor ends it'));
    }
    return out;
  }

  // brief says why not: in full, or, on the crowded board, in a few
  // words — the full sentence on hover and for screen readers.
  function brief(cls, why, short) {
    if (!short) return h('span', {class: `hint ${cls}`}, why);
    return h('span', {class: `hint ${cls}`, title: why}, h('span', {'aria-hidden': 'true'}, short), h('span', {class: 'sr-only'}, why));
  }

  function slotOf(where) {
    return where === 'board' ? boardSlot : detailSlot;
  }

  function close(say) {
    if (!open) return;
    const was = open;
    open = null;
    replace(detailSlot);
    replace(boardSlot);
    if (say) ctx.announce(say);
    document.getElementById(`${was.kind === 'cancel' ? 'cancel' : 'end-emergency'}-${was.where}-${was.unit}`)?.focus();
  }

  // openCancel asks why unit u is called back, then cancels it.
  function openCancel(u, where) {
    const f = reasonForm({id: 'cancel-form', question: `Why is ${u.call_sign} cancelled? (required, on the record)`,
      submitLabel: `Cancel ${u.call_sign} (disregard)`, placeholder: 'not needed: caller says the fight is over',
      submit: async (reason) => {
        const on = u.incident ? ` from ${view.shortId(u.incident)}` : u.request ? ` from request ${u.request}` : '';
        try {
          sending(true);
          store.takeUnit(await post(`/units/${seg(u.id)}/cancel`, {reason}));
        } catch (e) {
          return e.message;
        } finally {
          sending(false);
        }
        close();
        view.say(`Cancelled ${u.call_sign}${on}: ${reason}`);
        return null;
      },
      cancel: () => close('Not cancelled')});
    show(u, 'cancel', where, f, `Cancel ${u.call_sign} (disregard)`);
  }

  // openEnd asks why the EMERGENCY of unit u is over and where the unit
  // goes (status, else the first the server offers), then ends it; reason
  // fills the field (from the command line).
  async function openEnd(u, status, where, reason = '') {
    const next = (await store.nextStatusesRead(u.id))?.filter((s) => s !== 'EMERGENCY') || ['AVAILABLE'];
    const f = reasonForm({id: 'end-emergency-form', question: `Why is ${u.call_sign}'s EMERGENCY over? (required, on the record)`,
      submitLabel: `End EMERGENCY of ${u.call_sign}`, statuses: next, status: status || u.resume || next[0],
      placeholder: 'officer safe, spoke to them on the radio',
      submit: async (why, to) => {
        try {
          sending(true);
          store.takeUnit(await post(`/units/${seg(u.id)}/status`, {status: to, reason: why}));
        } catch (e) {
          return e.message;
        } finally {
          sending(false);
        }
        close();
        view.say(`${u.call_sign}'s EMERGENCY ended (${statusLabel(to)}): ${why}`);
        return null;
      },
      cancel: () => close('EMERGENCY not ended')});
    f.input.value = reason;
    show(u, 'end', where, f, `End EMERGENCY of ${u.call_sign}`);
  }

  // sending marks the open form as sent: the unit's change is its own
  // doing, not a reason to close it unasked.
  function sending(on) {
    if (open) open.sending = on;
  }

  function show(u, kind, where, f, title) {
    replace(detailSlot);
    replace(boardSlot);
    open = {unit: u.id, kind, where};
    replace(slotOf(where), h('section', {class: `unit-act ${kind}`, 'aria-label': title},
      h('h3', {}, title), f.el));
    f.focus();
    // The whole form in sight, its buttons too, in a short panel.
    slotOf(where).scrollIntoView({block: 'nearest'});
  }

  // The form closes, saying so, once the unit has moved on without it.
  const stop = store.subscribe((c) => {
    if (!open || open.sending || !c.has('units')) return;
    const u = store.units.get(open.unit);
    const still = open.kind === 'cancel' ? onItsWay(u) : u?.status === 'EMERGENCY';
    if (!still) close(`${u?.call_sign || open.unit} is ${statusLabel(u?.status)} now: the form closed`);
  });

  Object.assign(view, {detailSlot, boardSlot, unitControls, openCancel, openEnd});
  return stop;
}
