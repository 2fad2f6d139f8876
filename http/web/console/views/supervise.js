// views/supervise.js — the supervisor's view (DESIGN.md, "Who uses it":
// issues directives, approves overrides and declines, watches
// escalations): the assistance requests with a live countdown to each one's
// deadline and its escalation level, the agency's directives drawn on the
// map (issue one by drawing a circle or picking a district, an incident or
// the whole agency; revoke one), and the overrides and declines to review.
// Dispatchers and liaisons use it to acknowledge and accept requests;
// declines, overrides and directives are a supervisor's (the route table,
// http/server.go).
//
// Requests and directives are not in the store: the view reads them
// (GET /api/v1/requests, /directives) and, for each assist.* or directive.*
// event of the stream, reads again the one the event names, so that what
// it shows is the server's own account of where each stands.

import {get, post, seg} from '../api.js';
import {h, svg, replace, clockTime, duration} from '../dom.js';
import {createMap, districts} from '../mapview.js';
import {circlePicker, distanceM, km} from '../circlepick.js';
import {tkey} from '../store.js';
import {unitName, escalationReason} from '../assistalerts.js';
import * as keys from '../keys.js';
import {views, forMe} from '../router.js';

const urgencyRank = {EMERGENCY: 0, URGENT: 1, ROUTINE: 2};
const answerLabel = {asked: 'Asked', acknowledged: 'Acknowledged', accepted: 'Accepted', declined: 'Declined'};
const statusText = {REQUESTED: 'Requested', ACKNOWLEDGED: 'Acknowledged', ACCEPTED: 'Accepted', ON_SCENE: 'On scene', CLOSED: 'Closed'};
const effectText = {hold: 'Hold', clear: 'Clear', restrict: 'Restrict'};
const effectHelp = {
  hold: 'no unit of the agency is sent into the area',
  clear: 'units clear the area; none is sent into it',
  restrict: 'only units with the capability or of the kind named are sent into it',
};
const stepText = {
  'assist.requested': 'requested', 'assist.acknowledged': 'acknowledged', 'assist.accepted': 'accepted',
  'assist.declined': 'declined', 'assist.escalated': 'escalated', 'assist.conflict': 'directive conflict',
  'assist.on_scene': 'on scene', 'assist.closed': 'closed',
};
// expiries are the presets of a directive's expiry; a directive lasts at
// most 7 days (dispatch.MaxDirectiveDuration).
const expiries = [
  ['30 minutes', 30], ['1 hour', 60], ['2 hours', 120], ['4 hours', 240], ['8 hours', 480],
  ['12 hours (a shift)', 720], ['24 hours', 1440], ['3 days', 4320], ['7 days (the longest)', 10079],
];
const maxDirectiveMs = 7 * 24 * 3600 * 1000;
const scenarioTitle = {kedzie: 'the reference scenario'};
const scenarioAbout = {
  kedzie: 'DESIGN.md\'s reference scenario: metro holds dispatch around 39th Pl & S Kedzie Ave, then a federal patrol boxed in there presses EMERGENCY. Played by the demo users; in the log like any other work.',
};


// inPolygon is the even-odd rule on [lat, lon] or {lat, lon} points: which
// district a directive's centre lies in, to name it.
function inPolygon(poly, lat, lon) {
  let inside = false;
  const P = (p) => (Array.isArray(p) ? {lat: p[0], lon: p[1]} : p);
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = P(poly[i]), b = P(poly[j]);
    if ((a.lat > lat) !== (b.lat > lat) && lon < (b.lon - a.lon) * (lat - a.lat) / (b.lat - a.lat) + a.lon) inside = !inside;
  }
  return inside;
}

// unitMakeUp are the events that may change whom a directive keeps out:
// a new unit, a crew signed on or off, a cross-staffing.
const unitMakeUp = new Set(['unit.created', 'unit.signed_on', 'unit.signed_off', 'unit.cross_staffed']);

const whoText = (w) => (!w ? '' : w.system ? `system:${w.system}` : `${w.user}${w.role ? ` (${w.role})` : ''}`);

export function mount(root, ctx) {
  const store = ctx.store;
  const me = ctx.me;
  // may reports whether the user may call route for its own agency (the
  // server's list: store.may); answering, closing and directives are an
  // agency's own staff's.
  const may = (route) => !!me.agency && store.may(route);
  const agencyName = (id) => store.agencies.get(id)?.name || id;

  const requests = new Map(); // id → the request, as the server answers it
  const directives = new Map(); // id → the directive
  const issuers = new Map(); // directive id → its issuer (Who)
  const reviews = new Map(); // key → an override or a decline to review
  const timelinesRead = new Set();
  let plan = null; // the caller's agency's mutual-aid plan, if any
  let districtList = [];
  let selectedRequest = sessionStorage.getItem('tenfour.request') || null;
  sessionStorage.removeItem('tenfour.request');
  let selectedDirective = null;
  // skew is how far this browser's clock runs ahead of the server's, in
  // ms, as the events tell: the smallest delay from an event's time to its
  // arrival, which is the clocks' difference plus the delivery. Countdowns
  // count to the server's deadline: a browser behind the server is put
  // right; one ahead only beyond 2 s, so that a slow delivery never makes
  // a deadline look further away than it is.
  let skew = null;
  const serverNow = () => Date.now() - (skew !== null && (skew < 0 || skew > 2000) ? skew : 0);

  // --- the layout ---------------------------------------------------------
  const requestList = h('ol', {class: 'rq-list', id: 'requests', 'aria-label': 'Open assistance requests, most urgent first'});
  const requestCount = h('span', {class: 'count'});
  const closedList = h('ol', {class: 'rq-closed-list'});
  const closedBox = h('details', {class: 'rq-closed', hidden: true}, h('summary', {}, 'Closed requests'), closedList);
  const requestsPanel = h('section', {class: 'panel sv-requests', id: 'requests-panel', tabindex: '-1', 'aria-labelledby': 'requests-title'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'requests-title'}, 'Assistance requests ', requestCount)),
    h('div', {class: 'sv-scroll'}, requestList, closedBox));

  // The view draws the directives itself (selected, being drawn), not
  // maplayers.js.
  const map = createMap(ctx, {compact: true, directives: false});
  // The requests are drawn above the units (map.layer is beneath them).
  const requestMarks = svg('g', {class: 'request-marks'});
  map.el.querySelector('svg.map').append(requestMarks);
  const mapNote = h('p', {class: 'map-note', id: 'map-note'});
  const mapPanel = h('section', {class: 'panel map-panel sv-map', 'aria-label': 'Map of the directives and requests'}, map.el, mapNote);

  const directiveList = h('ul', {class: 'dv-list', id: 'directives', 'aria-label': 'Directives in force, soonest to expire first'});
  const endedList = h('ul', {class: 'dv-list ended'});
  const endedBox = h('details', {class: 'dv-ended', hidden: true}, h('summary', {}, 'Ended directives'), endedList);
  const formBox = h('div', {class: 'dv-form-box'});
  const newButton = may('POST /api/v1/directives') ? h('button', {type: 'button', class: 'primary', id: 'new-directive', 'aria-keyshortcuts': 'n',
    onclick: () => openForm()}, 'New directive ', h('kbd', {}, 'n')) : null;
  const directivesPanel = h('section', {class: 'panel sv-directives', id: 'directives-panel', tabindex: '-1', 'aria-labelledby': 'directives-title'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'directives-title'}, 'Directives'), newButton),
    h('div', {class: 'sv-scroll'}, formBox, directiveList, endedBox));

  const reviewList = h('ol', {class: 'rv-list', id: 'reviews'});
  const reviewPanel = h('section', {class: 'panel sv-review', id: 'review-panel', tabindex: '-1', 'aria-labelledby': 'review-title'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'review-title'}, 'Overrides and declines to review')),
    h('div', {class: 'sv-scroll'}, reviewList));

  const scenarioBox = h('div', {class: 'sv-scenario', id: 'scenario', hidden: true});
  replace(root, h('header', {class: 'sv-bar'}, h('h1', {}, 'Supervise'),
    h('p', {class: 'hint sv-who'}, me.agency ? `${agencyName(me.agency)}: requests it made or was asked, and its directives` :
      'Every agency\'s requests and directives, to read: answering them is for each agency\'s own staff'),
    scenarioBox),
  h('div', {class: 'sv-grid'}, requestsPanel, mapPanel, directivesPanel, reviewPanel));

  // --- requests -------------------------------------------------------------
  const awaiting = (r) => r.status === 'REQUESTED' || r.status === 'ACKNOWLEDGED';
  function rank(r) {
    if (r.urgency === 'EMERGENCY') return awaiting(r) ? 0 : 1;
    return awaiting(r) ? 2 + urgencyRank[r.urgency] : 5 + urgencyRank[r.urgency];
  }
  function openRequests() {
    return [...requests.values()].filter((r) => r.status !== 'CLOSED').sort((a, b) => rank(a) - rank(b) ||
      (Date.parse(a.deadline || 0) || Infinity) - (Date.parse(b.deadline || 0) || Infinity) || Date.parse(b.created) - Date.parse(a.created));
  }

  // Each card has two parts: what it shows, drawn again when the request
  // changes, and its actions, whose forms are made once so that typing in
  // them is never disturbed by the live updates.
  const cards = new Map(); // id → {li, info, actions, infoSig, actSig, form}

  function renderRequests() {
    const open = openRequests();
    const emergencies = open.filter((r) => r.urgency === 'EMERGENCY' && awaiting(r)).length;
    requestCount.textContent = `${open.length} open${emergencies ? ` · ${emergencies} EMERGENCY waiting` : ''}`;
    if (selectedRequest && !requests.has(selectedRequest)) selectedRequest = null;
    const focusedKey = requestList.contains(document.activeElement) ? document.activeElement.closest('[data-key]')?.dataset.key : null;
    const keep = new Set();
    let i = 0;
    for (const r of open) {
      keep.add(r.id);
      let c = cards.get(r.id);
      if (!c) {
        c = makeCard(r);
        cards.set(r.id, c);
      }
      updateCard(c, r);
      if (requestList.children[i] !== c.li) requestList.insertBefore(c.li, requestList.children[i] || null);
      i++;
    }
    for (const [id, c] of cards) {
      if (!keep.has(id)) {
        c.li.remove();
        cards.delete(id);
      }
    }
    if (!open.length) {
      if (!requestList.querySelector('.empty')) replace(requestList, h('li', {class: 'empty'}, 'No open request for assistance.'));
    } else {
      requestList.querySelector('.empty')?.remove();
    }
    if (focusedKey && !requestList.contains(document.activeElement)) cards.get(focusedKey)?.article.focus();
    const closed = [...requests.values()].filter((r) => r.status === 'CLOSED').slice(0, 20);
    closedBox.hidden = !closed.length;
    closedBox.querySelector('summary').textContent = `Closed requests (${closed.length})`;
    replace(closedList, closed.map((r) => h('li', {},
      h('span', {class: `urg ${r.urgency}`}, r.urgency), ' ', h('strong', {}, fromText(r)), ' · ', r.nature,
      h('span', {class: 'hint'}, ` · ${r.id} · closed ${clockTime(r.closed)}: ${r.disposition || ''}`))));
    drawOverlays();
  }

  // The audit view shows a request's timeline, checked against the log.
  const auditView = views.find((v) => v.path === 'audit');
  const mayAudit = !!auditView && forMe(auditView, me);
  function openTimeline(id) {
    history.pushState(null, '', '/console/audit?request=' + encodeURIComponent(id));
    ctx.go('audit');
  }

  function fromText(r) {
    return r.unit ? `${agencyName(r.from_agency)} · ${unitName(store, r.unit)}` : agencyName(r.from_agency);
  }

  function makeCard(r) {
    const info = h('div', {class: 'rq-info'});
    const actions = h('div', {class: 'rq-actions'});
    const article = h('article', {class: 'rq-card', tabindex: '-1', 'aria-labelledby': `rq-title-${r.id}`}, info, actions);
    const li = h('li', {class: 'rq', dataset: {key: r.id}}, article);
    article.addEventListener('click', (ev) => {
      if (ev.target.closest('button, a, input, textarea, select, label, summary')) return;
      selectRequest(r.id);
    });
    article.addEventListener('focusin', () => {
      if (selectedRequest !== r.id) selectRequest(r.id, {scroll: false});
    });
    return {li, article, info, actions, infoSig: '', actSig: '', form: null};
  }

  function updateCard(c, r) {
    c.li.className = `rq urg-${r.urgency} st-${r.status}${r.held ? ' held' : ''}${r.id === selectedRequest ? ' selected' : ''}`;
    c.article.setAttribute('aria-current', r.id === selectedRequest ? 'true' : 'false');
    const conflicts = r.asked.flatMap((a) => a.conflicts || []);
    const infoSig = JSON.stringify([r, conflicts.map((d) => [issuers.get(d), directives.get(d)?.status]), plan?.levels?.length]);
    if (infoSig !== c.infoSig) {
      c.infoSig = infoSig;
      drawInfo(c, r, conflicts);
    }
    const acts = availableActions(r);
    const actSig = JSON.stringify([acts, c.form?.name]);
    if (actSig !== c.actSig) {
      if (c.form && !acts.includes(c.form.name)) {
        ctx.announce(`The ${c.form.name} form of ${r.id} closed: the request has moved on`);
        c.form = null;
      }
      c.actSig = JSON.stringify([acts, c.form?.name]);
      drawActions(c, r, acts);
    }
    c.form?.refresh?.();
  }

  function drawInfo(c, r, conflicts) {
    const titleId = `rq-title-${r.id}`;
    const mine = r.from_agency === me.agency;
    const ans = r.asked.find((a) => a.agency === me.agency);
    const levels = mine && plan ? plan.levels.length : 0;
    const next = mine && plan && !r.exhausted ? plan.levels[r.level]?.agencies : null;
    replace(c.info,
      h('header', {class: 'rq-head'},
        h('span', {class: `urg ${r.urgency}`}, r.urgency),
        h('h3', {id: titleId, class: 'rq-title'}, fromText(r)),
        countdown(r)),
      h('p', {class: 'rq-nature'}, r.nature),
      h('p', {class: 'rq-place'}, r.location?.text || 'no place given',
        r.location?.district ? ` · district ${r.location.district}` : '',
        r.location?.lat !== undefined ? h('button', {type: 'button', class: 'link', onclick: () => showOnMap(r.location.lat, r.location.lon)}, 'map') : null),
      h('p', {class: 'rq-meta'},
        h('span', {class: `rq-status st-${r.status}`}, statusText[r.status] || r.status), ' · ',
        h('strong', {class: 'rq-level'}, r.level === 0 ? 'Level 0 (agency named)' : `Level ${r.level}${levels ? ` of ${levels}` : ''}`),
        r.exhausted ? h('strong', {class: 'bad'}, ' · every level asked') : null,
        next?.length && awaiting(r) ? ` · next: ${next.map(agencyName).join(', ')}` : '',
        ` · ${r.id} · asked ${clockTime(r.created)}${r.user ? ` by ${r.user}` : ''}`,
        mayAudit ? h('button', {type: 'button', class: 'link', title: 'Its timeline across agencies, checked against the log (the audit view)',
          onclick: () => openTimeline(r.id)}, 'timeline') : null,
        mine ? h('span', {class: 'mine'}, ' · your agency\'s request') : null,
        ans && !mine ? h('span', {class: 'mine'}, ` · asked of ${agencyName(me.agency)}`) : null),
      h('table', {class: 'rq-asked'},
        h('caption', {class: 'sr-only'}, `Agencies asked for ${r.id} and their answers`),
        h('thead', {}, h('tr', {}, ['Agency asked', 'Answer', 'Why, units'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, r.asked.map((a) => h('tr', {class: `ans-${a.answer}${a.agency === me.agency ? ' me' : ''}`},
          h('th', {scope: 'row'}, agencyName(a.agency), h('span', {class: 'lvl'}, ` level ${a.level}`)),
          h('td', {}, h('span', {class: `answer ${a.answer}`}, answerLabel[a.answer] || a.answer), ' ',
            h('time', {datetime: a.answered || a.asked}, clockTime(a.answered || a.asked)),
            a.by ? h('span', {class: 'by'}, whoText(a.by)) : null),
          h('td', {class: 'why'}, a.reason ? `“${a.reason}”` : '',
            (a.units || []).length ? `sent ${a.units.map((u) => unitName(store, u)).join(', ')}` : '',
            (a.conflicts || []).length ? h('span', {class: 'bad'}, `${a.reason || a.units?.length ? ' · ' : ''}directive conflict`) : null))))),
      conflicts.length ? h('div', {class: 'rq-conflicts', role: 'note'},
        h('strong', {}, r.held ? 'Directive conflict — held to its deadline: ' : 'Directive conflict: '),
        h('ul', {}, [...new Set(conflicts)].map((id) => {
          const who = issuers.get(id);
          const d = directives.get(id);
          return h('li', {class: 'conflict'}, h('span', {class: 'cs'}, id), ' by ',
            h('strong', {}, who ? whoText(who) : 'its issuer (reading…)'),
            d ? ` — ${effectText[d.effect]}: ${d.reason}${d.status !== 'IN_FORCE' ? ` (${d.status.toLowerCase()})` : ''}` : '');
        })),
        r.held ? h('p', {class: 'hint'}, 'No acknowledgement moves the deadline: at it the request escalates, unless an agency accepts first (a supervisor may override the directive to send units).') : null) : null,
      h('details', {class: 'rq-history'}, h('summary', {}, `History (${r.history.length})`),
        h('ol', {}, r.history.map((s) => h('li', {},
          h('time', {datetime: s.time}, clockTime(s.time)), ' ', h('strong', {}, stepText[s.type] || s.type),
          s.agency ? ` · ${agencyName(s.agency)}` : '', s.level ? ` · level ${s.level}` : '',
          s.asked?.length ? ` · asked ${s.asked.map(agencyName).join(', ')}` : '',
          s.directive ? ` · ${s.directive}` : '', s.units?.length ? ` · ${s.units.map((u) => unitName(store, u)).join(', ')}` : '',
          s.reason ? ` · ${s.type === 'assist.escalated' ? escalationReason(s.reason) : s.reason}` : '',
          s.held ? ' · held' : '', s.repeats ? ` · ×${s.repeats + 1}` : '',
          ` · ${whoText(s.who)}`)))));
  }

  // countdown is the live time left to the request's deadline, or where
  // it stands once it waits for nobody.
  function countdown(r) {
    if (awaiting(r) && r.deadline) {
      return h('span', {class: 'rq-count', 'data-deadline': r.deadline, title: `Escalates at ${clockTime(r.deadline)} unless answered`},
        h('span', {class: 'rq-count-label'}, r.exhausted ? 'alerts again in' : 'escalates in'), ' ',
        h('time', {class: 'rq-left', datetime: r.deadline}, left(r.deadline)),
        r.held ? h('span', {class: 'held-tag', title: 'A directive conflict holds the request to this deadline'}, 'held') : null);
    }
    const sent = r.units.length ? ` · ${r.units.length} unit${r.units.length === 1 ? '' : 's'} sent` : '';
    return h('span', {class: `rq-count done st-${r.status}`}, `${statusText[r.status] || r.status}${sent}`);
  }

  function left(deadline) {
    const ms = Date.parse(deadline) - serverNow();
    if (ms <= 0) return 'now';
    return duration(Math.ceil(ms / 1000));
  }

  function tick() {
    for (const el of root.querySelectorAll('[data-deadline]')) {
      const ms = Date.parse(el.dataset.deadline) - serverNow();
      const t = el.querySelector('.rq-left');
      const text = ms <= 0 ? 'now' : duration(Math.ceil(ms / 1000));
      if (t.textContent !== text) t.textContent = text;
      el.classList.toggle('soon', ms <= 10_000);
      el.classList.toggle('due', ms <= 0);
    }
    for (const el of root.querySelectorAll('[data-expires]')) {
      const text = timeLeft(el.dataset.expires);
      if (el.textContent !== text) el.textContent = text;
    }
  }

  function timeLeft(expires) {
    const ms = Date.parse(expires) - serverNow();
    return ms <= 0 ? 'expiring' : `${duration(Math.ceil(ms / 1000))} left`;
  }

  // availableActions lists what the caller may do with r now.
  function availableActions(r) {
    if (r.status === 'CLOSED') return [];
    const out = [];
    const ans = r.asked.find((a) => a.agency === me.agency);
    if (ans) {
      if (ans.answer === 'asked' && may('POST /api/v1/requests/{id}/acknowledge')) out.push('acknowledge');
      if (may('POST /api/v1/requests/{id}/accept')) out.push('accept');
      if (may('POST /api/v1/requests/{id}/decline') && (ans.answer === 'asked' || ans.answer === 'acknowledged')) out.push('decline');
    }
    if (r.from_agency === me.agency && may('POST /api/v1/requests/{id}/close')) out.push('close');
    return out;
  }

  function drawActions(c, r, acts) {
    const ans = r.asked.find((a) => a.agency === me.agency);
    const buttons = h('div', {class: 'rq-buttons'},
      acts.includes('acknowledge') ? h('button', {type: 'button', class: 'primary', 'data-act': 'acknowledge',
        'aria-keyshortcuts': 'A', title: `Say that ${agencyName(me.agency)} has the request and is deciding`,
        onclick: () => acknowledge(r.id)}, 'Acknowledge ', h('kbd', {}, 'A')) : null,
      acts.includes('accept') ? h('button', {type: 'button', class: c.form?.name === 'accept' ? 'on' : '', 'data-act': 'accept',
        'aria-expanded': String(c.form?.name === 'accept'), onclick: () => toggleForm(c, r.id, 'accept')},
      ans?.answer === 'accepted' ? 'Send more units…' : 'Accept: send units…') : null,
      acts.includes('decline') ? h('button', {type: 'button', class: `danger-ghost${c.form?.name === 'decline' ? ' on' : ''}`, 'data-act': 'decline',
        'aria-expanded': String(c.form?.name === 'decline'), onclick: () => toggleForm(c, r.id, 'decline')}, 'Decline…') : null,
      acts.includes('close') ? h('button', {type: 'button', class: c.form?.name === 'close' ? 'on' : '', 'data-act': 'close',
        'aria-expanded': String(c.form?.name === 'close'), onclick: () => toggleForm(c, r.id, 'close')}, 'Close…') : null);
    if (!acts.length) {
      replace(c.actions, !me.agency ? null : r.asked.some((a) => a.agency === me.agency) && !may('POST /api/v1/requests/{id}/accept') && r.status !== 'CLOSED'
        ? h('p', {class: 'hint'}, 'Answering is for a dispatcher, a supervisor or a liaison.') : null);
      return;
    }
    replace(c.actions, buttons, c.form?.el || null);
  }

  function toggleForm(c, id, name) {
    const r = requests.get(id);
    if (!r) return;
    c.form = c.form?.name === name ? null : makeForm(name, r);
    c.actSig = '';
    updateCard(c, r);
    c.form?.el.scrollIntoView({block: 'nearest'});
    c.form?.focus();
  }

  function makeForm(name, r) {
    if (name === 'accept') return acceptForm(r.id);
    const label = name === 'decline' ? `Why ${agencyName(me.agency)} cannot help (required; everyone asked and the requester will read it)` : 'Disposition (required)';
    const input = name === 'decline'
      ? h('textarea', {id: `rq-${name}-${r.id}`, rows: 2, maxlength: 500, required: true})
      : h('input', {id: `rq-${name}-${r.id}`, maxlength: 200, required: true, autocomplete: 'off', placeholder: 'help arrived, situation under control'});
    const err = h('p', {class: 'form-error', role: 'alert'});
    const el = h('form', {class: `rq-form ${name}-form`, onsubmit: async (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) {
        err.textContent = name === 'decline' ? 'A decline needs a reason: say why your agency cannot help.' : 'Give a disposition to close the request.';
        input.focus();
        return;
      }
      const body = name === 'decline' ? {reason: text} : {disposition: text};
      const done = name === 'decline' ? `Declined ${r.id}; it escalates at once` : `Closed ${r.id}`;
      if (await act(done, () => post(`/requests/${seg(r.id)}/${name}`, body), err, r.id)) closeForm(r.id);
    }},
    h('label', {for: input.id}, label), input, err,
    h('div', {class: 'form-buttons'},
      h('button', {type: 'submit', class: name === 'decline' ? 'danger' : 'primary'}, name === 'decline' ? `Decline for ${agencyName(me.agency)}` : 'Close the request'),
      h('button', {type: 'button', class: 'ghost', onclick: () => closeForm(r.id)}, 'Cancel')));
    el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        closeForm(r.id);
      }
    });
    return {name, el, focus: () => input.focus()};
  }

  function closeForm(id) {
    const c = cards.get(id);
    if (!c) return;
    c.form = null;
    c.actSig = '';
    const r = requests.get(id);
    if (r) updateCard(c, r);
    c.article.focus();
  }

  // acceptForm picks the units to send: the agency's AVAILABLE units, the
  // nearest to the request first; those a directive keeps out need a
  // supervisor's override with a reason. Which ones a directive keeps out,
  // and whether this user may override, the server says
  // (GET /api/v1/requests/{id}/blocked): read when the form opens and
  // again when a directive or a unit's make-up changes (reread).
  function acceptForm(id) {
    let blocked = null; // unit id → directive ids; null until read
    let mayOverride = false;
    let reading = 0;
    async function reread() {
      const n = ++reading;
      try {
        const b = await get(`/requests/${seg(id)}/blocked`);
        if (n !== reading) return;
        blocked = b.blocked_by || {};
        mayOverride = !!b.may_override;
      } catch (e) {
        if (n !== reading) return;
        blocked = blocked || {};
        err.textContent = `Cannot read which directives keep units out here: ${e.message}`;
      }
      refresh();
    }
    const chosen = new Set();
    const list = h('ul', {class: 'pick-units'});
    const commonNote = h('p', {class: 'held-by-all', hidden: true});
    const overrideInput = h('textarea', {id: `rq-override-${id}`, rows: 2, maxlength: 500});
    const overrideNote = h('p', {class: 'hint'});
    const overrideBox = h('div', {class: 'override', hidden: true},
      h('label', {for: overrideInput.id}, 'Override reason (required: a directive keeps the units chosen out)'), overrideInput, overrideNote);
    const err = h('p', {class: 'form-error', role: 'alert'});
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Send');
    let candidates = [];
    function refresh() {
      const r = requests.get(id);
      if (!r) return;
      const loc = r.location || {};
      if (!blocked) {
        if (!list.querySelector('.reading')) replace(list, h('li', {class: 'hint reading'}, 'Reading the directives over this place…'));
        return;
      }
      candidates = [...store.units.values()].filter((u) => u.agency === me.agency && u.status === 'AVAILABLE').map((u) => {
        const p = store.positions.get(u.id);
        const dist = p && loc.lat !== undefined ? distanceM(loc.lat, loc.lon, p.lat, p.lon) : null;
        return {u, dist, blockedBy: blocked[u.id] || []};
      }).sort((a, b) => (a.dist ?? Infinity) - (b.dist ?? Infinity) || a.u.call_sign.localeCompare(b.u.call_sign, 'en', {numeric: true}));
      for (const uid of [...chosen]) if (!candidates.some((c) => c.u.id === uid)) chosen.delete(uid);
      const shown = candidates.slice(0, 12);
      // A hold or clear directive keeps every unit out: said once.
      const common = shown.length && shown.every((c) => c.blockedBy.length && c.blockedBy.join() === shown[0].blockedBy.join()) ? shown[0].blockedBy.join(', ') : '';
      const sig = JSON.stringify(shown.map((c) => [c.u.id, Math.round((c.dist ?? -1) / 100), c.blockedBy, chosen.has(c.u.id)]));
      if (list.dataset.sig !== sig) {
        list.dataset.sig = sig;
        const focused = list.contains(document.activeElement) ? document.activeElement.value : null;
        replace(list, shown.length ? shown.map((c, n) => {
          const disabled = c.blockedBy.length > 0 && !mayOverride;
          const box = h('input', {type: 'checkbox', value: c.u.id, id: `pick-${id}-${c.u.id}`, checked: chosen.has(c.u.id), disabled,
            onchange: (ev) => {
              if (ev.target.checked) chosen.add(c.u.id);
              else chosen.delete(c.u.id);
              summarize();
            }});
          return h('li', {class: c.blockedBy.length ? 'blocked' : ''}, h('label', {for: box.id}, box,
            h('span', {class: 'cs'}, c.u.call_sign), ' ', h('span', {class: 'kind'}, c.u.kind),
            n === 0 && c.dist !== null ? h('span', {class: 'nearest'}, 'nearest') : null,
            h('span', {class: 'dist'}, c.dist === null ? 'position unknown' : km(c.dist)),
            c.blockedBy.length && !common ? h('span', {class: 'held-by'}, `kept out by ${c.blockedBy.join(', ')}${disabled ? ': a supervisor may override' : ''}`) : null));
        }) : h('li', {class: 'hint'}, `${agencyName(me.agency)} has no unit AVAILABLE.`));
        replace(commonNote, common ? `${common} ${common.includes(',') ? 'keep' : 'keeps'} every unit of ${agencyName(me.agency)} out of this place: ` +
          (mayOverride ? 'sending one needs your override, with a reason.' : 'only a supervisor may send one, overriding it.') : '');
        commonNote.hidden = !common;
        if (focused) list.querySelector(`input[value="${CSS.escape(focused)}"]`)?.focus();
      }
      summarize();
    }
    function summarize() {
      const blocked = candidates.filter((c) => chosen.has(c.u.id) && c.blockedBy.length);
      overrideBox.hidden = blocked.length === 0;
      overrideInput.required = blocked.length > 0;
      overrideNote.textContent = blocked.length ? `${blocked.map((c) => c.u.call_sign).join(', ')}: ${[...new Set(blocked.flatMap((c) => c.blockedBy))].join(', ')}. The override is recorded with your name (directive.overridden).` : '';
      const n = chosen.size;
      submit.textContent = n ? `Send ${n} unit${n === 1 ? '' : 's'}${blocked.length ? ' under override' : ''}` : 'Send units';
    }
    const el = h('form', {class: 'rq-form accept-form', onsubmit: async (ev) => {
      ev.preventDefault();
      const units = candidates.filter((c) => chosen.has(c.u.id)).map((c) => c.u.id);
      if (!units.length) {
        err.textContent = 'Choose at least one unit to send.';
        list.querySelector('input:not(:disabled)')?.focus();
        return;
      }
      const body = {units};
      if (!overrideBox.hidden) {
        const reason = overrideInput.value.trim();
        if (!reason) {
          err.textContent = 'A directive keeps these units out: give the reason you override it.';
          overrideInput.focus();
          return;
        }
        body.override = reason;
      }
      const names = units.map((u) => unitName(store, u)).join(', ');
      if (await act(`Accepted ${id}: sent ${names}`, () => post(`/requests/${seg(id)}/accept`, body), err, id)) closeForm(id);
    }},
    h('fieldset', {}, h('legend', {}, 'Units to send, nearest first'), commonNote, list),
    overrideBox, err,
    h('div', {class: 'form-buttons'}, submit, h('button', {type: 'button', class: 'ghost', onclick: () => closeForm(id)}, 'Cancel')));
    el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        closeForm(id);
      }
    });
    refresh();
    reread();
    return {name: 'accept', el, refresh, reread, focus: () => (list.querySelector('input:not(:disabled)') || submit).focus()};
  }

  // act runs a command, says what happened, and returns whether it
  // worked; a refusal is written in the form (err) as the server says it.
  async function act(done, fn, err, requestId) {
    if (err) err.textContent = '';
    try {
      const out = await fn();
      if (requestId && out?.id === requestId) {
        requests.set(out.id, out);
        renderRequests();
      }
      ctx.announce(done);
      ctx.toast(done);
      return true;
    } catch (e) {
      if (err) err.textContent = e.message;
      else ctx.toast(e.message, 'error');
      return false;
    }
  }

  function acknowledge(id) {
    const r = requests.get(id);
    if (!r) return;
    act(`Acknowledged ${id} for ${agencyName(me.agency)}${r.held ? '; a directive holds it: the deadline stands' : ''}`,
      () => post(`/requests/${seg(id)}/acknowledge`, {}), null, id);
  }

  function selectRequest(id, {scroll = true} = {}) {
    selectedRequest = id;
    for (const [cid, c] of cards) {
      c.li.classList.toggle('selected', cid === id);
      c.article.setAttribute('aria-current', cid === id ? 'true' : 'false');
    }
    const r = requests.get(id);
    if (r?.location?.lat !== undefined) map.show(r.location.lat, r.location.lon);
    if (scroll) cards.get(id)?.li.scrollIntoView({block: 'nearest'});
    drawOverlays();
  }
  ctx.openRequest = (id) => {
    if (!requests.has(id)) readRequest(id);
    selectRequest(id);
    cards.get(id)?.article.focus();
  };

  function moveRequest(step) {
    const open = openRequests();
    if (!open.length) return;
    const at = open.findIndex((r) => r.id === selectedRequest);
    const next = open[at < 0 ? 0 : Math.min(Math.max(at + step, 0), open.length - 1)];
    selectRequest(next.id);
    cards.get(next.id)?.article.focus();
  }

  function actOnSelected(name) {
    const r = requests.get(selectedRequest) || openRequests()[0];
    if (!r) return;
    const c = cards.get(r.id);
    if (!availableActions(r).includes(name)) {
      ctx.toast(`You cannot ${name} ${r.id} now.`, 'error');
      return;
    }
    selectRequest(r.id);
    if (name === 'acknowledge') return acknowledge(r.id);
    if (c.form?.name !== name) toggleForm(c, r.id, name);
    else c.form.focus();
  }

  // --- reading requests and directives again as events name them ---------------
  const timers = new Map();
  function readRequest(id) {
    clearTimeout(timers.get(id));
    // The events of one decision arrive together: one read for them all.
    timers.set(id, setTimeout(async () => {
      timers.delete(id);
      try {
        const r = await get(`/requests/${seg(id)}`);
        requests.set(r.id, r);
        readIssuers(r);
        harvestDeclines(r);
      } catch (e) {
        if (e.status === 404) requests.delete(id);
        else console.warn('supervise: request', id, e.message);
      }
      renderRequests();
      renderReviews();
    }, 80));
  }

  async function readDirective(id) {
    try {
      const d = await get(`/directives/${seg(id)}`);
      directives.set(d.id, d);
      issuers.set(d.id, d.issuer);
    } catch (e) {
      if (e.status === 404) directives.delete(id);
      else console.warn('supervise: directive', id, e.message);
    }
    renderDirectives();
    renderRequests();
  }

  // readIssuers reads the timeline of a request whose conflicts name a
  // directive of another agency, to learn who issued it (and any override
  // and decline before this screen opened).
  async function readIssuers(r) {
    const unknown = r.asked.flatMap((a) => a.conflicts || []).filter((d) => !issuers.has(d));
    if (!unknown.length || timelinesRead.has(r.id + unknown.join())) return;
    timelinesRead.add(r.id + unknown.join());
    try {
      const tl = await get(`/requests/${seg(r.id)}/timeline`);
      for (const d of tl.directives || []) issuers.set(d.id, d.issuer);
      for (const e of tl.entries || []) {
        if (e.type === 'assist.conflict' && e.data?.issuer) issuers.set(e.data.directive, e.data.issuer);
        if (e.type === 'directive.overridden') addOverride(e.time, e.actor, e.agency, e.data);
        if (e.type === 'assist.declined') addDecline(e.time, e.actor, e.data);
      }
      renderRequests();
      renderReviews();
    } catch (e) {
      console.warn('supervise: timeline of', r.id, e.message);
    }
  }

  // --- overrides and declines ---------------------------------------------------
  function addOverride(time, actor, agency, d) {
    reviews.set(`override:${d.directive}:${tkey(time)}`, {kind: 'override', time, who: actor, agency,
      directive: d.directive, request: d.request, incident: d.incident, units: d.units || [], reason: d.reason});
  }
  function addDecline(time, actor, d) {
    reviews.set(`decline:${d.request}:${d.to_agency}:${tkey(time)}`, {kind: 'decline', time, who: actor, agency: d.to_agency,
      request: d.request, from: d.from_agency, urgency: d.urgency, reason: d.reason});
  }
  function harvestDeclines(r) {
    for (const s of r.history) {
      if (s.type === 'assist.declined') addDecline(s.time, s.who, {request: r.id, to_agency: s.agency, from_agency: r.from_agency, urgency: r.urgency, reason: s.reason});
    }
  }

  function renderReviews() {
    const items = [...reviews.values()].sort((a, b) => (tkey(b.time) > tkey(a.time) ? 1 : -1));
    if (!items.length) {
      replace(reviewList, h('li', {class: 'empty'}, 'No override or decline since this screen opened, nor in the requests it shows.'));
      return;
    }
    replace(reviewList, items.slice(0, 50).map((v) => h('li', {class: `rv ${v.kind}${v.agency === me.agency ? ' mine' : ''}`},
      h('p', {class: 'rv-head'},
        h('span', {class: `rv-kind ${v.kind}`}, v.kind === 'override' ? 'Override' : 'Decline'), ' ',
        h('time', {datetime: v.time}, clockTime(v.time)), ' · ', h('strong', {}, whoText(v.who)),
        ` · ${agencyName(v.agency)}`),
      h('p', {}, v.kind === 'override'
        ? [`sent ${v.units.map((u) => unitName(store, u)).join(', ')} against `, h('span', {class: 'cs'}, v.directive),
          issuers.get(v.directive) ? ` (issued by ${whoText(issuers.get(v.directive))})` : '',
          ` to ${v.request ? `request ${v.request}` : `incident ${v.incident}`}`]
        : [`declined ${v.urgency || ''} request `, requestLink(v.request), v.from ? ` from ${agencyName(v.from)}` : '']),
      h('p', {class: 'rv-reason'}, `“${v.reason}”`))));
  }

  function requestLink(id) {
    if (!requests.has(id) || requests.get(id).status === 'CLOSED') return h('span', {class: 'cs'}, id);
    return h('button', {type: 'button', class: 'link cs', onclick: () => ctx.openRequest(id)}, id);
  }

  // --- directives ---------------------------------------------------------------
  const inForce = (d) => d.status === 'IN_FORCE' && Date.parse(d.expires) > serverNow();

  function scopeText(d) {
    const sc = d.scope || {};
    switch (sc.kind) {
      case 'circle': {
        const in_ = districtList.find((x) => inPolygon(x.boundary, sc.circle.lat, sc.circle.lon));
        return `${km(sc.circle.radius_m)} around ${sc.circle.lat.toFixed(4)}, ${sc.circle.lon.toFixed(4)}${in_ ? ` (${in_.name})` : ''}`;
      }
      case 'polygon': return `an area of ${sc.polygon.length} points`;
      case 'district': {
        const x = districtList.find((y) => y.id === sc.district);
        return `district ${sc.district}${x ? ` (${x.name})` : ''}`;
      }
      case 'incident': {
        const i = store.incidents.get(sc.incident);
        return `incident ${sc.incident}${i ? ` — ${store.typeName(i.type)} at ${i.location?.text || ''}` : ''}`;
      }
      case 'agency': return `all of ${agencyName(d.agency)}`;
    }
    return sc.kind;
  }

  // Each directive in force has what it shows, drawn again when it
  // changes, and a slot for its revoke form, kept while it is written.
  const dvItems = new Map(); // id → {li, body, slot, sig}

  function renderDirectives() {
    const all = [...directives.values()];
    const now = all.filter(inForce).sort((a, b) => Date.parse(a.expires) - Date.parse(b.expires));
    const ended = all.filter((d) => !inForce(d)).sort((a, b) => Date.parse(b.ended || b.expires) - Date.parse(a.ended || a.expires)).slice(0, 20);
    if (selectedDirective && !directives.has(selectedDirective)) selectedDirective = null;
    const focusedId = directiveList.contains(document.activeElement) ? document.activeElement.id : null;
    const keep = new Set();
    now.forEach((d, i) => {
      keep.add(d.id);
      let it = dvItems.get(d.id);
      if (!it) {
        const body = h('div', {class: 'dv-body'});
        const slot = h('div', {class: 'dv-slot'});
        it = {li: h('li', {dataset: {key: d.id}}, body, slot), body, slot, sig: ''};
        dvItems.set(d.id, it);
      }
      const sig = JSON.stringify([d, d.id === selectedDirective, scopeText(d)]);
      if (sig !== it.sig) {
        it.sig = sig;
        it.li.className = `dv eff-${d.effect}${d.id === selectedDirective ? ' selected' : ''}`;
        replace(it.body, directiveBody(d, it));
      }
      if (directiveList.children[i] !== it.li) directiveList.insertBefore(it.li, directiveList.children[i] || null);
    });
    for (const [id, it] of dvItems) {
      if (!keep.has(id)) {
        it.li.remove();
        dvItems.delete(id);
      }
    }
    directiveList.querySelector('.empty')?.remove();
    if (!now.length) directiveList.append(h('li', {class: 'empty'}, 'No directive in force.'));
    if (focusedId && !directiveList.contains(document.activeElement)) document.getElementById(focusedId)?.focus();
    endedBox.hidden = !ended.length;
    endedBox.querySelector('summary').textContent = `Ended directives (${ended.length})`;
    replace(endedList, ended.map((d) => h('li', {class: `dv ended eff-${d.effect}`},
      h('p', {}, h('span', {class: `eff ${d.effect}`}, effectText[d.effect]), ' ', h('strong', {}, scopeText(d))),
      h('p', {class: 'dv-reason'}, d.reason),
      h('p', {class: 'dv-meta'}, `${d.id} · by ${whoText(d.issuer)} · ${d.status === 'REVOKED' ? `revoked ${clockTime(d.ended)} by ${whoText(d.ended_by)}: “${d.end_reason}”` : `expired ${clockTime(d.ended || d.expires)}`}`))));
    drawOverlays();
  }

  function directiveBody(d, it) {
    const sel = d.id === selectedDirective;
    return [
      h('div', {class: 'dv-head'},
        h('span', {class: `eff ${d.effect}`, title: effectHelp[d.effect]}, effectText[d.effect], d.restrict ? ` to ${d.restrict}` : ''),
        h('strong', {class: 'dv-scope'}, scopeText(d)),
        h('span', {class: 'dv-left timer', 'data-expires': d.expires, title: `Expires ${new Date(d.expires).toLocaleString('en-GB')}`}, timeLeft(d.expires))),
      h('p', {class: 'dv-reason'}, d.reason),
      h('p', {class: 'dv-meta'}, `${d.id} · by ${whoText(d.issuer)} at ${clockTime(d.issued)} · until ${new Date(d.expires).toLocaleString('en-GB', {weekday: 'short', hour: '2-digit', minute: '2-digit'})}`,
        d.overrides ? h('strong', {class: 'warn'}, ` · ${d.overrides} override${d.overrides === 1 ? '' : 's'}`) : null),
      h('div', {class: 'dv-actions'},
        h('button', {type: 'button', class: 'ghost', id: `dv-show-${d.id}`, 'aria-pressed': String(sel), onclick: () => selectDirective(d.id)}, sel ? 'Shown on the map' : 'Show on the map'),
        may('POST /api/v1/directives/{id}/revoke') && d.agency === me.agency ? h('button', {type: 'button', class: 'danger-ghost', id: `dv-revoke-${d.id}`, onclick: () => openRevoke(d, it)}, 'Revoke…') : null),
    ];
  }

  function selectDirective(id) {
    selectedDirective = selectedDirective === id ? null : id;
    const d = directives.get(id);
    const c = d && centreOf(d);
    if (c && selectedDirective) map.show(c.lat, c.lon);
    renderDirectives();
  }

  function centreOf(d) {
    const sc = d.scope || {};
    if (sc.kind === 'circle') return sc.circle;
    if (sc.kind === 'polygon' && sc.polygon.length) return sc.polygon[0];
    if (sc.kind === 'district') {
      const x = districtList.find((y) => y.id === sc.district);
      if (x) return {lat: x.boundary.reduce((s, p) => s + p[0], 0) / x.boundary.length, lon: x.boundary.reduce((s, p) => s + p[1], 0) / x.boundary.length};
    }
    if (sc.kind === 'incident') {
      const i = store.incidents.get(sc.incident);
      if (i?.location?.lat !== undefined) return i.location;
    }
    return null;
  }

  function openRevoke(d, it) {
    if (it.slot.firstChild) return it.slot.querySelector('textarea').focus();
    const input = h('textarea', {id: `revoke-reason-${d.id}`, rows: 2, maxlength: 500, required: true});
    const err = h('p', {class: 'form-error', role: 'alert'});
    const cancel = () => {
      it.slot.replaceChildren();
      document.getElementById(`dv-revoke-${d.id}`)?.focus();
    };
    const form = h('form', {class: 'revoke-form', onsubmit: async (ev) => {
      ev.preventDefault();
      const reason = input.value.trim();
      if (!reason) {
        err.textContent = 'Say why the directive ends: the reason is recorded with your name.';
        input.focus();
        return;
      }
      const out = await act(`Revoked ${d.id}`, () => post(`/directives/${seg(d.id)}/revoke`, {reason}), err);
      if (out) {
        it.slot.replaceChildren();
        readDirective(d.id);
        directivesPanel.focus();
      }
    }},
    h('label', {for: input.id}, `Why ${d.id} ends (required)`), input, err,
    h('div', {class: 'form-buttons'}, h('button', {type: 'submit', class: 'danger'}, 'Revoke the directive'),
      h('button', {type: 'button', class: 'ghost', onclick: cancel}, 'Cancel')));
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        cancel();
      }
    });
    it.slot.append(form);
    input.focus();
  }

  // --- a new directive ------------------------------------------------------------
  // draft is the scope being drawn: drawn on the map while the form is open.
  let draft = null;
  let formApi = null;

  function openForm() {
    if (!may('POST /api/v1/directives')) return;
    if (formApi) return formApi.focus();
    formApi = directiveForm();
    replace(formBox, formApi.el);
    newButton.hidden = true;
    formApi.focus();
  }
  function closeDirectiveForm() {
    formApi = null;
    draft = null;
    map.setTool(null);
    formBox.replaceChildren();
    newButton.hidden = false;
    drawOverlays();
    newButton.focus();
  }

  function directiveForm() {
    const uid = 'dv';
    draft = {kind: 'circle', lat: null, lon: null, radius: 500};
    const radio = (name, value, label, checked) => h('label', {class: 'seg-option'},
      h('input', {type: 'radio', name, value, checked, id: `${uid}-${name}-${value}`}), label);
    const scopeSet = h('fieldset', {class: 'seg'}, h('legend', {}, 'Where'),
      radio('scope', 'circle', 'Circle on the map', true), radio('scope', 'district', 'District'),
      radio('scope', 'incident', 'Incident'), radio('scope', 'agency', 'Whole agency'));
    // circle
    const place = h('input', {id: 'dv-place', autocomplete: 'off', placeholder: '39th Pl & S Kedzie Ave'});
    const findBtn = h('button', {type: 'button', class: 'ghost', id: 'dv-find'}, 'Find');
    const radius = h('input', {id: 'dv-radius', type: 'number', min: 1, max: 50000, step: 1, value: 500, inputmode: 'numeric'});
    const centre = h('output', {id: 'dv-centre', for: 'dv-place'}, 'no centre yet');
    const circleBox = h('div', {class: 'scope-box', id: 'dv-circle'},
      h('p', {class: 'hint'}, 'Click the centre on the map and drag out the radius, or find a place and type the radius.'),
      h('div', {class: 'row'}, h('label', {for: 'dv-place'}, 'Centre'), place, findBtn),
      h('div', {class: 'row'}, h('label', {for: 'dv-radius'}, 'Radius (m)'), radius,
        h('span', {class: 'presets'}, [200, 500, 1000, 2000].map((m) => h('button', {type: 'button', class: 'ghost small', onclick: () => { radius.value = m; syncRadius(); }}, km(m))))),
      h('p', {}, 'Centre: ', centre));
    // district
    const district = h('select', {id: 'dv-district'}, h('option', {value: ''}, '— choose a district —'),
      districtList.map((d) => h('option', {value: d.id}, `${d.id} ${d.name}`)));
    const districtBox = h('div', {class: 'scope-box', hidden: true}, h('label', {for: 'dv-district'}, 'District'), district);
    // incident
    const openIncidents = [...store.incidents.values()].filter((i) => i.status !== 'CLOSED' && i.agency === me.agency)
      .sort((a, b) => a.priority - b.priority || Date.parse(a.received) - Date.parse(b.received));
    const incident = h('select', {id: 'dv-incident'}, h('option', {value: ''}, openIncidents.length ? '— choose an incident —' : 'no open incident'),
      openIncidents.map((i) => h('option', {value: i.id}, `P${i.priority} ${store.typeName(i.type)} — ${i.location?.text || ''} (${i.id})`)));
    const incidentBox = h('div', {class: 'scope-box', hidden: true}, h('label', {for: 'dv-incident'}, 'Incident'), incident);
    const agencyBox = h('div', {class: 'scope-box', hidden: true}, h('p', {class: 'warn'}, `Everywhere ${agencyName(me.agency)} works.`));
    const boxes = {circle: circleBox, district: districtBox, incident: incidentBox, agency: agencyBox};
    // effect
    const effectSet = h('fieldset', {class: 'seg'}, h('legend', {}, 'Effect'),
      ['hold', 'clear', 'restrict'].map((e, n) => h('label', {class: 'seg-option', title: effectHelp[e]},
        h('input', {type: 'radio', name: 'effect', value: e, checked: n === 0, id: `${uid}-effect-${e}`}), effectText[e])));
    const effectHint = h('p', {class: 'hint', id: 'dv-effect-hint'}, effectHelp.hold);
    const caps = new Set();
    for (const u of store.units.values()) {
      if (u.agency !== me.agency) continue;
      caps.add(u.kind);
      for (const c of u.capabilities || []) caps.add(c);
    }
    const restrict = h('input', {id: 'dv-restrict', list: 'dv-caps', autocomplete: 'off', placeholder: 'traffic-control'});
    const restrictBox = h('div', {class: 'row', hidden: true}, h('label', {for: 'dv-restrict'}, 'Let through'), restrict,
      h('datalist', {id: 'dv-caps'}, [...caps].sort().map((c) => h('option', {value: c}))));
    const reason = h('textarea', {id: 'dv-reason', rows: 2, maxlength: 500, required: true, placeholder: 'commander\'s order: crowd at the rail yards'});
    const expiry = h('select', {id: 'dv-expiry'}, expiries.map(([label, min]) => h('option', {value: min, selected: min === 240}, label)),
      h('option', {value: 'until'}, 'until a time…'));
    const until = h('input', {id: 'dv-until', type: 'datetime-local', hidden: true});
    const err = h('p', {class: 'form-error', role: 'alert', id: 'dv-error'});
    const submit = h('button', {type: 'submit', class: 'primary', id: 'dv-issue'}, 'Issue directive');
    const form = h('form', {class: 'dv-form', id: 'dv-form', 'aria-labelledby': 'dv-form-title', novalidate: true},
      h('h3', {id: 'dv-form-title'}, 'New directive'),
      scopeSet, circleBox, districtBox, incidentBox, agencyBox,
      effectSet, effectHint, restrictBox,
      h('label', {for: 'dv-reason'}, 'Reason (required)'), reason,
      h('div', {class: 'row'}, h('label', {for: 'dv-expiry'}, 'Expires after'), expiry, until),
      err,
      h('div', {class: 'form-buttons'}, submit, h('button', {type: 'button', class: 'ghost', onclick: closeDirectiveForm}, 'Cancel ', h('kbd', {}, 'Esc'))));

    function scopeKind() {
      return form.querySelector('input[name=scope]:checked').value;
    }
    function effect() {
      return form.querySelector('input[name=effect]:checked').value;
    }
    function syncScope() {
      const k = scopeKind();
      draft.kind = k;
      for (const [name, box] of Object.entries(boxes)) box.hidden = name !== k;
      draft.district = district.value;
      draft.incident = incident.value;
      map.setTool(k === 'circle' ? circleTool : null);
      drawOverlays();
    }
    const {tool: circleTool, setCentre, syncRadius, find} = circlePicker({map, draft, radius, centre, place, err,
      redraw: drawOverlays, announce: ctx.announce});
    findBtn.addEventListener('click', find);
    place.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        find();
      }
    });
    radius.addEventListener('input', syncRadius);
    scopeSet.addEventListener('change', syncScope);
    district.addEventListener('change', () => { draft.district = district.value; drawOverlays(); });
    incident.addEventListener('change', () => { draft.incident = incident.value; drawOverlays(); });
    effectSet.addEventListener('change', () => {
      restrictBox.hidden = effect() !== 'restrict';
      effectHint.textContent = effectHelp[effect()];
      draft.effect = effect();
      drawOverlays();
    });
    expiry.addEventListener('change', () => {
      until.hidden = expiry.value !== 'until';
      if (!until.hidden) {
        const d = new Date(Date.now() + 4 * 3600e3);
        until.value = localInput(d);
        until.min = localInput(new Date());
        until.max = localInput(new Date(Date.now() + maxDirectiveMs - 60e3));
        until.focus();
      }
    });
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        closeDirectiveForm();
      }
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const k = scopeKind();
      let scope;
      if (k === 'circle') {
        if (draft.lat === null) return fail('Set the centre: click it on the map, or find a place.', place);
        const m = Number(radius.value);
        if (!(m >= 1 && m <= 50000)) return fail('The radius is between 1 and 50,000 metres.', radius);
        scope = {kind: 'circle', circle: {lat: draft.lat, lon: draft.lon, radius_m: m}};
      } else if (k === 'district') {
        if (!district.value) return fail('Choose the district.', district);
        scope = {kind: 'district', district: district.value};
      } else if (k === 'incident') {
        if (!incident.value) return fail('Choose the incident.', incident);
        scope = {kind: 'incident', incident: incident.value};
      } else {
        scope = {kind: 'agency'};
      }
      const body = {scope, effect: effect(), reason: reason.value.trim()};
      if (body.effect === 'restrict') {
        body.restrict = restrict.value.trim();
        if (!body.restrict) return fail('Name the capability or the unit kind let through, such as traffic-control.', restrict);
      }
      if (!body.reason) return fail('A directive needs a reason: it is recorded with your name.', reason);
      let expires;
      if (expiry.value === 'until') {
        expires = new Date(until.value);
        if (Number.isNaN(expires.getTime())) return fail('Give the time the directive ends.', until);
      } else {
        expires = new Date(serverNow() + Number(expiry.value) * 60e3);
      }
      if (expires.getTime() - serverNow() > maxDirectiveMs) return fail('A directive lasts at most 7 days; renew it if it must last longer.', until);
      if (expires.getTime() <= serverNow()) return fail('A directive must end after it is issued.', until);
      body.expires = expires.toISOString();
      submit.disabled = true;
      try {
        const d = await post('/directives', body);
        directives.set(d.id, d);
        issuers.set(d.id, d.issuer);
        selectedDirective = d.id;
        ctx.announce(`Issued directive ${d.id}`);
        ctx.toast(`Issued directive ${d.id}: ${effectText[d.effect]} ${scopeText(d)}`);
        closeDirectiveForm();
        renderDirectives();
        renderRequests();
      } catch (e) {
        err.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    });
    function fail(text, field) {
      err.textContent = text;
      field?.focus();
    }
    draft.effect = 'hold';
    syncScope();
    return {el: form, focus: () => form.querySelector('input[name=scope]:checked').focus()};
  }

  // --- the map -------------------------------------------------------------------
  let mapReady = false;
  map.ready.then(() => {
    mapReady = true;
    drawOverlays();
  });

  // area draws a directive's scope (or the one being drawn) with the
  // classes of maplayers.js, so that a directive looks the same on every
  // map, and its label; cls adds "selected" or "draft".
  function area(d, cls) {
    const sc = d.scope || {};
    const words = d.effect === 'restrict' ? `Only ${d.restrict || '…'}` : {hold: 'Hold dispatch', clear: 'Clear units out'}[d.effect] || '';
    const tip = `${d.id ? d.id + ': ' : 'New directive: '}${words} — ${scopeText(d)}${d.reason ? ' — ' + d.reason : ''}`;
    const c = `directive dir-${d.effect || 'hold'} ${cls}`;
    const label = (at) => svg('g', {class: `directive-label dir-${d.effect || 'hold'} ${cls}`, 'data-x': at.x.toFixed(3), 'data-y': at.y.toFixed(3)},
      svg('text', {x: 0, y: -6}, cls === 'draft' ? `NEW: ${words.toUpperCase()}` : words.toUpperCase()));
    const outline = (pts) => [svg('path', {class: c, d: 'M' + pts.map((p) => `${p.x.toFixed(3)} ${p.y.toFixed(3)}`).join(' L') + ' Z'}, svg('title', {}, tip)),
      label({x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: Math.min(...pts.map((p) => p.y))})];
    switch (sc.kind) {
      case 'circle': {
        if (!sc.circle) return null;
        const p = map.project(sc.circle.lat, sc.circle.lon), r = map.metres(sc.circle.radius_m);
        return [svg('circle', {class: c, cx: p.x.toFixed(3), cy: p.y.toFixed(3), r: r.toFixed(3)}, svg('title', {}, tip)), label({x: p.x, y: p.y - r})];
      }
      case 'polygon':
        return outline(sc.polygon.map((q) => map.project(q.lat, q.lon)));
      case 'district': {
        const x = districtList.find((y) => y.id === sc.district);
        return x ? outline(x.boundary.map(([la, lo]) => map.project(la, lo))) : null;
      }
      case 'incident': {
        const i = store.incidents.get(sc.incident);
        if (i?.location?.lat === undefined) return null;
        const p = map.project(i.location.lat, i.location.lon), r = map.metres(150);
        return [svg('circle', {class: c, cx: p.x.toFixed(3), cy: p.y.toFixed(3), r: r.toFixed(3)}, svg('title', {}, tip)), label({x: p.x, y: p.y - r})];
      }
    }
    return null;
  }

  function drawOverlays() {
    const ds = [...directives.values()].filter(inForce);
    const agencyWide = ds.filter((d) => d.scope.kind === 'agency');
    mapNote.textContent = [
      ds.length ? `${ds.length} directive${ds.length === 1 ? '' : 's'} in force` : 'No directive in force',
      agencyWide.length ? ` · ${agencyWide.map((d) => `${effectText[d.effect]} everywhere (${d.id})`).join(', ')}` : '',
      ' · open requests shown as triangles',
      formApi && draft?.kind === 'circle' ? ' · drawing: press the centre, drag the radius' : '',
    ].join('');
    if (!mapReady) return;
    const parts = ds.map((d) => area(d, d.id === selectedDirective ? 'selected' : ''));
    if (formApi && draft) {
      const sc = draft.kind === 'circle' ? {kind: 'circle', circle: draft.lat === null ? null : {lat: draft.lat, lon: draft.lon, radius_m: draft.radius}}
        : {kind: draft.kind, district: draft.district, incident: draft.incident};
      parts.push(area({scope: sc, effect: draft.effect}, 'draft'));
      if (sc.circle) {
        const p = map.project(sc.circle.lat, sc.circle.lon);
        parts.push(svg('g', {class: 'draw-centre', 'data-x': p.x.toFixed(3), 'data-y': p.y.toFixed(3)}, svg('circle', {r: 5})));
      }
    }
    const marks = [];
    for (const r of openRequests()) {
      if (r.location?.lat === undefined) continue;
      const p = map.project(r.location.lat, r.location.lon);
      marks.push(svg('g', {class: `rq-marker urg-${r.urgency}${r.id === selectedRequest ? ' selected' : ''}${awaiting(r) ? ' waiting' : ''}`,
        'data-x': p.x.toFixed(3), 'data-y': p.y.toFixed(3), 'data-request': r.id},
      svg('path', {d: 'M0,-11 L10,7 L-10,7 Z'}), svg('title', {}, `${r.urgency} request ${r.id} from ${fromText(r)}: ${r.nature} — ${r.location.text || ''}`)));
    }
    replace(map.layer, parts);
    replace(requestMarks, marks);
    map.refresh();
  }

  // A press on a request is no pan of the map.
  requestMarks.addEventListener('pointerdown', (ev) => {
    if (ev.target.closest('[data-request]')) ev.stopPropagation();
  });
  requestMarks.addEventListener('click', (ev) => {
    const g = ev.target.closest('[data-request]');
    if (g) ctx.openRequest(g.dataset.request);
  });

  function showOnMap(lat, lon) {
    map.show(lat, lon);
    map.focus();
  }

  // --- the reference scenario ------------------------------------------------------
  let scenarioPoll = null;
  async function readScenarios() {
    clearTimeout(scenarioPoll);
    let list;
    try {
      list = (await get('/scenarios')).scenarios || [];
    } catch {
      list = [];
    }
    scenarioBox.hidden = !list.length;
    replace(scenarioBox, list.map((s) => h('div', {class: 'scenario-row'},
      h('span', {class: 'hint', id: `scenario-${s.name}`, role: 'status'}, s.playing
        ? `Playing since ${clockTime(s.started)} (started by ${s.by})`
        : s.ended ? `Last played ${clockTime(s.ended)}${s.error ? `; it failed: ${s.error}` : ''}` : 'Demo'),
      h('button', {type: 'button', class: 'ghost', id: `play-${s.name}`, disabled: s.playing, title: scenarioAbout[s.name] || s.name,
        onclick: () => play(s.name)}, s.playing ? `Playing ${scenarioTitle[s.name] || s.name}…` : `Play ${scenarioTitle[s.name] || s.name}`))));
    if (list.some((s) => s.playing)) scenarioPoll = setTimeout(readScenarios, 3000);
  }
  async function play(name) {
    try {
      await post(`/scenarios/${seg(name)}`);
      ctx.announce(`Scenario ${name} started`);
    } catch (e) {
      ctx.toast(e.message, 'error');
    }
    readScenarios();
  }

  // --- keys -------------------------------------------------------------------------
  keys.setView('Supervise', [
    {key: 'j', alt: ['ArrowDown'], label: 'Next request', run: () => moveRequest(1)},
    {key: 'k', alt: ['ArrowUp'], label: 'Previous request', run: () => moveRequest(-1)},
    {key: 'A', label: 'Acknowledge the selected request for your agency', run: () => actOnSelected('acknowledge'), when: () => may('POST /api/v1/requests/{id}/acknowledge')},
    {key: 's', label: 'Accept the selected request: choose the units to send', run: () => actOnSelected('accept'), when: () => may('POST /api/v1/requests/{id}/accept')},
    {key: 'x', label: 'Decline the selected request (with a reason)', run: () => actOnSelected('decline'), when: () => may('POST /api/v1/requests/{id}/decline')},
    {key: 'c', label: 'Close your agency\'s selected request (with a disposition)', run: () => actOnSelected('close'), when: () => may('POST /api/v1/requests/{id}/close')},
    {key: 'n', label: 'New directive', run: () => openForm(), when: () => may('POST /api/v1/directives')},
    {key: 'f', label: 'Put the focus on the map (arrows pan, + and − zoom, 0 fits)', run: () => map.focus()},
    {key: '1', label: 'Go to the requests', run: () => (cards.get(selectedRequest)?.article || requestsPanel).focus()},
    {key: '2', label: 'Go to the directives', run: () => directivesPanel.focus()},
    {key: '3', label: 'Go to the overrides and declines', run: () => reviewPanel.focus()},
  ]);

  // --- live -------------------------------------------------------------------------
  const unwatch = store.watch((ev) => {
    const e = ev.data, d = e.data || {};
    const t = Date.parse(e.time);
    if (!Number.isNaN(t) && (e.type.startsWith('assist.') || e.type.startsWith('directive.'))) {
      const lag = Date.now() - t;
      skew = skew === null ? lag : Math.min(skew, lag);
    }
    if (e.type.startsWith('assist.')) {
      if (e.type === 'assist.conflict' && d.issuer) issuers.set(d.directive, d.issuer);
      if (e.type === 'assist.declined') {
        addDecline(e.time, e.actor, d);
        renderReviews();
      }
      const id = e.subject?.request || d.request;
      if (id) readRequest(id);
    } else if (e.type.startsWith('directive.')) {
      if (e.type === 'directive.overridden') {
        addOverride(e.time, e.actor, e.agency, d);
        renderReviews();
      }
      const id = e.subject?.directive || d.directive || d.id;
      if (id) readDirective(id);
    }
    // Which units a directive keeps out follows the directives and the
    // units' kinds and capabilities: the accept forms ask again.
    if (e.type.startsWith('directive.') || unitMakeUp.has(e.type)) for (const card of cards.values()) card.form?.reread?.();
  });
  const unsubscribe = store.subscribe((c) => {
    if (c.has('units') || c.has('positions')) for (const card of cards.values()) card.form?.refresh?.();
    if (c.has('agencies')) renderRequests();
    // A directive on an incident is described and drawn by the incident.
    if (c.has('agencies') || c.has('incidents')) renderDirectives();
  });
  const ticker = setInterval(tick, 250);
  // A hidden page's timers are slowed down: put the countdowns right the
  // moment it shows again.
  document.addEventListener('visibilitychange', tick);
  // Directives expire by the clock: the list is sorted again each minute.
  const expiryCheck = setInterval(() => renderDirectives(), 30_000);

  async function load() {
    const [rs, ds, p, dl] = await Promise.all([
      get('/requests').catch((e) => { ctx.toast(`Cannot read the requests: ${e.message}`, 'error'); return {requests: []}; }),
      get('/directives').catch((e) => { ctx.toast(`Cannot read the directives: ${e.message}`, 'error'); return {directives: []}; }),
      me.agency ? get(`/agencies/${seg(me.agency)}/mutual-aid`, {quiet401: true}).catch(() => null) : null,
      districts().catch(() => ({districts: []})),
    ]);
    // A request read again meanwhile, for an event, is the newer.
    for (const r of rs.requests) if (!requests.has(r.id)) requests.set(r.id, r);
    for (const d of ds.directives) {
      directives.set(d.id, d);
      issuers.set(d.id, d.issuer);
    }
    plan = p;
    districtList = dl.districts || [];
    for (const r of requests.values()) {
      harvestDeclines(r);
      if (r.status !== 'CLOSED') readIssuers(r);
    }
    renderRequests();
    renderDirectives();
    renderReviews();
    if (selectedRequest) ctx.openRequest(selectedRequest);
    else (requestList.querySelector('.rq-card') || requestsPanel).focus();
  }
  renderRequests();
  renderDirectives();
  renderReviews();
  load();
  if (may('POST /api/v1/scenarios/{name}')) readScenarios();

  return () => {
    unwatch();
    unsubscribe();
    clearInterval(ticker);
    document.removeEventListener('visibilitychange', tick);
    clearInterval(expiryCheck);
    clearTimeout(scenarioPoll);
    for (const t of timers.values()) clearTimeout(t);
    map.destroy();
    ctx.openRequest = null;
  };
}

// localInput formats a date for an <input type="datetime-local">.
function localInput(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
