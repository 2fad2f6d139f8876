// views/supervise.js — the supervisor's view (DESIGN.md, "Who uses it":
// issues directives, approves overrides and declines, watches
// escalations): the assistance requests with a live countdown to each one's
// deadline and its escalation level, the agency's directives drawn on the
// map (issue one by drawing a circle or picking a district, an incident or
// the whole agency; revoke one), and the overrides and declines to review.
// Dispatchers and liaisons use it to acknowledge and accept requests;
// declines, overrides and directives are a supervisor's (the route table,
// http/server.go, as GET /api/v1/auth/me tells the console).
//
// Requests and directives are not in the store: the view reads them
// (GET /api/v1/requests, /directives) and, for each assist.* or directive.*
// event of the stream, reads again the one the event names, so that what
// it shows is the server's own account of where each stands.
//
// This module holds the view's state (sv, shared by its parts), reads it
// and keeps it live; the parts under views/supervise/ draw it: the
// requests and their countdowns (requests.js), what a user does with one
// (request_actions.js, accept.js), the directives (directives.js,
// directive_form.js), the map (overlays.js), the overrides and declines
// (reviews.js) and the scenario button (scenario.js).

import {get, getAll, seg} from '../api.js';
import {h, replace} from '../dom.js';
import {districts} from '../mapview.js';
import * as keys from '../keys.js';
import {unitMakeUp} from './supervise/words.js';
import {requestList} from './supervise/requests.js';
import {requestActions} from './supervise/request_actions.js';
import {directiveList} from './supervise/directives.js';
import {directiveForm} from './supervise/directive_form.js';
import {mapPanel} from './supervise/overlays.js';
import {reviewList} from './supervise/reviews.js';
import {scenarioButton} from './supervise/scenario.js';
import {agencyText, agencyLabel} from '../partner.js';

export function mount(root, ctx) {
  const store = ctx.store;
  const me = ctx.me;
  // may reports whether the user may call route for its own agency (the
  // server's list: store.may); answering, closing and directives are an
  // agency's own staff's.
  const may = (route) => !!me.agency && store.may(route);
  // An agency of a partner installation (sheriff@county) is shown as
  // "sheriff · partner county" (partner.js); agencyLabel adds its badge.
  const knownName = (id) => store.agencies.get(id)?.name;
  const agencyName = (id) => agencyText(id, knownName);
  const agencyTag = (id) => agencyLabel(id, knownName);

  const requests = new Map(); // id → the request, as the server answers it
  const directives = new Map(); // id → the directive
  const issuers = new Map(); // directive id → its issuer (Who)
  const reviews = new Map(); // key → an override or a decline to review
  const timelinesRead = new Set();
  const selectedRequest = sessionStorage.getItem('tenfour.request') || null;
  sessionStorage.removeItem('tenfour.request');
  // skew is how far this browser's clock runs ahead of the server's, in
  // ms, as the events tell: the smallest delay from an event's time to its
  // arrival, which is the clocks' difference plus the delivery. Countdowns
  // count to the server's deadline: a browser behind the server is put
  // right; one ahead only beyond 2 s, so that a slow delivery never makes
  // a deadline look further away than it is.
  let skew = null;
  const serverNow = () => Date.now() - (skew !== null && (skew < 0 || skew > 2000) ? skew : 0);

  // sv is the view's state and the functions of its parts, each of which
  // puts its own there. plan is the caller's agency's mutual-aid plan, if
  // any; selectedRequest and selectedDirective what is selected.
  const sv = {ctx, store, me, may, agencyName, agencyTag, requests, directives, issuers, reviews, serverNow,
    plan: null, districtList: [], selectedRequest, selectedDirective: null, readRequest, readDirective};
  mapPanel(sv); // first: the others draw on its map
  requestList(sv);
  requestActions(sv);
  directiveList(sv);
  directiveForm(sv);
  reviewList(sv);
  const scenario = scenarioButton(ctx);

  // --- the layout ---------------------------------------------------------
  replace(root, h('header', {class: 'sv-bar'}, h('h1', {}, 'Supervise'),
    h('p', {class: 'hint sv-who'}, me.agency ? `${agencyName(me.agency)}: requests it made or was asked, and its directives` :
      'Every agency\'s requests and directives, to read: answering them is for each agency\'s own staff'),
    scenario.el),
  h('div', {class: 'sv-grid'}, sv.requestsPanel, sv.mapPanel, sv.directivesPanel, sv.reviewPanel));

  function tick() {
    sv.tickDeadlines(root);
    sv.tickExpiries(root);
  }
  ctx.openRequest = (id) => {
    if (!requests.has(id)) readRequest(id);
    sv.selectRequest(id);
    sv.cards.get(id)?.article.focus();
  };

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
        sv.harvestDeclines(r);
      } catch (e) {
        if (e.status === 404) requests.delete(id);
        else console.warn('supervise: request', id, e.message);
      }
      sv.renderRequests();
      sv.renderReviews();
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
    sv.renderDirectives();
    sv.renderRequests();
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
        if (e.type === 'directive.overridden') sv.addOverride(e.time, e.actor, e.agency, e.data);
        if (e.type === 'assist.declined') sv.addDecline(e.time, e.actor, e.data);
      }
      sv.renderRequests();
      sv.renderReviews();
    } catch (e) {
      console.warn('supervise: timeline of', r.id, e.message);
    }
  }

  // --- keys -------------------------------------------------------------------------
  keys.setView('Supervise', [
    {key: 'j', alt: ['ArrowDown'], label: 'Next request', run: () => sv.moveRequest(1)},
    {key: 'k', alt: ['ArrowUp'], label: 'Previous request', run: () => sv.moveRequest(-1)},
    {key: 'A', label: 'Acknowledge the selected request for your agency', run: () => sv.actOnSelected('acknowledge'), when: () => may('POST /api/v1/requests/{id}/acknowledge')},
    {key: 's', label: 'Accept the selected request: choose the units to send', run: () => sv.actOnSelected('accept'), when: () => may('POST /api/v1/requests/{id}/accept')},
    {key: 'x', label: 'Decline the selected request (with a reason)', run: () => sv.actOnSelected('decline'), when: () => may('POST /api/v1/requests/{id}/decline')},
    {key: 'c', label: 'Close your agency\'s selected request (with a disposition)', run: () => sv.actOnSelected('close'), when: () => may('POST /api/v1/requests/{id}/close')},
    {key: 'n', label: 'New directive', run: () => sv.openForm(), when: () => may('POST /api/v1/directives')},
    {key: 'f', label: 'Put the focus on the map (arrows pan, + and − zoom, 0 fits)', run: () => sv.map.focus()},
    {key: '1', label: 'Go to the requests', run: () => (sv.cards.get(sv.selectedRequest)?.article || sv.requestsPanel).focus()},
    {key: '2', label: 'Go to the directives', run: () => sv.directivesPanel.focus()},
    {key: '3', label: 'Go to the overrides and declines', run: () => sv.reviewPanel.focus()},
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
        sv.addDecline(e.time, e.actor, d);
        sv.renderReviews();
      }
      const id = e.subject?.request || d.request;
      if (id) readRequest(id);
    } else if (e.type.startsWith('directive.')) {
      if (e.type === 'directive.overridden') {
        sv.addOverride(e.time, e.actor, e.agency, d);
        sv.renderReviews();
      }
      const id = e.subject?.directive || d.directive || d.id;
      if (id) readDirective(id);
    }
    // Which units a directive keeps out follows the directives and the
    // units' kinds and capabilities: the accept forms ask again.
    if (e.type.startsWith('directive.') || unitMakeUp.has(e.type)) for (const card of sv.cards.values()) card.form?.reread?.();
  });
  const unsubscribe = store.subscribe((c) => {
    if (c.has('units') || c.has('positions')) for (const card of sv.cards.values()) card.form?.refresh?.();
    if (c.has('agencies')) sv.renderRequests();
    // A directive on an incident is described and drawn by the incident.
    if (c.has('agencies') || c.has('incidents')) sv.renderDirectives();
  });
  const ticker = setInterval(tick, 250);
  // A hidden page's timers are slowed down: put the countdowns right the
  // moment it shows again.
  document.addEventListener('visibilitychange', tick);
  // Directives expire by the clock: the list is sorted again each minute.
  const expiryCheck = setInterval(() => sv.renderDirectives(), 30_000);

  async function load() {
    const [rs, ds, p, dl] = await Promise.all([
      // Every open request, and the latest closed ones: older ones are
      // history, read from the archive (GET /api/v1/requests?status=closed).
      Promise.all([getAll('/requests?status=open&limit=1000', 'requests'), get('/requests?status=closed&limit=50')])
        .then(([open, closed]) => ({requests: [...open, ...closed.requests]}))
        .catch((e) => { ctx.toast(`Cannot read the requests: ${e.message}`, 'error'); return {requests: []}; }),
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
    sv.plan = p;
    sv.districtList = dl.districts || [];
    for (const r of requests.values()) {
      sv.harvestDeclines(r);
      if (r.status !== 'CLOSED') readIssuers(r);
    }
    sv.renderRequests();
    sv.renderDirectives();
    sv.renderReviews();
    if (sv.selectedRequest) ctx.openRequest(sv.selectedRequest);
    else (sv.requestList.querySelector('.rq-card') || sv.requestsPanel).focus();
  }
  sv.renderRequests();
  sv.renderDirectives();
  sv.renderReviews();
  load();
  if (may('POST /api/v1/scenarios/{name}')) scenario.read();

  return () => {
    unwatch();
    unsubscribe();
    clearInterval(ticker);
    document.removeEventListener('visibilitychange', tick);
    clearInterval(expiryCheck);
    scenario.stop();
    for (const t of timers.values()) clearTimeout(t);
    sv.map.destroy();
    ctx.openRequest = null;
  };
}
