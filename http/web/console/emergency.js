// emergency.js — an EMERGENCY press kept on the device until the server has
// it. The press (its Idempotency-Key, the unit, when it was pressed, the
// user) is written to localStorage before the first attempt and sent, with
// that one key, until the server answers (api.js); it is removed only by an
// answer: the unit in EMERGENCY, or a refusal. A page that is reloaded, or
// signed in again, with a press still kept sends it again at once, with the
// same key, so that the server does it at most once (docs/console.md,
// "Sending…"). A press older than staleAfter is not sent by itself: an
// emergency from long ago, sent now, would send officers to where nobody
// is; the unit's screen asks the officer to send it or let it go.

import {post, seg} from './api.js';

const prefix = 'tenfour.emergency.';

// staleAfter is how old a kept press may be and still go by itself: long
// enough for a sequencer change or a tunnel, short enough that the place is
// still where the officer is.
export const staleAfter = 10 * 60 * 1000;

// The press being sent on this page, if any: {key, unit, call_sign,
// pressed, user, body}; and its last refusal, {unit, detail}.
let current = null;
let refused = null;
const watchers = new Set();

function storageKey(user) {
  return prefix + user;
}

// kept returns the press kept for user on this device, or null.
export function kept(user) {
  try {
    const v = JSON.parse(localStorage.getItem(storageKey(user)) || 'null');
    return v && v.key && v.unit && v.user === user ? v : null;
  } catch {
    return null;
  }
}

function keep(p) {
  try {
    localStorage.setItem(storageKey(p.user), JSON.stringify(p));
  } catch {
    // No storage (private browsing): the press is sent, but not kept
    // across a reload.
  }
}

function forget(p) {
  try {
    if (kept(p.user)?.key === p.key) localStorage.removeItem(storageKey(p.user));
  } catch {
    // nothing kept
  }
}

// sending returns the press this page is sending, or null; refusal the
// server's last refusal of one, or null.
export function sending() {
  return current;
}
export function refusal() {
  return refused;
}

// onChange calls fn whenever the press being sent changes; it returns the
// function that stops it.
export function onChange(fn) {
  watchers.add(fn);
  return () => watchers.delete(fn);
}

function changed() {
  for (const fn of watchers) fn(current);
}

// alreadyInEmergency reports whether a refusal says the unit is in
// EMERGENCY already: the press has landed (an earlier attempt whose answer
// was lost, or another press).
function alreadyInEmergency(err) {
  return err.status === 422 && /is already EMERGENCY/.test(err.detail);
}

// press keeps user's press of EMERGENCY for unit and sends it. It resolves
// to the unit as the server answered it (null when it was in EMERGENCY
// already), or rejects with the server's refusal.
export function press(user, unit, callSign) {
  const p = {key: crypto.randomUUID(), unit, call_sign: callSign, pressed: new Date().toISOString(), user, body: {status: 'EMERGENCY'}};
  keep(p);
  return send(p);
}

// stale returns user's kept press if it is older than staleAfter: it waits
// for the officer to send it (resume with force) or let it go (discard).
export function stale(user) {
  const p = kept(user);
  return p && !current && Date.now() - Date.parse(p.pressed) > staleAfter ? p : null;
}

// discard forgets user's kept press without sending it.
export function discard(user) {
  const p = kept(user);
  if (p && !current) {
    forget(p);
    changed();
  }
}

// resume sends again the press kept for user, if any and none is being
// sent, unless it is stale and not forced; it resolves as press does, or
// to undefined when nothing was sent.
export function resume(user, {force = false} = {}) {
  const p = kept(user);
  if (!p || current || (!force && stale(user))) {
    changed();
    return Promise.resolve(undefined);
  }
  return send(p);
}

async function send(p) {
  current = p;
  refused = null;
  changed();
  try {
    const u = await post(`/units/${seg(p.unit)}/status`, p.body, {key: p.key, critical: true, label: `EMERGENCY for ${p.call_sign || p.unit}`});
    forget(p);
    return u;
  } catch (e) {
    if (e.status === 401) throw e; // kept: sent again once signed in
    forget(p);
    if (alreadyInEmergency(e)) return null;
    refused = {unit: p.unit, detail: e.message};
    throw e;
  } finally {
    current = null;
    changed();
  }
}
