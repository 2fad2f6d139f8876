// views/unit.js — the unit's screen, for a phone or a car's tablet: the
// current assignment, large buttons for the statuses the unit may go to
// next, an EMERGENCY button with a confirm step, and the position from the
// browser's geolocation when the officer permits it.
//
// The EMERGENCY button sits in a bar fixed at the bottom of the screen, so
// that it is in reach on any phone whatever else the screen shows (messages,
// BOLOs, the assignment, the alerts band); the content is padded by the
// bar's height so that nothing hides beneath it. A press is kept on the
// device until the server has it (emergency.js).
//
// The officer says which unit they are on; the choice is kept in this
// browser (localStorage) per user. An officer acts only for a unit whose
// crew they are on (docs/security.md), so choosing a unit they do not crew
// signs them on it, for a shift of shiftHours; the server refuses a unit
// another crew is signed on.

import {post, seg, pending, onPending} from '../api.js';
import * as em from '../emergency.js';
import {h, replace, ticking, timer, clockTime} from '../dom.js';
import {statusLabel} from '../lifecycle.js';
import {hazardList} from '../hazards.js';
import {endRule, reasonForm} from '../release.js';
import * as keys from '../keys.js';
import {unitMessages} from '../messages.js';
import {unitBOLOs} from '../bolos.js';

// positionEvery is the least time between two positions sent while moving.
const positionEvery = 10_000;
// confirmFor is how long the EMERGENCY confirmation waits before it lapses.
const confirmFor = 8;
// shiftHours is the shift an officer signs on for by choosing a unit.
const shiftHours = 12;

export function mount(root, ctx) {
  const store = ctx.store;
  const storeKey = `tenfour.unit.${ctx.me.username}`;
  let unitId = null;
  try {
    unitId = localStorage.getItem(storeKey);
  } catch {
    // no storage: choose each time
  }
  let confirming = null; // {until, timer}
  let geo = {state: 'off', text: 'Position not shared', watch: null, last: 0, lastFix: null};
  let busy = null; // {status, label} of the status being sent
  // ending is the form asking why an EMERGENCY is over, while open.
  let ending = null;

  const body = h('div', {class: 'unit-body'});
  // The EMERGENCY bar, fixed at the bottom; its height pads the content.
  const bar = h('section', {class: 'em-bar', id: 'em-bar', 'aria-label': 'Emergency'});
  // Messages to the unit sit above the rest, where they are seen.
  const messages = unitMessages(ctx);
  const bolos = unitBOLOs(ctx);
  replace(root, h('h1', {class: 'sr-only'}, 'Unit'), messages.el, bolos.el, body, bar);
  const padBar = new ResizeObserver(() => {
    document.body.style.setProperty('--em-bar', `${bar.offsetHeight}px`);
  });
  padBar.observe(bar);

  function myUnit() {
    return unitId ? store.units.get(unitId) : null;
  }

  function render() {
    const active = document.activeElement?.id;
    const u = myUnit();
    messages.setUnit(u ? u.id : null);
    bolos.setUnit(u ? u.id : null);
    renderBar(u);
    if (!u) return renderPicker();
    const i = u.incident ? store.incidents.get(u.incident) : null;
    if (i && (!i.full || i.hazardsBehind) && !i.fetching) {
      i.fetching = true;
      store.incident(i.id).catch(() => {}).finally(() => { i.fetching = false; });
    }
    // The statuses the server says the unit may go to now; EMERGENCY has
    // its own button. null: being read again after a change.
    const next = store.nextStatuses(u.id)?.filter((s) => s !== 'EMERGENCY') ?? null;
    // The status being sent says so once it waits (api.js pending).
    const waiting = busy && pending().some((c) => c.label === busy.label);
    replace(body,
      h('header', {class: `unit-head st-${u.status}`},
        h('div', {},
          h('p', {class: 'unit-cs', id: 'unit-cs'}, u.call_sign),
          h('p', {class: 'unit-kind'}, `${u.kind} · ${u.agency}`)),
        h('div', {class: 'unit-status'},
          h('p', {class: 'status-now', id: 'unit-status', 'aria-live': 'polite'}, statusLabel(u.status)),
          h('p', {}, 'for ', timer(u.status_since)))),
      assignment(u, i),
      statusButtons(u, next, waiting),
      h('section', {class: 'geo', 'aria-label': 'Position'},
        h('p', {class: `geo-state ${geo.state}`, id: 'geo-state'}, geo.text),
        geo.state === 'off' || geo.state === 'error'
          ? h('button', {type: 'button', class: 'ghost', id: 'share-position', onclick: startGeo}, 'Share my position') : null),
      h('p', {class: 'unit-foot'}, h('button', {type: 'button', class: 'ghost', id: 'change-unit', onclick: () => choose(null)}, 'Change unit')));
    if (active) document.getElementById(active)?.focus();
  }

  function assignment(u, i) {
    if (!u.incident) {
      return h('section', {class: 'assignment none', 'aria-labelledby': 'asg-title'},
        h('h2', {id: 'asg-title'}, 'No assignment'),
        h('p', {class: 'hint'}, 'A dispatch appears here at once.'));
    }
    if (!i) {
      return h('section', {class: 'assignment', 'aria-labelledby': 'asg-title'},
        h('h2', {id: 'asg-title'}, 'Assigned to ', u.incident));
    }
    return h('section', {class: `assignment p${i.priority}`, 'aria-labelledby': 'asg-title', id: 'assignment'},
      h('h2', {id: 'asg-title'}, h('span', {class: `prio p${i.priority}`}, `P${i.priority}`), ' ', store.typeName(i.type)),
      hazardList(i.hazards, 'asg-hazards'),
      h('p', {class: 'asg-loc', id: 'asg-loc'}, i.location?.text || 'No location'),
      h('p', {class: 'asg-meta'}, [i.location?.district ? `District ${i.location.district}` : '', i.location?.beat ? `beat ${i.location.beat}` : '', i.id]
        .filter(Boolean).join(' · ')),
      i.dispatched ? h('p', {}, 'Dispatched ', timer(i.dispatched), ' ago') : null,
      i.narrative ? h('p', {class: 'narr'}, i.narrative) : null,
      i.notes?.length ? h('ol', {class: 'asg-notes'}, i.notes.filter((n) => n.text).map((n) =>
        h('li', {}, h('time', {datetime: n.time}, clockTime(n.time)), ' ', n.text))) : null);
  }

  // renderBar draws the EMERGENCY bar for unit u (null: none chosen): the
  // press being sent, the unit in EMERGENCY, the confirm step, or the
  // button.
  function renderBar(u) {
    const p = em.sending();
    const mine = p && p.user === ctx.me.username ? p : null;
    const old = !mine && em.stale(ctx.me.username);
    bar.hidden = !u && !mine && !old;
    replace(bar, mine ? h('p', {class: 'emergency-sending', id: 'emergency-sending', role: 'status'},
      h('strong', {}, `EMERGENCY${mine.call_sign ? ' ' + mine.call_sign : ''} sending…`), ' ',
      h('span', {}, `Pressed at ${clockTime(mine.pressed)}; kept on this device and sent again until the server has it.`))
      : old ? stalePress(old)
        : u ? emergency(u) : null);
  }

  // stalePress asks about a press kept too long to go by itself
  // (emergency.js, staleAfter): send it now, or let it go.
  function stalePress(p) {
    return h('section', {class: 'emergency-confirm', role: 'alertdialog', 'aria-labelledby': 'em-stale-q', id: 'emergency-stale'},
      h('p', {id: 'em-stale-q', class: 'em-q'}, `EMERGENCY${p.call_sign ? ' ' + p.call_sign : ''} pressed at ${clockTime(p.pressed)} was never sent`),
      h('div', {class: 'em-actions'},
        h('button', {type: 'button', class: 'emergency-btn confirm', id: 'emergency-stale-send', onclick: async () => {
          try {
            const got = await em.resume(ctx.me.username, {force: true});
            if (got) store.takeUnit(got);
          } catch (e) {
            if (e.status !== 401) ctx.toast(`EMERGENCY not sent: ${e.message}`, 'error');
          } finally {
            render();
          }
        }}, 'SEND IT NOW'),
        h('button', {type: 'button', class: 'ghost big', id: 'emergency-stale-discard', onclick: () => {
          em.discard(ctx.me.username);
          render();
        }}, 'Let it go')));
  }

  function emergency(u) {
    // Drawn again at every change, so not a live region: the refusal was
    // announced once, by its toast.
    const refused = em.refusal()?.unit === u.id ? h('p', {class: 'em-refused', id: 'em-refused'},
      `EMERGENCY NOT SENT: ${em.refusal().detail}. Call dispatch by radio.`) : null;
    if (u.status === 'EMERGENCY') {
      return h('p', {class: 'emergency-sent', role: 'status', id: 'emergency-sent'},
        'EMERGENCY sent at ', clockTime(u.status_since), '. Dispatch has been alerted.');
    }
    if (confirming) {
      const left = Math.max(0, Math.ceil((confirming.until - Date.now()) / 1000));
      return h('section', {class: 'emergency-confirm', role: 'alertdialog', 'aria-labelledby': 'em-q', 'aria-describedby': 'em-d'},
        h('p', {id: 'em-q', class: 'em-q'}, 'Send EMERGENCY?'),
        h('p', {id: 'em-d'}, `Every dispatcher of your agency is alerted at once. This lapses in ${left} s.`),
        h('div', {class: 'em-actions'},
          h('button', {type: 'button', class: 'emergency-btn confirm', id: 'emergency-confirm', onclick: sendEmergency}, 'CONFIRM EMERGENCY'),
          h('button', {type: 'button', class: 'ghost big', id: 'emergency-cancel', onclick: cancelEmergency}, 'Cancel')));
    }
    return h('div', {class: 'emergency'}, refused,
      h('button', {type: 'button', class: 'emergency-btn', id: 'emergency', onclick: askEmergency,
        'aria-describedby': 'em-hint'}, 'EMERGENCY'),
      h('p', {class: 'hint', id: 'em-hint'}, 'Asks to confirm before it is sent.'));
  }

  function askEmergency() {
    const tick = setInterval(() => {
      if (!confirming) return clearInterval(tick);
      if (Date.now() >= confirming.until) return cancelEmergency();
      render();
    }, 1000);
    confirming = {until: Date.now() + confirmFor * 1000, tick};
    render();
    document.getElementById('emergency-confirm')?.focus();
  }

  function cancelEmergency() {
    if (confirming) clearInterval(confirming.tick);
    confirming = null;
    render();
    document.getElementById('emergency')?.focus();
  }

  // sendEmergency sends the confirmed press, kept on the device until the
  // server has it.
  async function sendEmergency() {
    if (confirming) clearInterval(confirming.tick);
    confirming = null;
    const u = myUnit();
    if (!u || em.sending()) return render();
    try {
      const got = await em.press(ctx.me.username, u.id, u.call_sign);
      if (got) store.takeUnit(got);
      ctx.announce(`${u.call_sign} EMERGENCY sent`);
    } catch (e) {
      if (e.status !== 401) ctx.toast(`EMERGENCY not sent: ${e.message}`, 'error');
    } finally {
      render();
    }
  }

  // statusButtons are the statuses the unit may go to; out of EMERGENCY
  // only for whoever pressed it or a supervisor (release.js), who say why.
  function statusButtons(u, next, waiting) {
    const rule = endRule(ctx.me, u);
    if (u.status === 'EMERGENCY' && !rule.ok) {
      ending = null;
      return h('section', {class: 'status-buttons', 'aria-label': 'Change status'},
        h('p', {class: 'hint', id: 'end-emergency-who'}, `${rule.why}.`));
    }
    if (u.status !== 'EMERGENCY') ending = null;
    if (ending) return h('section', {class: 'status-buttons', 'aria-label': 'End the EMERGENCY'}, ending.el);
    return h('section', {class: 'status-buttons', 'aria-label': 'Change status', 'aria-busy': next ? 'false' : 'true'},
      next ? next.map((s) => h('button', {type: 'button', class: `status-btn st-${s}`, id: `set-${s}`, disabled: !!busy,
        'aria-busy': busy?.status === s ? 'true' : null, onclick: () => setStatus(s)},
      u.status === 'EMERGENCY' ? `End EMERGENCY: ${statusLabel(s)}` : statusLabel(s),
      waiting && busy.status === s ? h('span', {class: 'sending-note'}, ' sending…') : null))
        : h('p', {class: 'hint', id: 'statuses-reading'}, 'Reading the statuses this unit may go to…'));
  }

  // askEnd asks why the EMERGENCY is over before the unit goes to status.
  function askEnd(u, status) {
    ending = reasonForm({id: 'end-emergency-form', question: `Why is the EMERGENCY over? (required, on the record)`,
      submitLabel: `End EMERGENCY: ${statusLabel(status)}`, placeholder: 'safe now, backup on scene',
      submit: async (reason) => {
        ending = null;
        await setStatus(status, reason);
        return null;
      },
      cancel: () => {
        ending = null;
        render();
        document.getElementById(`set-${status}`)?.focus();
      }});
    render();
    ending.focus();
  }

  async function setStatus(status, reason) {
    const u = myUnit();
    if (!u || busy) return;
    if (u.status === 'EMERGENCY' && status !== 'EMERGENCY' && !reason) return askEnd(u, status);
    busy = {status, label: `${u.call_sign} ${statusLabel(status)}`};
    render();
    try {
      store.takeUnit(await post(`/units/${seg(u.id)}/status`, reason ? {status, reason} : {status}, {label: busy.label}));
      ctx.announce(`${u.call_sign} is ${statusLabel(status)}`);
    } catch (e) {
      ctx.toast(e.message, 'error');
    } finally {
      busy = null;
      render();
    }
  }

  // --- choosing the unit ----------------------------------------------------
  // crewBound: an officer who is neither dispatcher nor supervisor acts only
  // for a unit they crew (dispatch.Actor.CrewBound).
  const roles = ctx.me.roles || [];
  const crewBound = roles.includes('officer') && !roles.includes('dispatcher') && !roles.includes('supervisor');

  // signOn signs the officer on unit id unless they crew it already; it
  // reports whether they now do.
  async function signOn(id) {
    const u = store.units.get(id);
    if (!crewBound || (u?.crew || []).includes(ctx.me.username)) return true;
    const start = new Date();
    const end = new Date(start.getTime() + shiftHours * 3600_000);
    try {
      store.takeUnit(await post(`/units/${seg(id)}/sign-on`, {crew: [ctx.me.username], shift: {start: start.toISOString(), end: end.toISOString()}}));
      ctx.announce(`Signed on ${u ? u.call_sign : id}`);
      return true;
    } catch (e) {
      ctx.toast(e.message, 'error');
      return false;
    }
  }

  async function choose(id) {
    if (id && !(await signOn(id))) return;
    unitId = id;
    try {
      if (id) localStorage.setItem(storeKey, id);
      else localStorage.removeItem(storeKey);
    } catch {
      // kept for this page only
    }
    render();
    if (id) {
      document.getElementById('unit-cs')?.focus();
      sendPosition(true);
    } else {
      document.getElementById('unit-filter')?.focus();
    }
  }

  let filter = '';
  function renderPicker() {
    const mine = [...store.units.values()].filter((u) => !ctx.me.agency || u.agency === ctx.me.agency)
      .sort((a, b) => a.call_sign.localeCompare(b.call_sign, 'en', {numeric: true}));
    const f = filter.toUpperCase();
    const shown = mine.filter((u) => !f || u.call_sign.toUpperCase().includes(f));
    const input = h('input', {id: 'unit-filter', value: filter, autocomplete: 'off', autocapitalize: 'characters',
      'aria-describedby': 'unit-count', oninput: (ev) => { filter = ev.target.value; renderPicker(); }});
    const had = document.activeElement?.id === 'unit-filter';
    replace(body, h('section', {class: 'picker', 'aria-labelledby': 'pick-title'},
      h('h2', {id: 'pick-title'}, 'Which unit are you on?'),
      h('p', {class: 'hint'}, 'Your choice is kept in this browser until you change it.'),
      h('label', {for: 'unit-filter'}, 'Call sign'), input,
      h('p', {class: 'hint', id: 'unit-count'}, `${shown.length} of ${mine.length} units`),
      h('ul', {class: 'pick-list'}, shown.slice(0, 60).map((u) => h('li', {},
        h('button', {type: 'button', class: `pick st-${u.status}`, 'data-unit': u.id, onclick: () => choose(u.id)},
          h('span', {class: 'cs'}, u.call_sign), h('span', {}, `${u.kind} · ${statusLabel(u.status)}`)))))));
    if (had) {
      input.focus();
      input.setSelectionRange(filter.length, filter.length);
    }
  }

  // --- position -------------------------------------------------------------
  function setGeo(state, text) {
    geo.state = state;
    geo.text = text;
    render();
  }

  function startGeo() {
    if (!('geolocation' in navigator)) return setGeo('error', 'This browser cannot tell its position.');
    if (geo.watch !== null) return;
    setGeo('waiting', 'Finding the position…');
    geo.watch = navigator.geolocation.watchPosition((p) => {
      geo.lastFix = p;
      sendPosition(false);
    }, (err) => {
      navigator.geolocation.clearWatch(geo.watch);
      geo.watch = null;
      setGeo('error', err.code === err.PERMISSION_DENIED ? 'Position not shared: permission refused' : `Position unavailable: ${err.message}`);
    }, {enableHighAccuracy: true, maximumAge: 5000, timeout: 30000});
  }

  // sendPosition sends the device's last fix for the unit: at most every
  // positionEvery while moving, at once when forced (a unit just chosen).
  function sendPosition(force) {
    const u = myUnit(), p = geo.lastFix;
    if (!u || !p) return;
    const now = Date.now();
    if (!force && now - geo.last < positionEvery) return;
    geo.last = now;
    send(u, p);
    if (force && now - p.timestamp > 2000) {
      // The unit gets where the device is now, too: a fix taken earlier
      // loses to a newer position of the unit from elsewhere.
      navigator.geolocation.getCurrentPosition((fresh) => {
        if (fresh.timestamp <= p.timestamp) return;
        geo.lastFix = fresh;
        send(u, fresh);
      }, () => {}, {enableHighAccuracy: true, maximumAge: 0, timeout: 30000});
    }
  }

  async function send(u, p) {
    const pos = {unit: u.id, lat: p.coords.latitude, lon: p.coords.longitude, time: new Date(p.timestamp || Date.now()).toISOString()};
    try {
      // A position is soft: the next fix replaces one that did not go.
      await post('/units/positions', [pos], {retry: false});
      store.myPosition(pos);
      setGeo('shared', `Position shared at ${clockTime(pos.time)} (±${Math.round(p.coords.accuracy || 0)} m)`);
    } catch (e) {
      setGeo('error', `Position not sent: ${e.message}`);
    }
  }

  if (navigator.permissions?.query) {
    navigator.permissions.query({name: 'geolocation'}).then((st) => {
      if (st.state === 'granted') startGeo();
      else if (st.state === 'denied') setGeo('error', 'Position not shared: this site may not use it (browser settings)');
    }).catch(() => {});
  }

  keys.setView('Unit', [
    {key: 'e', label: 'EMERGENCY (asks to confirm)', run: askEmergency, when: () => myUnit() && myUnit().status !== 'EMERGENCY' && !confirming && !em.sending()},
  ]);

  const unsubscribe = store.subscribe((c) => {
    if (c.has('units') || c.has('incidents') || c.has('types')) {
      render();
    }
  });
  const stopSending = em.onChange(() => render());
  const stopPending = onPending(() => { if (busy) render(); });
  render();
  const stopTicking = ticking(root);
  return () => {
    unsubscribe();
    stopSending();
    stopPending();
    padBar.disconnect();
    document.body.style.removeProperty('--em-bar');
    stopTicking();
    messages.stop();
    bolos.stop();
    if (confirming) clearInterval(confirming.tick);
    if (geo.watch !== null) navigator.geolocation.clearWatch(geo.watch);
  };
}
