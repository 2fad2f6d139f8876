// timelineview.js — a timeline drawn as swim lanes and checked in the
// browser: one column per agency and per unit, time running down, each
// event a mark in the lane of the agency that acted (or of the unit it is
// about) with who did it, in which role, when, and the directives in force
// at it; beside each, whether verify.js proved it to be the very event the
// log holds under its signed checkpoint. The auditor's and the public views
// both show timelines with it; its styles are timeline.css.

import {h, replace, clockTime} from './dom.js';
import {statusLabel} from './lifecycle.js';
import * as verify from './verify.js';

const list = (xs) => (xs || []).join(', ');
// hidden stands for a field a published timeline holds only as its
// commitment (docs/events.md, "What is public").
const hidden = (v) => v ?? 'private';

// unitName turns a unit id (metro.1a12) into its call sign (1A12).
export const unitName = (id) => (id || '').split('.').slice(1).join('.').toUpperCase() || id;

// words says each event type as the timeline shows it: a title and a
// line of what it says.
const words = {
  'incident.created': (d) => ['Incident created', `${d.type} P${d.priority}${d.location?.text ? ' at ' + d.location.text : ''}`],
  'incident.dispatched': (d) => ['Units dispatched', list((d.units || []).map(unitName))],
  'incident.cleared': (d) => ['Incident cleared', d.disposition],
  'incident.note_added': () => ['Note added', 'its text is private'],
  'incident.caller_added': (d) => ['Caller added', `call ${d.n + 1}; the caller is private`],
  'incident.unit_moved': (d) => ['Unit moved by a merge', `${unitName(d.unit)} from ${d.from}`],
  'incident.merged': (d) => [`Merged into ${d.into}`, `${d.incident}: ${hidden(d.reason)}`],
  'incident.linked': (d) => [`Linked: ${d.linked} is ${d.relation}`, d.reason],
  'incident.unlinked': (d) => [`Link to ${d.linked} removed`, d.reason],
  'incident.location_fixed': (d) => ['Location fixed', `${d.previous?.text || 'no text'} → ${d.location?.text || ''}`],
  'incident.unit_preempted': (d) => ['Unit taken off', `${unitName(d.unit)} for ${d.to || d.incident || ''}`],
  'incident.unit_cancelled': (d) => ['Unit cancelled', `${unitName(d.unit)}: ${hidden(d.reason)}`],
  'unit.status_changed': (d) => [statusLabel(d.status), `from ${statusLabel(d.previous)}${d.incident ? ' · ' + d.incident : ''}${d.reason ? ' · ' + d.reason : ''}`],
  'unit.signed_on': (d) => ['Crew signed on', `${list((d.units || []).map(unitName))}: ${d.crew ? list(d.crew) : 'crew private'}`],
  'unit.signed_off': (d) => ['Crew signed off', list((d.units || []).map(unitName))],
  'unit.cross_staffed': (d) => d.partner ? ['Cross-staffed', `${unitName(d.unit)} with ${unitName(d.partner)}`] : ['Cross-staffing ended', `${unitName(d.unit)} and ${unitName(d.previous)}`],
  'agency.run_cards_set': (d) => ['Run cards set', `${(d.cards || []).length} cards`],
  'alert.incident_pending': (d) => ['Alert: waiting for a unit', `${d.pending_seconds} s`],
  'alert.safety_check': (d) => ['Alert: safety check', `on scene ${d.on_scene_seconds} s`],
  'alert.acknowledged': (d) => ['Alert seen', `${d.alert_type} · event ${d.alert}`],
  'assist.requested': (d) => [`Asked ${d.to_agency} for help`, `${d.urgency}: ${hidden(d.nature)}`],
  'assist.acknowledged': (d) => [`${d.to_agency} acknowledged`, d.held ? 'held by a directive: the deadline stands' : 'deciding'],
  'assist.accepted': (d) => [`${d.to_agency} accepted`, `sends ${list((d.units || []).map(unitName))}` +
    (d.deadline ? ` · due on scene by ${clockTime(d.deadline)}${d.eta_seconds ? ` (drive ${Math.round(d.eta_seconds / 60)} min)` : ''}` : '')],
  'assist.declined': (d) => [`${d.to_agency} declined`, d.reason],
  'assist.escalated': (d) => [d.exhausted ? 'Plan exhausted: alerted again' : `Escalated to level ${d.level}`,
    `${(d.reason || '').replace(/_/g, ' ')}${d.asked?.length ? ' · asked ' + list(d.asked) : ''}`],
  'assist.conflict': (d) => [`Conflict: ${d.to_agency}'s directive`, `${d.effect} · ${hidden(d.reason)}`],
  'assist.on_scene': (d) => ['Help on scene', unitName(d.unit)],
  'assist.unit_left': (d) => [`${unitName(d.unit)} left before the release`,
    `${d.how === 'cancelled' ? 'cancelled' : 'cleared'}${d.reason ? ' · ' + d.reason : ''}` +
    `${d.directives?.length ? ' · under ' + list(d.directives) : ''}${d.deadline ? ' · waiting again until ' + clockTime(d.deadline) : ''}`],
  'assist.closed': (d) => ['Request closed', d.disposition],
  'directive.issued': (d) => [`Directive: ${d.effect}${d.restrict ? ' ' + d.restrict : ''}`, d.reason],
  'directive.revoked': (d) => ['Directive revoked', d.reason],
  'directive.expired': () => ['Directive expired', ''],
  'directive.overridden': (d) => ['Directive overridden', `${list((d.units || []).map(unitName))}: ${hidden(d.reason)}`],
  'mutual_aid.plan_set': () => ['Mutual-aid plan set', ''],
  'timeline.published': (d) => ['Timeline published', d.reason || ''],
};

// lateOf returns the late-entry mark of an entry (dispatch/late.go):
// {claimed, entered, reason}, read from its data — the leaf's, so a
// verified entry proves it — or null for a record made at the time.
export function lateOf(e) {
  const l = e.data?.late || e.late;
  if (!l) return null;
  return {claimed: l.claimed, entered: e.late?.entered || e.time, reason: l.reason};
}

// describe returns an entry's title and line.
export function describe(e) {
  if (e.unreadable) return ['Unreadable entry', 'its bytes are not an event'];
  const f = words[e.type];
  try {
    return f ? f(e.data || {}) : [e.type, ''];
  } catch {
    return [e.type, ''];
  }
}

// actorText says who caused an event; the agency is left out when it is
// the lane's (lane).
export function actorText(a, lane = '') {
  if (!a) return '';
  if (a.system) return `tenfour (${a.system})`;
  return `${a.user ? a.user + ' · ' : ''}${a.role}${a.agency && a.agency !== lane ? ', ' + a.agency : ''}`;
}

// whoText names who issued a directive: the person where the reader may
// see it, the role (or tenfour) in a published timeline.
function whoText(w) {
  return w?.user || w?.role || (w?.system ? 'tenfour' : '?');
}

// unitLane returns the unit whose lane an event belongs in, if any: a
// unit's own status and alerts, and what a unit did (its EMERGENCY's
// request, its arrival).
function unitLane(e) {
  const d = e.data || {};
  switch (e.type) {
    case 'unit.status_changed':
    case 'alert.safety_check':
    case 'assist.on_scene':
    case 'assist.unit_left':
    case 'incident.unit_cancelled':
      return d.unit || '';
    case 'assist.requested':
      return d.unit || '';
  }
  return '';
}

// agencyLane returns the agency whose lane an event belongs in: the
// acting person's agency; for tenfour's own acts, the agency the event is
// addressed to (the one asked, the one whose directive stands in the way),
// else the record's.
function agencyLane(e) {
  if (e.actor?.agency && !e.actor.system) return e.actor.agency;
  return e.data?.to_agency || e.agency || 'installation';
}

// lanesOf returns the columns of entries — each agency in order of first
// appearance, followed by its units — and the column of each entry.
export function lanesOf(entries) {
  const agencies = [];
  const agency = (id) => {
    let a = agencies.find((x) => x.id === id);
    if (!a) agencies.push(a = {id, units: []});
    return a;
  };
  const at = entries.map((e) => {
    const unit = unitLane(e);
    if (unit) {
      const a = agency(unit.split('.')[0]);
      if (!a.units.includes(unit)) a.units.push(unit);
      return 'u:' + unit;
    }
    if (e.unreadable) return 'a:?';
    agency(agencyLane(e));
    return 'a:' + agencyLane(e);
  });
  const columns = agencies.flatMap((a) => [{key: 'a:' + a.id, agency: a.id},
    ...a.units.map((u) => ({key: 'u:' + u, agency: a.id, unit: u}))]);
  if (at.includes('a:?')) columns.push({key: 'a:?', agency: '?'});
  return {columns, at};
}

// utcOffset says the browser's offset from UTC, as the times are shown.
function utcOffset() {
  const m = -new Date().getTimezoneOffset();
  if (m === 0) return 'UTC';
  const s = m < 0 ? '−' : '+';
  const a = Math.abs(m);
  return `UTC${s}${Math.floor(a / 60)}${a % 60 ? ':' + String(a % 60).padStart(2, '0') : ''}`;
}

// since says how long after t0 t was, as +m:ss or +h:mm:ss.
function since(t0, t) {
  const s = Math.max(0, Math.round((Date.parse(t) - Date.parse(t0)) / 1000));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const p = (n) => String(n).padStart(2, '0');
  return '+' + (hh ? `${hh}:${p(mm)}:${p(ss)}` : `${mm}:${p(ss)}`);
}

function millis(t) {
  const m = /\.(\d{1,3})/.exec(t);
  return m ? '.' + m[1].padEnd(3, '0') : '.000';
}

const marks = {
  ok: ['✓', 'verified'],
  failed: ['✗', 'NOT verified'],
  checking: ['…', 'checking'],
  none: ['–', 'not verified'],
};

// createTimelineView returns the timeline component: {el, show, showFile,
// step, clear}. opts.onVerdict(report) is told each verdict.
export function createTimelineView(opts = {}) {
  const verdict = h('div', {class: 'verdict', role: 'status', 'aria-live': 'polite'});
  const wrap = h('div', {class: 'lanes-wrap', tabindex: '-1'});
  const detail = h('section', {class: 'event-detail', 'aria-label': 'The selected event'});
  const el = h('div', {class: 'timeline'}, verdict, wrap, detail);
  let state = null; // {entries, directives, bundle, report, results, selected}
  let token = 0;

  function setVerdict(kind, title, text, extra) {
    verdict.className = `verdict v-${kind}`;
    replace(verdict, h('strong', {class: 'verdict-title'}, title), text ? h('span', {}, ' ', text) : null, extra || null);
  }

  function directiveOf(id) {
    return state?.directives?.find((d) => d.id === id);
  }

  function draw() {
    const {entries} = state;
    if (!entries.length) {
      replace(wrap, h('p', {class: 'empty'}, 'No events.'));
      return;
    }
    const {columns, at} = lanesOf(entries);
    const status = new Map(); // unit → its status at the row drawn
    const t0 = entries[0].time;
    const head = h('thead', {}, h('tr', {},
      h('th', {scope: 'col', class: 'c-time'}, 'Time', h('span', {class: 'sub'}, utcOffset())),
      h('th', {scope: 'col', class: 'c-proof'}, 'Proof'),
      h('th', {scope: 'col', class: 'c-dir'}, 'Directives', h('span', {class: 'sub'}, 'in force')),
      columns.map((c) => h('th', {scope: 'col', class: c.unit ? 'lane-unit' : 'lane-agency', dataset: {agency: c.agency}},
        c.unit ? [h('span', {class: 'sub'}, c.agency), unitName(c.unit)] : c.agency === '?' ? 'unreadable' : c.agency))));
    const rows = entries.map((e, i) => {
      if (e.type === 'unit.status_changed' && e.data?.unit) status.set(e.data.unit, e.data.status);
      const [title, line] = describe(e);
      const late = lateOf(e);
      const res = state.results.get(e.seq) || {kind: state.report ? 'none' : 'checking'};
      const [sym, word] = marks[res.kind];
      const cells = columns.map((c) => {
        const band = c.unit && status.has(c.unit) ? `band st-${status.get(c.unit)}` : '';
        if (c.key !== at[i]) return h('td', {class: band || null});
        const label = `${title}${line ? ': ' + line : ''}. ${actorText(e.actor)}.${late ? ` Entered late: happened ${late.claimed}, entered ${late.entered}.` : ''} Event ${e.seq}, ${word}.`;
        return h('td', {class: `here ${band}`},
          h('button', {type: 'button', class: `mark v-${res.kind}`, dataset: {seq: e.seq}, 'aria-label': label,
            'aria-pressed': state.selected === e.seq ? 'true' : 'false', onclick: () => select(e.seq, true)},
          h('span', {class: 'mark-title'}, title),
          line ? h('span', {class: 'mark-line'}, line) : null,
          h('span', {class: 'mark-actor'}, actorText(e.actor, c.agency))));
      });
      const ds = (e.directives || []).map((id) => {
        const d = directiveOf(id);
        return h('li', {class: `dchip ${d?.effect || ''}`, title: d ? `${id}: ${d.effect}${d.reason ? ' — ' + d.reason : ''} (issued by ${whoText(d.issuer)})` : id},
          d ? `${d.effect} · ${d.agency}` : id);
      });
      return h('tr', {class: `v-${res.kind}${state.selected === e.seq ? ' selected' : ''}`, dataset: {seq: e.seq}},
        h('th', {scope: 'row', class: 'c-time'},
          h('time', {datetime: e.time, title: e.time}, e.time ? clockTime(e.time) + millis(e.time) : '—'),
          h('span', {class: 'sub'}, e.time ? since(t0, e.time) : ''),
          late ? h('span', {class: 'late-mark', title: `Entered late (${hidden(late.reason)}): happened ${late.claimed}, entered ${late.entered}`},
            'LATE · happened ', h('time', {datetime: late.claimed}, clockTime(late.claimed))) : null),
        h('td', {class: `c-proof v-${res.kind}`, title: res.message || word},
          h('span', {'aria-hidden': 'true'}, sym), h('span', {class: 'sr-only'}, word)),
        h('td', {class: 'c-dir'}, ds.length ? h('ul', {class: 'dchips'}, ds) : null),
        cells);
    });
    replace(wrap, h('table', {class: 'lanes'},
      h('caption', {class: 'sr-only'}, 'The timeline: one column per agency and per unit, one row per event, oldest first'),
      head, h('tbody', {}, rows)));
  }

  async function drawDetail() {
    const e = state?.entries.find((x) => x.seq === state.selected);
    if (!e) {
      replace(detail, h('p', {class: 'hint'}, 'Select an event (click it, or j and k) to see it in full and how it was checked.'));
      return;
    }
    const [title, line] = describe(e);
    const res = state.results.get(e.seq);
    const bev = state.bundle?.events?.find((b) => b.seq === e.seq);
    const r = state.report?.bySeq.get(e.seq);
    const dl = (pairs) => h('dl', {class: 'kv'}, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const priv = Object.entries(r?.entry?.private || {});
    let leaf = null;
    if (bev) leaf = verify.leafHash(new TextEncoder().encode(bev.entry)).then((x) => [...x].map((b) => b.toString(16).padStart(2, '0')).join('')).catch(() => null);
    const leafEl = h('code', {class: 'hash'}, '…');
    replace(detail,
      h('h2', {}, `Event ${e.seq}: ${title}`),
      line ? h('p', {}, line) : null,
      h('div', {class: 'detail-cols'}, dl([
        ['Proof', res ? `${marks[res.kind][1]}${res.message ? ': ' + res.message : ''}` : 'not checked'],
        ['Time (UTC)', e.time],
        lateOf(e) ? ['Entered late', `happened ${lateOf(e).claimed}, entered ${lateOf(e).entered}: ${hidden(lateOf(e).reason)}`] : null,
        ['Type', e.type],
        ['Record of', e.agency],
        ['Actor', actorText(e.actor)],
        ['About', Object.entries(e.subject || {}).filter(([k]) => k !== 'agencies').map(([k, v]) => `${k} ${v}`).join(' · ')],
        ['Directives in force', (e.directives || []).map((id) => {
          const d = directiveOf(id);
          return d ? `${id} (${d.effect}, issued by ${whoText(d.issuer)} of ${d.agency}${d.reason ? ': ' + d.reason : ''})` : id;
        }).join('; ')],
        bev ? ['Leaf hash', leafEl] : null,
        bev ? ['Inclusion proof', `${(bev.proof || []).length} hashes to the root of checkpoint ${state.report?.checkpoint?.size ?? '?'}`] : null,
      ].filter(Boolean)),
      h('div', {}, priv.length ? [h('h3', {}, 'Private fields'),
        h('ul', {class: 'private'}, priv.map(([f, c]) => {
          const o = bev?.openings?.[f];
          return h('li', {}, h('code', {class: 'field-name'}, f), ' ',
            o ? [h('span', {class: 'opened'}, openedText(f, o.value)), h('span', {class: 'hint'}, ' ✓ opening checked against its commitment')]
              : [h('span', {class: 'hint'}, 'hidden; commitment '), h('code', {class: 'hash'}, c)]);
        }))] : null,
      e.data ? h('details', {}, h('summary', {}, 'Data as logged'), h('pre', {class: 'json'}, JSON.stringify(e.data, null, 2))) : null,
      bev ? h('details', {}, h('summary', {}, 'Entry bytes (the leaf)'), h('pre', {class: 'json'}, bev.entry)) : null)));
    if (leaf) leafEl.textContent = (await leaf) || 'cannot compute';
  }

  function select(seq, focus = false) {
    if (!state) return;
    state.selected = seq;
    for (const tr of wrap.querySelectorAll('tr[data-seq]')) {
      const on = Number(tr.dataset.seq) === seq;
      tr.classList.toggle('selected', on);
      tr.querySelector('.mark')?.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    // The detail first: it takes its height from the lanes, which then
    // scroll the mark into what is left.
    drawDetail();
    const b = wrap.querySelector(`.mark[data-seq="${seq}"]`);
    if (focus) b?.focus({preventScroll: true});
    b?.scrollIntoView({block: 'nearest', inline: 'nearest'});
  }

  // step selects the next (+1) or previous (−1) event.
  function step(d) {
    if (!state?.entries.length) return;
    const i = state.entries.findIndex((e) => e.seq === state.selected);
    const j = i < 0 ? (d > 0 ? 0 : state.entries.length - 1) : Math.min(state.entries.length - 1, Math.max(0, i + d));
    select(state.entries[j].seq, true);
  }

  function sayVerdict(report, what) {
    const n = report.events.length;
    if (report.ok) {
      const cp = report.checkpoint;
      const m = report.timeline.length || n;
      const tl = `${m === 1 ? 'the one event' : `all ${m} events`}${report.timeline.length ? ' of the timeline' : ''} ${m === 1 ? 'is' : 'are'}`;
      setVerdict('ok', `Verified in this browser${what ? ' (' + what + ')' : ''}:`, `${tl} in the log under checkpoint ${cp.size} of ${cp.origin}, whose Ed25519 signature by the log's key ${report.key.name}+${report.key.hash} is good` +
        `${report.openings ? `; ${report.openings} private field${report.openings === 1 ? '' : 's'} opened and checked` : ''}` +
        `${report.redacted ? `; ${report.redacted} private field${report.redacted === 1 ? '' : 's'} hidden, shown as commitments` : ''}.`,
      report.extra.length ? h('span', {class: 'hint'}, ` The bundle also proves ${report.extra.length} newer event${report.extra.length === 1 ? '' : 's'} (${report.extra.join(', ')}) that the timeline shown does not have yet.`) : null);
    } else {
      setVerdict('failed', `NOT verified${what ? ' (' + what + ')' : ''}:`, report.failure.message + '.');
    }
    opts.onVerdict?.(report);
  }

  // show draws a timeline ({subject, entries, directives}) and checks it
  // against bundle (parsed JSON) signed by trustedKey; with no bundle,
  // unverified says why.
  async function show({timeline, bundle = null, trustedKey = '', unverified = ''}) {
    const my = ++token;
    state = {entries: timeline.entries || [], directives: timeline.directives || [], bundle, report: null,
      results: new Map(), selected: null};
    draw();
    drawDetail();
    if (!bundle) {
      state.report = {events: []};
      setVerdict('none', 'Not verified:', unverified || 'there is no evidence bundle to check it with.');
      draw();
      return null;
    }
    setVerdict('checking', 'Checking…', `${state.entries.length} events against the log's signed checkpoint, in this browser.`);
    const report = await verify.verifyBundle(bundle, {trustedKey, timeline});
    if (my !== token) return report;
    state.report = report;
    for (const r of report.timeline) state.results.set(r.seq, {kind: r.ok ? 'ok' : 'failed', message: r.message});
    draw();
    sayVerdict(report);
    return report;
  }

  // showFile checks a bundle file's text against trustedKey and draws its
  // events as a timeline.
  async function showFile(name, text, trustedKey) {
    const my = ++token;
    state = null;
    replace(wrap);
    replace(detail);
    setVerdict('checking', 'Checking…', `the file ${name}, in this browser.`);
    let bundle;
    try {
      bundle = verify.parseBundle(text);
    } catch (e) {
      if (my === token) setVerdict('failed', `NOT verified (${name}):`, e.message + '.');
      opts.onVerdict?.({ok: false, failure: {message: e.message, seq: e.seq ?? null}});
      return null;
    }
    const report = await verify.verifyBundle(bundle, {trustedKey});
    if (my !== token) return report;
    const entries = report.events.map((r) => r.entry ? {...r.entry, directives: []} : {seq: r.seq, unreadable: true, time: ''});
    state = {entries, directives: [], bundle, report, results: new Map(), selected: null};
    for (const r of report.events) state.results.set(r.seq, {kind: r.ok ? 'ok' : 'failed', message: r.message});
    draw();
    drawDetail();
    sayVerdict(report, name);
    return report;
  }

  function clear(text = '') {
    token++;
    state = null;
    replace(wrap);
    replace(detail);
    verdict.className = 'verdict';
    replace(verdict, text);
  }

  return {el, show, showFile, step, clear, select, get report() { return state?.report || null; }};
}

// fileInput returns a labelled file picker for a bundle the user was
// given, which calls onText(name, text) with its contents.
export function fileInput(id, onText) {
  const input = h('input', {type: 'file', id, accept: '.json,application/json', class: 'file'});
  input.addEventListener('change', async () => {
    const f = input.files?.[0];
    if (!f) return;
    onText(f.name, await f.text());
    input.value = '';
  });
  return h('div', {class: 'check-file'},
    h('label', {for: id}, 'Check a bundle file'),
    input,
    h('p', {class: 'hint'}, 'An evidence bundle you were given (tenfour-evidence-bundle/v1): checked here against this log\'s key, nothing is sent.'));
}

// openedText shows an opened value: a payload field ("/data/…", docs/log.md)
// is opened as its JSON text, shown as plain text when it is a string.
function openedText(field, value) {
  if (!field.startsWith('/data/')) return value;
  try {
    const v = JSON.parse(value);
    return typeof v === 'string' ? v : value;
  } catch {
    return value;
  }
}
