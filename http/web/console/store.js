// store.js — the console's view of dispatch: agencies, units, incidents,
// positions and alerts, loaded once from the API and then kept current by
// folding in each event of the stream (docs/events.md), as the server's
// state folds them.
//
// The first load and the stream overlap: the stream is opened first and
// its events held back until the lists are in, then folded in. Folding is
// idempotent — an event older than what a record already shows changes
// nothing — so an event that is in both is counted once.

import {get, getAll} from './api.js';
import {may} from './lifecycle.js';

// tkey turns an RFC 3339 time into nanoseconds since the epoch (a BigInt),
// so that times written with different precisions compare exactly.
export function tkey(t) {
  if (!t) return 0n;
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(t);
  if (!m) return 0n;
  const ms = Date.parse(m[1] + m[3]);
  if (Number.isNaN(ms)) return 0n;
  return BigInt(ms) * 1000000n + BigInt((m[2] || '').padEnd(9, '0').slice(0, 9));
}

// unitKey names the state of a unit that its next statuses follow from:
// its status and since when (a unit back from EMERGENCY has a new one).
const unitKey = (u) => `${u.status}@${tkey(u.status_since)}`;

export class Store {
  constructor() {
    this.me = null;
    this.agencies = new Map();
    this.units = new Map();
    this.incidents = new Map();
    this.positions = new Map();
    this.types = [];
    this.alerts = [];
    this.listeners = new Set();
    this.watchers = new Set();
    this.changed = new Set();
    this.flushing = false;
    this.held = null; // events held back during the first load
    this.loaded = false;
  }

  // subscribe calls fn(changed) after each batch of changes, changed
  // being a Set of "units", "incidents", "positions", "alerts", "types",
  // "agencies". It returns the unsubscribe function.
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // watch calls fn(ev) with every event of the stream once the store has
  // folded it in: for what the store does not keep itself (assistance
  // requests, directives). It returns the unwatch function.
  watch(fn) {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  touch(what) {
    this.changed.add(what);
    if (this.flushing) return;
    this.flushing = true;
    queueMicrotask(() => {
      const c = this.changed;
      this.changed = new Set();
      this.flushing = false;
      for (const fn of this.listeners) {
        try {
          fn(c);
        } catch (e) {
          console.error('console view failed to update', e);
        }
      }
    });
  }

  // may reports whether the user may call route, as the server says
  // (lifecycle.js may).
  may(route) {
    return may(this.me, route);
  }

  // nextStatuses returns the statuses unit id may go to now, as the server
  // last said them with the unit (next_statuses: dispatch's lifecycle), or
  // null while they are unknown. A change of status from the stream makes
  // them stale: the units are read again, once for each state of the unit,
  // and the views drawn again when they are in.
  nextStatuses(id) {
    const u = this.units.get(id);
    if (!u) return null;
    const k = unitKey(u);
    if (u.next_statuses && u.next_for === k) return u.next_statuses;
    if (u.next_asked !== k) {
      u.next_asked = k;
      this.readUnits();
    }
    return null;
  }

  // nextStatusesRead is nextStatuses once the units have been read again
  // if need be: for a command typed, which can wait for the answer.
  async nextStatusesRead(id) {
    const now = this.nextStatuses(id);
    if (now || !this.unitsRead) return now;
    await this.unitsRead;
    return this.nextStatuses(id);
  }

  // readUnits reads the units again for their next statuses: one read at
  // a time, and one more after it if asked for meanwhile (a unit may have
  // moved on since the read under way was asked).
  readUnits() {
    if (this.unitsRead) {
      this.unitsAgain = true;
      return;
    }
    this.unitsRead = get('/units').then((l) => {
      for (const a of l.units || []) this.takeUnit(a);
    }).catch((e) => console.error('console could not read the units', e)).finally(() => {
      this.unitsRead = null;
      if (this.unitsAgain) {
        this.unitsAgain = false;
        this.readUnits();
      }
    });
  }

  // takeUnit keeps the next statuses of a unit as the server answered it
  // (the list, a change of status), for the state the unit was in then:
  // the answer to a change may come before its event on the stream, and a
  // list read may be older than the stream.
  takeUnit(a) {
    const u = a && this.units.get(a.id);
    if (!u || !a.next_statuses || tkey(a.status_since) < (u.next_since ?? -1n)) return;
    u.next_statuses = a.next_statuses;
    u.next_for = unitKey(a);
    u.next_since = tkey(a.status_since);
    this.touch('units');
  }

  // hold holds back the stream's events until load has read the lists.
  hold() {
    this.held = [];
  }

  // load reads the lists this user may read; the events held back since
  // hold are folded in after them.
  async load() {
    const read = (route, path) => (this.may(route) ? get(path) : Promise.resolve(null));
    // Positions are soft and held by the sequencer alone: while it changes,
    // the picture neither fails without them nor waits long for them.
    const positions = read('GET /api/v1/units/positions', '/units/positions').catch(() => null);
    const [agencies, units, incidents, types, early] = await Promise.all([
      get('/agencies'), get('/units'),
      // Open work only: closed incidents are history (views/history.js),
      // read from the archive when asked for. Every page of it, though.
      this.may('GET /api/v1/incidents') ? getAll('/incidents?status=open&limit=1000', 'incidents').then((l) => ({incidents: l})) : null,
      get('/incident-types'),
      Promise.race([positions, new Promise((r) => setTimeout(() => r(undefined), 1500))]),
    ]);
    for (const a of agencies.agencies) this.agencies.set(a.id, a);
    for (const u of units.units) this.units.set(u.id, {...u, next_for: unitKey(u), next_since: tkey(u.status_since)});
    for (const p of early?.positions || []) this.positions.set(p.unit, p);
    for (const i of incidents?.incidents || []) this.incidents.set(i.id, {...i, notes: i.notes || [], units: i.units || []});
    this.types = types || [];
    for (const u of this.units.values()) if (u.status === 'EMERGENCY') this.emergency(u, u.status_since);
    const held = this.held;
    this.held = null;
    this.loaded = true;
    for (const ev of held) this.fold(ev);
    for (const w of ['agencies', 'units', 'incidents', 'types', 'positions', 'alerts']) this.touch(w);
    if (early === undefined) {
      positions.then((late) => {
        for (const p of late?.positions || []) this.position(p);
      });
    }
  }

  // incident fetches one incident in full (with its caller, narrative and
  // notes, which the stream carries only as commitments) and keeps its
  // private fields. What the stream says stays: it may have moved on while
  // the request was out.
  async incident(id) {
    const full = await get('/incidents/' + encodeURIComponent(id));
    const have = this.incidents.get(id);
    if (!have) {
      this.incidents.set(id, {...full, notes: full.notes || [], units: full.units || [], full: true});
    } else {
      have.caller = full.caller;
      have.narrative = full.narrative;
      have.hazards = full.hazards || []; // premise flags over its place, as they stand now
      have.location = full.location || have.location;
      have.hazardsBehind = false;
      // Further callers, merges and links, as the server shows them to
      // this user (dispatch/duplicate.go, merge.go).
      have.callers = full.callers || [];
      have.links = full.links || [];
      have.merged = full.merged || [];
      have.merged_into = full.merged_into || '';
      for (const n of full.notes || []) {
        const x = have.notes.find((y) => y.n === n.n);
        if (x) Object.assign(x, n);
        else have.notes.push(n);
      }
      have.notes.sort((a, b) => a.n - b.n);
      for (const k of ['answered', 'entered', 'dispatched', 'en_route', 'on_scene', 'cleared', 'disposition']) have[k] ||= full[k];
      have.full = true;
    }
    this.touch('incidents');
    return this.incidents.get(id);
  }

  // fold applies one event of the stream: {seq, type, data: leaf}.
  fold(ev) {
    if (this.held) {
      this.held.push(ev);
      return;
    }
    const e = ev.data, d = e.data || {};
    switch (e.type) {
      case 'agency.created':
        if (!this.agencies.has(d.id)) this.agencies.set(d.id, {id: d.id, name: d.name, kind: d.kind});
        this.touch('agencies');
        break;
      case 'unit.created':
        if (!this.units.has(d.id)) {
          this.units.set(d.id, {id: d.id, call_sign: d.call_sign, agency: e.agency, kind: d.kind,
            capabilities: d.capabilities || [], status: 'AVAILABLE', status_since: e.time});
          this.touch('units');
        }
        break;
      case 'unit.signed_on': // the roster (dispatch/roster.go)
      case 'unit.signed_off':
        for (const id of d.units || []) {
          const u = this.units.get(id);
          if (!u) continue;
          u.staffing = e.type === 'unit.signed_on' ? 'STAFFED' : 'UNSTAFFED';
          u.crew = e.type === 'unit.signed_on' ? d.crew || [] : [];
        }
        this.touch('units');
        break;
      case 'unit.cross_staffed':
        for (const [id, partner] of [[d.unit, d.partner || ''], [d.partner || d.previous, d.partner ? d.unit : '']]) {
          const u = this.units.get(id);
          if (u) u.cross_staffed = partner;
        }
        this.touch('units');
        break;
      case 'unit.status_changed':
        this.statusChanged(e, d, ev.seq);
        break;
      case 'incident.created':
        if (!this.incidents.has(d.id)) {
          this.incidents.set(d.id, {id: d.id, agency: e.agency, type: d.type, priority: d.priority,
            location: d.location || {}, status: 'PENDING', units: [], notes: [],
            received: d.received || e.time, answered: d.answered, entered: e.time});
          this.touch('incidents');
        }
        break;
      case 'incident.dispatched': {
        const i = this.incidents.get(d.incident);
        if (!i) break;
        for (const u of d.units || []) if (!i.units.includes(u)) i.units.push(u);
        if (i.status === 'PENDING') i.status = 'ACTIVE';
        i.dispatched ||= d.late?.claimed || e.time;
        this.touch('incidents');
        break;
      }
      case 'incident.cleared': {
        const i = this.incidents.get(d.incident);
        if (!i) break;
        i.status = 'CLOSED';
        i.disposition = d.disposition;
        i.cleared ||= d.late?.claimed || e.time;
        this.touch('incidents');
        break;
      }
      // A unit cancelled on its way (dispatch/leave.go): the incident
      // waits again once nobody is left on it. The unit's own change to
      // AVAILABLE follows.
      case 'incident.unit_cancelled': {
        const i = this.incidents.get(d.incident);
        if (!i || i.status === 'CLOSED') break;
        (i.cancelled ||= {})[d.unit] = d.reason || '';
        const left = [...this.units.values()].some((u) => u.id !== d.unit && u.incident === i.id);
        if (!left) i.status = 'PENDING';
        this.touch('incidents');
        break;
      }
      // Duplicates, merges and links (dispatch/duplicate.go, merge.go).
      case 'incident.unit_moved': {
        const u = this.units.get(d.unit), i = this.incidents.get(d.to);
        if (u) u.incident = d.to;
        if (i) {
          if (!i.units.includes(d.unit)) i.units.push(d.unit);
          i.status = 'ACTIVE';
          i.dispatched ||= e.time;
        }
        this.touch('units');
        this.touch('incidents');
        break;
      }
      case 'incident.merged': {
        const i = this.incidents.get(d.incident), into = this.incidents.get(d.into);
        if (i) {
          i.status = 'CLOSED';
          i.disposition = 'MERGED';
          i.merged_into = d.into;
          i.cleared ||= e.time;
        }
        if (into && !(into.merged ||= []).includes(d.incident)) into.merged.push(d.incident);
        this.touch('incidents');
        break;
      }
      case 'incident.caller_added':
      case 'incident.linked':
      case 'incident.unlinked':
        // Callers are private and links name the viewer's incidents only:
        // the views read the incident again when they next show it.
        for (const id of [d.incident, d.linked]) {
          const i = this.incidents.get(id);
          if (i) i.notesBehind = true;
        }
        this.touch('incidents');
        break;
      case 'incident.note_added': {
        const i = this.incidents.get(d.incident);
        if (!i || i.notes.some((n) => n.n === d.n)) break;
        i.notes.push({n: d.n, author: e.actor?.user || e.actor?.system || '', time: e.time});
        i.notesBehind = true; // the text is private: fetch the incident to read it
        this.touch('incidents');
        break;
      }
      case 'incident.location_fixed': {
        const i = this.incidents.get(d.incident);
        if (!i) break;
        i.location = d.location || i.location;
        i.hazardsBehind = true; // its hazards may have changed with its place
        this.touch('incidents');
        break;
      }
      case 'premise.recorded':
      case 'premise.removed':
        // The hazards of the incidents may have changed: the views read
        // an incident again when they next show it.
        for (const i of this.incidents.values()) i.hazardsBehind = true;
        this.touch('incidents');
        break;
      case 'unit.positions_sampled':
        for (const p of d.positions || []) this.position(p);
        break;
      case 'incident_type.added':
        if (!this.types.some((t) => t.code === d.code)) this.types.push({...d});
        this.touch('types');
        break;
      case 'alert.incident_pending': {
        const i = this.incidents.get(d.incident);
        this.alert({key: `pending:${d.incident}`, seq: ev.seq, time: e.time, severity: d.priority <= 0 ? 'critical' : 'warning',
          title: `P${d.priority} waiting ${Math.round(d.pending_seconds / 60)} min for a unit`,
          text: i ? `${this.typeName(i.type)} at ${i.location?.text || 'unknown location'}` : d.incident, incident: d.incident});
        break;
      }
      case 'alert.safety_check': {
        const u = this.units.get(d.unit);
        this.alert({key: `safety:${d.unit}:${e.time}`, seq: ev.seq, time: e.time, severity: 'warning',
          title: `Safety check: ${u?.call_sign || d.unit}`,
          text: `on scene ${Math.round(d.on_scene_seconds / 60)} min with no status change`, unit: d.unit, incident: d.incident});
        break;
      }
      case 'alert.acknowledged':
        this.seen(d.alert, e.actor?.user || '', e.time);
        break;
      default:
        if (e.type.startsWith('alert.')) {
          this.alert({key: `${e.type}:${ev.seq}`, seq: ev.seq, time: e.time, severity: 'warning',
            title: e.type.slice(6).replaceAll('_', ' '), text: Object.values(e.subject || {}).join(' '),
            incident: e.subject?.incident, unit: e.subject?.unit});
        }
    }
    for (const fn of this.watchers) {
      try {
        fn(ev);
      } catch (err) {
        console.error('console view failed to take an event', err);
      }
    }
  }

  statusChanged(e, d, seq) {
    const u = this.units.get(d.unit);
    if (!u) return;
    const t = tkey(e.time), since = tkey(u.status_since);
    if (t < since || (t === since && u.status === d.status)) return; // already folded
    u.status = d.status;
    // A late entry's change happened at its claimed time (dispatch/late.go).
    const at = d.late?.claimed || e.time;
    u.status_since = at;
    u.incident = d.status === 'AVAILABLE' ? '' : d.incident || '';
    u.resume = d.status === 'EMERGENCY' ? d.previous : '';
    // Who pressed EMERGENCY may end it (as may a supervisor); a unit
    // sent on another agency's request is on it until it is available.
    u.emergency_by = d.status === 'EMERGENCY' ? e.actor?.user || '' : '';
    u.request = d.status === 'AVAILABLE' ? '' : e.subject?.request || u.request || '';
    u.held_by = d.held_by || ''; // out of service with its cross-staffed partner
    const i = this.incidents.get(d.incident);
    if (i) {
      if (d.status === 'EN_ROUTE') i.en_route ||= at;
      if (d.status === 'ON_SCENE') i.on_scene ||= at;
      if (d.status === 'DISPATCHED' && !i.units.includes(u.id)) i.units.push(u.id);
      this.touch('incidents');
    }
    if (d.lat !== undefined && d.lon !== undefined) this.position({unit: u.id, lat: d.lat, lon: d.lon, time: e.time});
    if (d.status === 'EMERGENCY') this.emergency(u, e.time, seq);
    else this.resolve(`emergency:${u.id}:`);
    this.touch('units');
  }

  position(p) {
    const have = this.positions.get(p.unit);
    if (have && tkey(have.time) > tkey(p.time)) return;
    this.positions.set(p.unit, p);
    this.touch('positions');
  }

  // myPosition keeps a position this browser reported itself.
  myPosition(p) {
    this.position(p);
  }

  // emergency raises the alert of unit u's EMERGENCY at time, raised by
  // the event seq (unknown for a unit found in EMERGENCY at load).
  emergency(u, time, seq) {
    const i = u.incident ? this.incidents.get(u.incident) : null;
    this.alert({key: `emergency:${u.id}:${tkey(time)}`, seq, time, severity: 'critical', emergency: true,
      title: `EMERGENCY: ${u.call_sign}`,
      text: i ? `on ${this.typeName(i.type)} at ${i.location?.text || 'unknown location'}` : 'officer needs assistance',
      unit: u.id, incident: u.incident});
  }

  // alert raises alert a: its key, the seq of the event that raised it
  // (null when unknown: it is then acknowledged on this screen only), its
  // time, severity, title and text, and the records it is about.
  alert(a) {
    const have = this.alerts.find((x) => x.key === a.key);
    if (have) {
      if (have.seq == null && a.seq != null) this.alertSeq(a.key, a.seq);
      return;
    }
    this.alerts.unshift({...a, seq: a.seq ?? null, acked: false, sending: false, error: '', seenBy: []});
    this.alerts.length = Math.min(this.alerts.length, 50);
    this.touch('alerts');
  }

  // resolve marks as over the alerts whose key starts with prefix (a unit
  // left EMERGENCY): they stay listed until acknowledged, no longer urgent.
  resolve(prefix) {
    let any = false;
    for (const a of this.alerts) {
      if (a.key.startsWith(prefix) && !a.over) {
        a.over = true;
        any = true;
      }
    }
    if (any) this.touch('alerts');
  }

  // ack takes the alert of key off this screen: this user saw it.
  ack(key) {
    const a = this.alerts.find((x) => x.key === key);
    if (a && !a.acked) {
      a.acked = true;
      a.sending = false;
      this.touch('alerts');
    }
  }

  // ackSending marks the alert of key as being acknowledged on the
  // record; ackFailed says why the server did not take it.
  ackSending(key) {
    const a = this.alerts.find((x) => x.key === key);
    if (!a) return;
    a.sending = true;
    a.error = '';
    this.touch('alerts');
  }

  ackFailed(key, why) {
    const a = this.alerts.find((x) => x.key === key);
    if (!a) return;
    a.sending = false;
    a.error = why;
    this.touch('alerts');
  }

  // alertSeq names the event of an alert raised without it.
  alertSeq(key, seq) {
    const a = this.alerts.find((x) => x.key === key);
    if (!a || a.seq != null) return;
    a.seq = seq;
    this.touch('alerts');
  }

  // seen folds in an acknowledgement (alert.acknowledged) of the alert
  // raised by event seq: this user's own, from any screen, takes it off
  // this one; another user's says who saw it and when, and leaves it.
  seen(seq, user, time) {
    for (const a of this.alerts) {
      if (a.seq !== seq) continue;
      if (user && user === this.me?.username) {
        a.acked = true;
        a.sending = false;
      } else if (!a.seenBy.some((s) => s.user === user)) {
        a.seenBy.push({user: user || 'someone', time});
      }
      this.touch('alerts');
    }
  }

  callSign(id) {
    return this.units.get(id)?.call_sign || id;
  }

  // unitByCallSign finds a unit of this user's agency (or any, for an
  // installation administrator) by its call sign, any case.
  unitByCallSign(cs) {
    const want = cs.toUpperCase();
    for (const u of this.units.values()) if (u.call_sign.toUpperCase() === want) return u;
    return null;
  }

  typeName(code) {
    return this.types.find((t) => t.code === code)?.name || code;
  }
}
