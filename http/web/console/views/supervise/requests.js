// views/supervise/requests.js — the supervisor's view's assistance
// requests: the list, most urgent first, each card with where the request
// stands, who was asked and answered, the directive conflicts, its history
// and a live countdown to its deadline. The actions of a card are
// request_actions.js's.

import {h, replace, clockTime, duration} from '../../dom.js';
import {unitName, escalationReason} from '../../assistalerts.js';
import {views, forMe} from '../../router.js';
import {urgencyRank, answerLabel, statusText, effectText, stepText, whoText, waitingText, countdownLabel, leftHow} from './words.js';
import {splitAgency} from '../../partner.js';

// requestList makes the requests panel on sv (views/supervise.js) and puts
// its functions there: renderRequests, openRequests, awaiting, fromText,
// updateCard, selectRequest, moveRequest, tickDeadlines, and the cards.
export function requestList(sv) {
  const {ctx, store, me, agencyName, agencyTag, requests, directives, issuers} = sv;

  const requestList = h('ol', {class: 'rq-list', id: 'requests', 'aria-label': 'Open assistance requests, most urgent first'});
  const requestCount = h('span', {class: 'count'});
  const closedList = h('ol', {class: 'rq-closed-list'});
  const closedBox = h('details', {class: 'rq-closed', hidden: true}, h('summary', {}, 'Closed requests'), closedList);
  const requestsPanel = h('section', {class: 'panel sv-requests', id: 'requests-panel', tabindex: '-1', 'aria-labelledby': 'requests-title'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'requests-title'}, 'Assistance requests ', requestCount)),
    h('div', {class: 'sv-scroll'}, requestList, closedBox));

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
    if (sv.selectedRequest && !requests.has(sv.selectedRequest)) sv.selectedRequest = null;
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
    sv.drawOverlays();
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
      if (sv.selectedRequest !== r.id) selectRequest(r.id, {scroll: false});
    });
    return {li, article, info, actions, infoSig: '', actSig: '', form: null};
  }

  function updateCard(c, r) {
    c.li.className = `rq urg-${r.urgency} st-${r.status}${r.held ? ' held' : ''}${r.id === sv.selectedRequest ? ' selected' : ''}`;
    c.article.setAttribute('aria-current', r.id === sv.selectedRequest ? 'true' : 'false');
    const conflicts = r.asked.flatMap((a) => a.conflicts || []);
    const infoSig = JSON.stringify([r, conflicts.map((d) => [issuers.get(d), directives.get(d)?.status]), sv.plan?.levels?.length]);
    if (infoSig !== c.infoSig) {
      c.infoSig = infoSig;
      drawInfo(c, r, conflicts);
    }
    const acts = sv.availableActions(r);
    const actSig = JSON.stringify([acts, c.form?.name]);
    if (actSig !== c.actSig) {
      if (c.form && !acts.includes(c.form.name)) {
        ctx.announce(`The ${c.form.name} form of ${r.id} closed: the request has moved on`);
        c.form = null;
      }
      c.actSig = JSON.stringify([acts, c.form?.name]);
      sv.drawActions(c, r, acts);
    }
    c.form?.refresh?.();
  }

  function drawInfo(c, r, conflicts) {
    const titleId = `rq-title-${r.id}`;
    const mine = r.from_agency === me.agency;
    const ans = r.asked.find((a) => a.agency === me.agency);
    const plan = sv.plan;
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
        r.location?.lat !== undefined ? h('button', {type: 'button', class: 'link', onclick: () => sv.showOnMap(r.location.lat, r.location.lon)}, 'map') : null),
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
          h('th', {scope: 'row'}, agencyTag(a.agency), h('span', {class: 'lvl'}, ` level ${a.level}`)),
          h('td', {}, h('span', {class: `answer ${a.answer}`}, answerLabel[a.answer] || a.answer), ' ',
            h('time', {datetime: a.answered || a.asked}, clockTime(a.answered || a.asked)),
            a.by ? h('span', {class: 'by'}, whoText(a.by)) : null),
          h('td', {class: 'why'}, a.reason ? `“${a.reason}”` : '',
            (a.units || []).length ? `sent ${a.units.map((u) => unitName(store, u)).join(', ')}` : '',
            (a.conflicts || []).length ? h('span', {class: 'bad'}, `${a.reason || a.units?.length ? ' · ' : ''}directive conflict`) : null))))),
      watch(r),
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
        h('ol', {}, r.history.map((s) => s.type === 'assist.unit_left' ? leftStep(s) : h('li', {},
          h('time', {datetime: s.time}, clockTime(s.time)), ' ', h('strong', {}, stepText[s.type] || s.type),
          s.agency ? ` · ${agencyName(s.agency)}` : '', s.level ? ` · level ${s.level}` : '',
          s.asked?.length ? ` · asked ${s.asked.map(agencyName).join(', ')}` : '',
          s.directive ? ` · ${s.directive}` : '', s.units?.length ? ` · ${s.units.map((u) => unitName(store, u)).join(', ')}` : '',
          s.reason ? ` · ${s.type === 'assist.escalated' ? escalationReason(s.reason) : s.reason}` : '',
          s.held ? ' · held' : '', s.repeats ? ` · ×${s.repeats + 1}` : '',
          ` · ${whoText(s.who)}`)))));
  }

  // watch shows the request from acceptance to release: what its deadline
  // waits for, and the units helping, on scene or on their way.
  function watch(r) {
    if (r.status === 'CLOSED' || (!r.waiting_for && !(r.helping || []).length)) return null;
    const wait = r.waiting_for ? waitingText[r.waiting_for] || r.waiting_for : '';
    return h('section', {class: `rq-watch wait-${r.waiting_for || 'none'}`, 'aria-label': `Where ${r.id} stands`},
      wait ? h('p', {class: 'rq-waiting'}, h('strong', {}, wait),
        r.deadline ? ` · until ${clockTime(r.deadline)}${r.waiting_for === 'arrival' ? ', then it escalates' : ''}` : '') : null,
      (r.helping || []).length ? h('ul', {class: 'rq-helping', 'aria-label': 'Units helping'}, r.helping.map((u) =>
        h('li', {class: u.on_scene ? 'on-scene' : 'on-way'},
          h('span', {class: 'cs'}, unitName(store, u.unit)), ` of ${agencyName(u.agency)} · `,
          h('strong', {}, u.on_scene ? 'on scene' : 'on its way')))) :
        h('p', {class: 'hint rq-helping-none'}, 'No unit helping now.'));
  }

  // leftStep reads an assist.unit_left step: which unit of which agency
  // left, how and by whose order, why, and the directives in force over
  // the place — what the requester will be asked about afterwards.
  function leftStep(s) {
    const unit = (s.units || []).map((u) => unitName(store, u)).join(', ');
    const how = leftHow[s.how] || s.how || 'left';
    const dirs = s.directives || [];
    return h('li', {class: 'step-left'},
      h('time', {datetime: s.time}, clockTime(s.time)), ' ',
      h('strong', {}, `${unit} of ${agencyName(s.agency)} left`),
      ` — ${how} by ${whoText(s.who)}`, s.reason ? `: ${s.reason}` : '',
      dirs.length ? `; ${dirs.length === 1 ? 'directive' : 'directives'} ${dirs.join(', ')} in force` : '');
  }

  // countdown is the live time left to the request's deadline, or where
  // it stands once it waits for nobody.
  function countdown(r) {
    if (r.deadline && r.status !== 'CLOSED' && (awaiting(r) || r.waiting_for)) {
      // A partner's request escalates there, at the requester's deadline
      // (known here until it is answered).
      const label = r.origin ? `${splitAgency(r.from_agency).agency} escalates it in` :
        r.exhausted ? 'alerts again in' : countdownLabel[r.waiting_for] || 'escalates in';
      return h('span', {class: `rq-count wait-${r.waiting_for || 'answer'}`, 'data-deadline': r.deadline,
        title: r.waiting_for === 'arrival' ? `Escalates at ${clockTime(r.deadline)} unless a unit is on scene` : `Escalates at ${clockTime(r.deadline)} unless answered`},
        h('span', {class: 'rq-count-label'}, label), ' ',
        h('time', {class: 'rq-left', datetime: r.deadline}, left(r.deadline)),
        r.held ? h('span', {class: 'held-tag', title: 'A directive conflict holds the request to this deadline'}, 'held') : null);
    }
    const sent = r.units.length ? ` · ${r.units.length} unit${r.units.length === 1 ? '' : 's'} sent` : '';
    return h('span', {class: `rq-count done st-${r.status}`}, `${statusText[r.status] || r.status}${sent}`);
  }

  function left(deadline) {
    const ms = Date.parse(deadline) - sv.serverNow();
    if (ms <= 0) return 'now';
    return duration(Math.ceil(ms / 1000));
  }

  // tickDeadlines puts the countdowns under root right.
  function tickDeadlines(root) {
    for (const el of root.querySelectorAll('[data-deadline]')) {
      const ms = Date.parse(el.dataset.deadline) - sv.serverNow();
      const t = el.querySelector('.rq-left');
      const text = ms <= 0 ? 'now' : duration(Math.ceil(ms / 1000));
      if (t.textContent !== text) t.textContent = text;
      el.classList.toggle('soon', ms <= 10_000);
      el.classList.toggle('due', ms <= 0);
    }
  }

  function selectRequest(id, {scroll = true} = {}) {
    sv.selectedRequest = id;
    for (const [cid, c] of cards) {
      c.li.classList.toggle('selected', cid === id);
      c.article.setAttribute('aria-current', cid === id ? 'true' : 'false');
    }
    const r = requests.get(id);
    if (r?.location?.lat !== undefined) sv.map.show(r.location.lat, r.location.lon);
    if (scroll) cards.get(id)?.li.scrollIntoView({block: 'nearest'});
    sv.drawOverlays();
  }

  function moveRequest(step) {
    const open = openRequests();
    if (!open.length) return;
    const at = open.findIndex((r) => r.id === sv.selectedRequest);
    const next = open[at < 0 ? 0 : Math.min(Math.max(at + step, 0), open.length - 1)];
    selectRequest(next.id);
    cards.get(next.id)?.article.focus();
  }

  Object.assign(sv, {requestsPanel, requestList, cards, awaiting, openRequests, renderRequests, fromText,
    updateCard, selectRequest, moveRequest, tickDeadlines});
}
