// views/supervise/reviews.js — the overrides and declines to review: each
// directive overridden and each request declined, by whom and why, gathered
// from the stream and from the requests' timelines.

import {h, replace, clockTime} from '../../dom.js';
import {tkey} from '../../store.js';
import {unitName} from '../../assistalerts.js';
import {whoText} from './words.js';

// reviewList makes the review panel on sv (views/supervise.js) and puts its
// functions there: addOverride, addDecline, harvestDeclines, renderReviews.
export function reviewList(sv) {
  const {ctx, store, me, agencyName, requests, issuers, reviews} = sv;

  const reviewList = h('ol', {class: 'rv-list', id: 'reviews'});
  const reviewPanel = h('section', {class: 'panel sv-review', id: 'review-panel', tabindex: '-1', 'aria-labelledby': 'review-title'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'review-title'}, 'Overrides and declines to review')),
    h('div', {class: 'sv-scroll'}, reviewList));

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

  Object.assign(sv, {reviewPanel, addOverride, addDecline, harvestDeclines, renderReviews});
}
