// alerts.js — what must not be missed: a unit's EMERGENCY and the alert.*
// events (docs/events.md, "Timers and alerts"), shown in a band across the
// top of every view and spoken at once through an assertive live region.
// An alert stays until someone at this screen acknowledges it; an
// emergency that is over (the unit left EMERGENCY) stays too, marked over.

import {h, reconcile, clockTime} from './dom.js';

export class Alerts {
  constructor(store, band, announcer, {onOpen, canOpen} = {}) {
    this.store = store;
    this.band = band;
    this.announcer = announcer;
    this.onOpen = onOpen || (() => {});
    this.canOpen = canOpen || (() => false);
    this.spoken = new Set();
    this.list = h('ul', {class: 'alert-list'});
    band.replaceChildren(h('h2', {class: 'sr-only'}, 'Alerts'), this.list);
    store.subscribe((c) => c.has('alerts') && this.render());
  }

  render() {
    const open = this.store.alerts.filter((a) => !a.acked);
    this.band.hidden = open.length === 0;
    document.body.classList.toggle('has-emergency', open.some((a) => a.emergency && !a.over));
    reconcile(this.list, open, (a) => a.key, (a) => `${a.over}`, (a) => this.item(a));
    for (const a of open) {
      if (this.spoken.has(a.key)) continue;
      this.spoken.add(a.key);
      if (!a.over) this.say(`${a.title}. ${a.text}`);
    }
  }

  item(a) {
    const cls = `alert ${a.severity}${a.emergency ? ' emergency' : ''}${a.over ? ' over' : ''}`;
    return h('li', {class: cls},
      h('strong', {class: 'alert-title'}, a.title),
      h('span', {class: 'alert-text'}, a.text),
      h('time', {datetime: a.time}, clockTime(a.time)),
      a.over ? h('span', {class: 'alert-over'}, 'over') : null,
      (a.incident || a.request) && this.canOpen(a) ? h('button', {type: 'button', class: 'ghost', onclick: () => this.onOpen(a)}, 'Show') : null,
      h('button', {type: 'button', class: 'ack', onclick: () => this.store.ack(a.key),
        'aria-label': `Acknowledge: ${a.title}`}, 'Acknowledge'));
  }

  say(text) {
    // Clearing first makes a screen reader announce a repeated text again.
    this.announcer.textContent = '';
    setTimeout(() => { this.announcer.textContent = text; }, 50);
  }

  // ackAll acknowledges every alert shown (key "a").
  ackAll() {
    for (const a of this.store.alerts) if (!a.acked) this.store.ack(a.key);
  }
}
