// alerts.js — what must not be missed: a unit's EMERGENCY and the alert.*
// events (docs/events.md, "Timers and alerts"), shown in a band across the
// top of every view, spoken at once through an assertive live region and
// heard (sound.js). An alert stays until this user acknowledges it; an
// emergency that is over (the unit left EMERGENCY) stays too, marked over.
//
// Acknowledging an alert that names its event (its seq) is a command:
// POST /api/v1/alerts/{seq}/acknowledge records alert.acknowledged, naming
// who saw it and when (docs/api.md, "Alerts"). The alert leaves this
// screen once the server has it; another user's acknowledgement, from the
// stream, shows as "seen by …" and leaves the alert here for this user.

import {get, getAll, post} from './api.js';
import {h, reconcile, clockTime} from './dom.js';

export class Alerts {
  constructor(store, band, announcer, {onOpen, canOpen} = {}) {
    this.store = store;
    this.band = band;
    this.announcer = announcer;
    this.onOpen = onOpen || (() => {});
    this.canOpen = canOpen || (() => false);
    this.spoken = new Set();
    this.looked = new Set(); // alerts whose event was looked for
    this.list = h('ul', {class: 'alert-list'});
    band.replaceChildren(h('h2', {class: 'sr-only'}, 'Alerts'), this.list);
    store.subscribe((c) => c.has('alerts') && this.render());
  }

  render() {
    const open = this.store.alerts.filter((a) => !a.acked);
    this.band.hidden = open.length === 0;
    document.body.classList.toggle('has-emergency', open.some((a) => a.emergency && !a.over));
    const sig = (a) => `${a.over}|${a.seq}|${a.sending}|${a.error || ''}|${(a.seenBy || []).map((s) => s.user).join(',')}`;
    reconcile(this.list, open, (a) => a.key, sig, (a) => this.item(a));
    for (const a of open) {
      if (a.seq == null) this.lookUp(a);
      if (this.spoken.has(a.key)) continue;
      this.spoken.add(a.key);
      if (!a.over) this.say(`${a.title}. ${a.text}`);
    }
  }

  item(a) {
    const cls = `alert ${a.severity}${a.emergency ? ' emergency' : ''}${a.over ? ' over' : ''}`;
    const seen = (a.seenBy || []).map((s) => `${s.user} at ${clockTime(s.time)}`).join(', ');
    return h('li', {class: cls, 'data-seq': a.seq ?? null},
      h('strong', {class: 'alert-title'}, a.title),
      h('span', {class: 'alert-text'}, a.text),
      h('time', {datetime: a.time}, clockTime(a.time)),
      a.over ? h('span', {class: 'alert-over'}, 'over') : null,
      seen ? h('span', {class: 'alert-seen'}, `seen by ${seen}`) : null,
      a.error ? h('span', {class: 'alert-error', role: 'alert'}, `Not acknowledged: ${a.error}`) : null,
      (a.incident || a.request) && this.canOpen(a) ? h('button', {type: 'button', class: 'ghost', onclick: () => this.onOpen(a)}, 'Show') : null,
      h('button', {type: 'button', class: 'ack', disabled: a.sending || null, 'aria-busy': a.sending ? 'true' : null,
        onclick: () => this.ack(a), 'aria-label': a.sending ? `Sending the acknowledgement: ${a.title}` : `Acknowledge: ${a.title}`},
      a.sending ? 'Sending…' : 'Acknowledge'));
  }

  say(text) {
    // Clearing first makes a screen reader announce a repeated text again.
    this.announcer.textContent = '';
    setTimeout(() => { this.announcer.textContent = text; }, 50);
  }

  // ack acknowledges alert a: on the record when it names its event, and
  // off this screen once the server has it; on this screen only when it
  // does not (an alert the console raised itself whose event is unknown),
  // or when this user is not one an alert calls (an auditor, an
  // administrator: the route's roles).
  async ack(a) {
    const store = this.store;
    if (a.sending || a.acked) return;
    if (a.seq == null || !store.may('POST /api/v1/alerts/{seq}/acknowledge')) {
      store.ack(a.key);
      return;
    }
    store.ackSending(a.key);
    try {
      await post(`/alerts/${a.seq}/acknowledge`);
      store.ack(a.key);
    } catch (e) {
      store.ackFailed(a.key, e.message || 'the server did not answer');
    }
  }

  // ackAll acknowledges every alert shown (key "a").
  ackAll() {
    for (const a of this.store.alerts) if (!a.acked) this.ack(a);
  }

  // lookUp finds the event of an alert the console raised without one,
  // when the records say it: the EMERGENCY of a unit already in EMERGENCY
  // when the page loaded (in its request's timeline), or an EMERGENCY
  // request open before the page (its assist.requested). Once per alert.
  async lookUp(a) {
    if (this.looked.has(a.key)) return;
    this.looked.add(a.key);
    const store = this.store;
    if (!store.may('GET /api/v1/requests')) return;
    try {
      let request = a.request, match;
      if (a.key.startsWith('emergency:')) {
        if (!request) {
          const l = await getAll('/requests?status=open&limit=1000', 'requests');
          const r = l.filter((r) => r.unit === a.unit && r.urgency === 'EMERGENCY' && r.status !== 'CLOSED').pop();
          request = r?.id;
        }
        match = (e) => e.type === 'unit.status_changed' && e.data?.unit === a.unit && e.data?.status === 'EMERGENCY';
      } else if (a.key.startsWith('assist:')) {
        match = (e) => e.type === 'assist.requested';
      }
      if (!request || !match) return;
      const tl = await get(`/requests/${encodeURIComponent(request)}/timeline`);
      const ev = (tl.entries || []).filter(match).pop();
      if (ev) store.alertSeq(a.key, ev.seq);
    } catch (e) {
      // The alert stays acknowledgeable on this screen only.
      console.warn('console could not find the event of an alert', a.key, e);
    }
  }
}
