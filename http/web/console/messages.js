// messages.js — the messages panels (docs/console.md, "Messages"): the
// dispatcher's, to send to a unit or a group and see each recipient's
// receipts; and the unit's, where a message to the unit arrives live, is
// acknowledged as delivered at once and as read once it has been on the
// screen of a visible page.
//
// Only a message's sender and recipients receive its events, and the
// events carry a commitment of the text, never the text: the panels read
// the text from GET /api/v1/messages. tenfour does not tie an officer to a
// unit, so the unit's panel opens a stream of its own for the unit the
// officer picked (GET /api/v1/stream?unit=ID) and reads its messages with
// ?unit=ID.
//
// The list is paged, newest first (docs/api.md, "History lists"): a panel
// reads the newest page, and older ones on demand ("Older…"), which it keeps
// when it reads the list again after a message event.

import {get, post, seg} from './api.js';
import {h, replace, clockTime} from './dom.js';
import {Stream} from './stream.js';
import {districts} from './mapview.js';

// shown is how many messages a panel reads at first, newest first; each
// "Older…" reads as many again.
const shown = 20;
// readAfter is how long a message stays on a visible screen before it
// counts as read.
const readAfter = 1200;

// recipientName names a recipient ("unit:metro.1a12") for people.
function recipientName(store, r) {
  const [kind, id] = [r.slice(0, r.indexOf(':')), r.slice(r.indexOf(':') + 1)];
  if (kind === 'unit') return store.callSign(id);
  if (kind === 'dispatch') return 'Dispatch';
  return id;
}

// senderName names who sent a message.
function senderName(store, m) {
  return m.from_unit ? store.callSign(m.from_unit) : (m.from.user || m.from.system || 'tenfour');
}

// receiptText says where each recipient of m stands.
function receiptText(store, m) {
  return m.recipients.map((r) => {
    const name = recipientName(store, r);
    if (m.read[r]) return `${name}: read ${clockTime(m.read[r])}`;
    if (m.delivered[r]) return `${name}: delivered ${clockTime(m.delivered[r])}`;
    return `${name}: sent`;
  }).join(' · ');
}

function readState(m) {
  const n = m.recipients.filter((r) => m.read[r]).length;
  return n === 0 ? 'none' : n === m.recipients.length ? 'all' : 'some';
}

// A Reader acknowledges the messages that reach `me` (a recipient such as
// "unit:metro.1a12" or "dispatch:metro"): delivered when the console has
// them, read when one has been visible on a visible page for readAfter.
class Reader {
  constructor(me, body) {
    this.me = me;
    this.body = body; // the receipt body: {unit} or {}
    this.sent = new Set(); // "id/delivered", "id/read" already posted
    this.timers = new Map();
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const id = e.target.dataset.id;
        if (e.isIntersecting && document.visibilityState === 'visible') {
          if (!this.timers.has(id)) this.timers.set(id, setTimeout(() => this.ack(id, 'read'), readAfter));
        } else {
          clearTimeout(this.timers.get(id));
          this.timers.delete(id);
        }
      }
    }, {threshold: 0.6});
  }

  // watch acknowledges m's delivery and watches its element el for reading.
  watch(m, el) {
    if (!m.recipients.includes(this.me)) return;
    if (!m.delivered[this.me]) this.ack(m.id, 'delivered');
    if (!m.read[this.me]) this.observer.observe(el);
  }

  ack(id, what) {
    this.timers.delete(id);
    const key = `${id}/${what}`;
    if (this.sent.has(key)) return;
    this.sent.add(key);
    // A receipt is not retried here: it goes again when next seen.
    post(`/messages/${seg(id)}/${what}`, this.body, {retry: false}).catch(() => this.sent.delete(key));
  }

  reset() {
    this.observer.disconnect();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

// A Pages holds the messages of a panel read so far, newest first, and
// the path of the next (older) page, if any.
class Pages {
  constructor(path) {
    this.path = path; // the list, without before and limit
    this.msgs = [];
    this.next = '';
  }

  // reload reads the newest messages again, as many as were read so far
  // (at least a first page), and says whether path is still the panel's.
  async reload() {
    const path = this.path;
    const n = Math.min(1000, Math.max(shown, this.msgs.length));
    const r = await get(`${path}${path.includes('?') ? '&' : '?'}limit=${n}`);
    if (path !== this.path) return false;
    this.msgs = r.messages;
    this.next = r.next || '';
    return true;
  }

  // older reads the page after those read so far.
  async older() {
    const path = this.path, next = this.next;
    if (!next) return false;
    const r = await get(next);
    if (path !== this.path || next !== this.next) return false;
    const have = new Set(this.msgs.map((m) => m.id));
    this.msgs.push(...r.messages.filter((m) => !have.has(m.id)));
    this.next = r.next || '';
    return true;
  }
}

// olderButton returns the "Older…" control of a panel: it reads the next
// page of pages and calls render, and hides itself on the last page.
function olderButton(id, pages, render, onError) {
  const b = h('button', {type: 'button', class: 'ghost small msg-older', id, hidden: true, onclick: async () => {
    b.disabled = true;
    try {
      if (await pages.older()) render();
    } catch (e) {
      onError(e);
    } finally {
      b.disabled = false;
    }
  }}, 'Older…');
  return b;
}

// item renders one message for a panel whose own recipient is me.
function item(store, m, me) {
  const incoming = m.recipients.includes(me);
  return h('li', {class: `msg ${incoming ? 'incoming' : 'outgoing'}${incoming && !m.read[me] ? ' unread' : ''}${m.priority ? ' priority' : ''}`,
    'data-id': m.id, 'data-read': readState(m)},
  h('p', {class: 'msg-head'},
    h('time', {datetime: m.time}, clockTime(m.time)), ' ',
    h('strong', {}, senderName(store, m)), ' → ', m.to.map((t) => t.includes(':') ? recipientName(store, t) : 'Dispatch').join(', ')),
  h('p', {class: 'msg-text'}, m.text || ''),
  incoming ? null : h('p', {class: 'msg-receipts'}, receiptText(store, m)));
}

// unitMessages returns the unit view's panel: {el, setUnit(id), stop()}.
export function unitMessages(ctx) {
  const store = ctx.store;
  let unit = null, stream = null, reader = null, reload = null;
  const pages = new Pages('');
  const list = h('ol', {class: 'msg-list', id: 'unit-messages', 'aria-live': 'polite', 'aria-label': 'Messages to and from the unit'});
  const text = h('input', {id: 'unit-msg-text', maxlength: '2000', autocomplete: 'off', placeholder: 'Message'});
  // Dispatch, or another unit of the agency (unit ↔ unit).
  const to = h('select', {id: 'unit-msg-to', onfocus: () => fillTo()});
  const form = h('form', {class: 'msg-form', onsubmit: send},
    h('label', {for: 'unit-msg-to', class: 'sr-only'}, 'To'), to,
    h('label', {for: 'unit-msg-text', class: 'sr-only'}, 'Message'), text,
    h('button', {type: 'submit', id: 'unit-msg-send'}, 'Send'));
  function fillTo() {
    const keep = to.value;
    const units = [...store.units.values()].filter((u) => u.agency === ctx.me.agency && u.id !== unit)
      .sort((a, b) => a.call_sign.localeCompare(b.call_sign, 'en', {numeric: true}));
    replace(to, h('option', {value: 'dispatch'}, 'Dispatch'),
      h('optgroup', {label: 'Units'}, units.map((u) => h('option', {value: `unit:${u.id}`}, u.call_sign))));
    if (keep && [...to.options].some((o) => o.value === keep)) to.value = keep;
  }
  const older = olderButton('unit-msg-older', pages, () => render(), (e) => ctx.toast(`Older messages not read: ${e.message}`, 'error'));
  const el = h('section', {class: 'messages-panel unit-messages', 'aria-labelledby': 'unit-msg-title', hidden: true},
    h('h2', {id: 'unit-msg-title'}, 'Messages'), list, older, form);

  async function load() {
    const u = unit;
    if (!u) return;
    try {
      if (await pages.reload()) render();
    } catch (e) {
      if (u === unit) replace(list, h('li', {class: 'empty'}, `Messages not read: ${e.message}`));
    }
  }
  function render() {
    const me = `unit:${unit}`;
    older.hidden = !pages.next;
    if (!pages.msgs.length) return replace(list, h('li', {class: 'empty'}, 'No messages.'));
    reader.reset();
    replace(list, pages.msgs.map((m) => {
      const li = item(store, m, me);
      reader.watch(m, li);
      return li;
    }));
  }
  async function send(ev) {
    ev.preventDefault();
    const t = text.value.trim();
    if (!t || !unit) return;
    try {
      await post('/messages', {from_unit: unit, to: [to.value || 'dispatch'], text: t});
      text.value = '';
      load();
    } catch (e) {
      ctx.toast(e.message, 'error');
    }
  }
  function setUnit(id) {
    if (id === unit) return;
    stop();
    unit = id;
    pages.path = id ? `/messages?unit=${seg(id)}` : '';
    pages.msgs = [];
    pages.next = '';
    older.hidden = true;
    el.hidden = !id;
    if (!id) return;
    reader = new Reader(`unit:${id}`, {unit: id});
    fillTo();
    replace(list, h('li', {class: 'empty'}, 'Reading the messages…'));
    stream = new Stream({
      path: `/api/v1/stream?unit=${encodeURIComponent(id)}`,
      onState: () => {},
      onEvent: (e) => {
        if (!e.type.startsWith('message.')) return;
        clearTimeout(reload);
        reload = setTimeout(load, 100);
      },
    });
    stream.start();
    load();
  }
  function stop() {
    stream?.stop();
    stream = null;
    reader?.reset();
    clearTimeout(reload);
  }
  return {el, setUnit, stop};
}

// dispatchMessages returns the dispatcher's panel: {el, stop()}.
export function dispatchMessages(ctx) {
  const store = ctx.store;
  const agency = ctx.me.agency;
  const reader = new Reader(`dispatch:${agency}`, {});
  const pages = new Pages('/messages');
  let reload = null;
  const list = h('ol', {class: 'msg-list', id: 'dispatch-messages', 'aria-live': 'polite', 'aria-label': 'Messages'});
  const to = h('select', {id: 'msg-to', onfocus: () => fillTo()});
  const text = h('input', {id: 'msg-text', maxlength: '2000', autocomplete: 'off', placeholder: 'Message'});
  const form = h('form', {class: 'msg-form', onsubmit: send},
    h('label', {for: 'msg-to'}, 'To'), to,
    h('label', {for: 'msg-text', class: 'sr-only'}, 'Message'), text,
    h('button', {type: 'submit', id: 'msg-send'}, 'Send'));
  const unread = h('span', {class: 'count', id: 'msg-unread'});
  const older = olderButton('msg-older', pages, () => render(), (e) => ctx.toast(`Older messages not read: ${e.message}`, 'error'));
  const el = h('section', {class: 'panel messages-panel', 'aria-labelledby': 'msg-title', id: 'messages-panel'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'msg-title'}, 'Messages ', unread)), form, list, older);

  // fillTo offers the agency's units, its open incidents' units and all
  // its units; the choice is kept when the units change.
  let districtIds = [];
  districts().then((d) => {
    districtIds = d.districts.map((x) => x.id);
    if (document.activeElement !== to) fillTo();
  }).catch(() => {});
  function fillTo() {
    const keep = to.value;
    const units = [...store.units.values()].filter((u) => u.agency === agency)
      .sort((a, b) => a.call_sign.localeCompare(b.call_sign, 'en', {numeric: true}));
    const incidents = [...store.incidents.values()].filter((i) => i.agency === agency && i.status === 'ACTIVE');
    replace(to,
      h('optgroup', {label: 'Units'}, units.map((u) => h('option', {value: `unit:${u.id}`}, u.call_sign))),
      incidents.length ? h('optgroup', {label: 'Units on an incident'}, incidents.map((i) =>
        h('option', {value: `incident:${i.id}`}, `${i.id} · ${store.typeName(i.type)}`))) : null,
      districtIds.length ? h('optgroup', {label: 'Units in a district (where they are now)'}, districtIds.map((d) =>
        h('option', {value: `district:${d}`}, `District ${d}`))) : null,
      h('optgroup', {label: 'Groups'}, h('option', {value: `agency:${agency}`}, `All units of ${agency}`)));
    if (keep && [...to.options].some((o) => o.value === keep)) to.value = keep;
  }
  async function load() {
    try {
      if (await pages.reload()) render();
    } catch (e) {
      replace(list, h('li', {class: 'empty'}, `Messages not read: ${e.message}`));
    }
  }
  function render() {
    const me = `dispatch:${agency}`;
    // Unread among those read so far: the newest page, and the older ones
    // opened.
    const n = pages.msgs.filter((m) => m.recipients.includes(me) && !m.read[me]).length;
    unread.textContent = n ? `${n} unread` : '';
    older.hidden = !pages.next;
    if (!pages.msgs.length) return replace(list, h('li', {class: 'empty'}, 'No messages.'));
    reader.reset();
    replace(list, pages.msgs.map((m) => {
      const li = item(store, m, me);
      reader.watch(m, li);
      return li;
    }));
  }
  async function send(ev) {
    ev.preventDefault();
    const t = text.value.trim();
    if (!t || !to.value) return;
    try {
      const m = await post('/messages', {to: [to.value], text: t});
      text.value = '';
      ctx.announce(`Message sent to ${m.recipients.map((r) => recipientName(store, r)).join(', ')}`);
      load();
    } catch (e) {
      ctx.toast(e.message, 'error');
    }
  }
  const unwatch = store.watch((e) => {
    if (!e.type.startsWith('message.')) return;
    clearTimeout(reload);
    reload = setTimeout(load, 100);
  });
  fillTo();
  const unsubscribe = store.subscribe((c) => {
    if ((c.has('units') || c.has('incidents')) && document.activeElement !== to) fillTo();
  });
  load();
  return {el, stop: () => {
    unwatch();
    unsubscribe();
    reader.reset();
    clearTimeout(reload);
  }};
}
