// assistalerts.js — what a request for assistance must not let anyone
// miss (docs/events.md, "Assistance requests"): an officer of another
// agency who needs assistance (an EMERGENCY request), a request that
// escalated, a directive that stands in a request's way, and a unit
// helping that left before the requester released it. They go to
// the alerts band (alerts.js), spoken at once, for the users each event
// names as told: the server's own list of whom to bring it before.

import {get, getAll, seg} from './api.js';
import {clockTime} from './dom.js';
import {agencyText, splitAgency} from './partner.js';
import {tkey} from './store.js';
import {may} from './lifecycle.js';

// takesPart reports whether user me takes part in assistance requests:
// whoever may ask for one (POST /api/v1/requests: the route table's
// requesters) is alerted of those open before the page; an auditor, who
// reviews rather than answers, is not.
const takesPart = (me) => !!me?.agency && may(me, 'POST /api/v1/requests');

// toldMe reports whether user me is among the audiences told.
export function toldMe(me, told) {
  return (told || []).some((a) => a.agency === me?.agency && (!a.role || me.roles.includes(a.role)) && a.except !== me.username);
}

// unitName turns a unit id (metro.1a12) into its call sign (1A12) when
// the unit is another agency's, which this user's lists do not hold.
export function unitName(store, id) {
  const u = store.units.get(id);
  if (u) return u.call_sign;
  // A partner's unit, unit@peer: its call sign there, and the partner's
  // name as this installation knows it, as it was given.
  const {agency: local, peer} = splitAgency(id);
  return local.split('.').pop().toUpperCase() + (peer ? '@' + peer : '');
}

const reasons = {
  no_acknowledgement: 'nobody acknowledged it in time',
  no_decision: 'acknowledged, but neither accepted nor declined in time',
  declined: 'an agency asked declined it',
  conflict: 'a directive held it at its deadline',
  no_arrival: 'no unit sent was on scene by the arrival deadline',
  unit_left: 'nobody came instead of the units that left',
};

// escalationReason says in words why a request escalated.
export const escalationReason = (r) => reasons[r] || r;

// watchAssist raises the alerts of the assistance requests concerning the
// signed-in user, from the stream and, once, from the open requests. It
// returns the stop function.
export function watchAssist(store) {
  const name = (id) => agencyText(id, (a) => store.agencies.get(a)?.name);
  // emergency raises the alert of an EMERGENCY request. The requester's
  // own unit pressing the button is already an alert of its own (the
  // unit's EMERGENCY), so the requesting agency is not told twice.
  function emergency(seq, time, d) {
    const me = store.me;
    if (d.from_agency === me.agency && d.unit) return;
    const who = d.unit ? `${name(d.from_agency)} ${unitName(store, d.unit)}` : name(d.from_agency);
    store.alert({key: `assist:${d.request}`, seq, time, severity: 'critical', emergency: true,
      title: `EMERGENCY: ${who} needs assistance`,
      // The button's own nature ("officer needs assistance: unit … pressed
      // EMERGENCY") says nothing the title does not.
      text: `${d.location?.text || 'position unknown'}${d.location?.district ? ` (district ${d.location.district})` : ''}` +
        `${/^officer needs assistance: unit /.test(d.nature || '') ? '' : ` — ${d.nature}`}; asked ${(d.asked || []).map(name).join(', ')}`,
      request: d.request});
  }
  // unitLeft raises the alert of a unit helping that left request
  // d.request before its release: which unit, by whose order and why, and
  // what the request waits for now — read from the request, as the event
  // does not say whether others are still on their way.
  async function unitLeft(seq, e, d) {
    const by = e.actor?.user || (e.actor?.system ? `system:${e.actor.system}` : 'tenfour');
    let next = d.deadline ? `a deadline at ${clockTime(d.deadline)}` : 'others still on scene';
    try {
      const r = await get(`/requests/${seg(d.request)}`);
      if (!d.deadline) next = 'others still on scene';
      else if (r.waiting_for === 'arrival') next = `others still on their way, due by ${clockTime(d.deadline)}`;
      else next = `waiting for help again until ${clockTime(d.deadline)}`;
    } catch {
      // The alert says what the event says.
    }
    store.alert({key: `assist.unit_left:${d.request}:${d.unit}:${tkey(e.time)}`, seq, time: e.time,
      severity: d.urgency === 'EMERGENCY' ? 'critical' : 'warning',
      title: `${name(d.to_agency)} ${unitName(store, d.unit)} left ${d.request}`,
      text: `${name(d.to_agency)} ${unitName(store, d.unit)} left ${d.request} (${d.how || 'left'} by ${by})` +
        `${d.reason ? `: ${d.reason}` : ''}${(d.directives || []).length ? ` — directive ${d.directives.join(', ')} in force` : ''}; ${next}`,
      request: d.request});
  }
  const stop = store.watch((ev) => {
    const e = ev.data, d = e.data || {};
    const me = store.me;
    if (!me || !e.type?.startsWith('assist.')) return;
    switch (e.type) {
      case 'assist.requested':
        if (d.urgency === 'EMERGENCY' && toldMe(me, d.told)) emergency(ev.seq, e.time, d);
        break;
      case 'assist.escalated':
        if (!toldMe(me, d.told)) break;
        store.alert({key: `assist.escalated:${d.request}:${tkey(e.time)}`, seq: ev.seq, time: e.time,
          severity: d.urgency === 'EMERGENCY' ? 'critical' : 'warning',
          title: d.exhausted ? `${d.urgency} request: every level asked` : `${d.urgency} request escalated to level ${d.level}`,
          text: `${d.request} from ${name(d.from_agency)}: ${escalationReason(d.reason)}` +
            (d.exhausted ? '; still open, it alerts again at each deadline' : `; now asking ${(d.asked || []).map(name).join(', ')}`),
          request: d.request});
        break;
      case 'assist.conflict':
        if (!toldMe(me, d.told)) break;
        store.alert({key: `assist.conflict:${d.request}:${d.directive}`, seq: ev.seq, time: e.time, severity: 'critical',
          title: `Directive conflict: ${d.directive}`,
          text: `${d.issuer?.user || 'its issuer'}'s ${d.effect} order (${d.reason}) stands against ${d.urgency} request ${d.request} ` +
            `from ${name(d.from_agency)}; it escalates at its deadline unless an agency accepts`,
          request: d.request});
        break;
      case 'assist.unit_left':
        if (toldMe(me, d.told)) unitLeft(ev.seq, e, d);
        break;
      case 'assist.accepted':
      case 'assist.closed':
        // Help is on its way, or no longer needed: the emergency is over.
        store.resolve(`assist:${d.request}`);
        break;
    }
  });
  // The EMERGENCY requests open before this page: alerted once.
  if (takesPart(store.me)) {
    getAll('/requests?status=open&limit=1000', 'requests').then((l) => {
      for (const r of l) {
        const waiting = r.status === 'REQUESTED' || r.status === 'ACKNOWLEDGED';
        if (r.urgency !== 'EMERGENCY' || !waiting) continue;
        if (r.from_agency !== store.me.agency && !r.asked.some((a) => a.agency === store.me.agency)) continue;
        emergency(null, r.created, {request: r.id, from_agency: r.from_agency, unit: r.unit, location: r.location,
          nature: r.nature, asked: r.asked.map((a) => a.agency)});
      }
    }).catch(() => {
      // The supervisor's view lists them; the band is a second way.
    });
  }
  return stop;
}
