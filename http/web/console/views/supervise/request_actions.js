// views/supervise/request_actions.js — what a user does with an assistance
// request from the supervisor's view: acknowledge it, accept it and send
// units (accept.js), decline it with a reason (a supervisor's), close one
// of its own agency's with a disposition (an EMERGENCY one only its raiser
// or a supervisor: release.js). Which of these it offers follows the
// routes the server says the user may call.

import {post, seg} from '../../api.js';
import {h, replace} from '../../dom.js';
import {acceptForm} from './accept.js';
import {endRequestRule} from '../../release.js';

// requestActions puts on sv (views/supervise.js) the actions of the request
// cards: availableActions, drawActions, toggleForm, closeForm, act,
// acknowledge and actOnSelected.
export function requestActions(sv) {
  const {ctx, me, may, agencyName, requests} = sv;

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
    if (r.from_agency === me.agency && may('POST /api/v1/requests/{id}/close') && endRequestRule(me, r).ok) out.push('close');
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
    // Who may close an EMERGENCY request, said to the others of its agency.
    const closeRule = r.status !== 'CLOSED' && r.from_agency === me.agency && may('POST /api/v1/requests/{id}/close') ? endRequestRule(me, r) : {ok: true};
    const closeWho = closeRule.ok ? null : h('p', {class: 'hint rq-close-who'}, `${closeRule.why}.`);
    if (!acts.length) {
      replace(c.actions, !me.agency ? null : r.asked.some((a) => a.agency === me.agency) && !may('POST /api/v1/requests/{id}/accept') && r.status !== 'CLOSED'
        ? h('p', {class: 'hint'}, 'Answering is for a dispatcher, a supervisor or a liaison.') : closeWho);
      return;
    }
    replace(c.actions, buttons, closeWho, c.form?.el || null);
  }

  function toggleForm(c, id, name) {
    const r = requests.get(id);
    if (!r) return;
    c.form = c.form?.name === name ? null : makeForm(name, r);
    c.actSig = '';
    sv.updateCard(c, r);
    c.form?.el.scrollIntoView({block: 'nearest'});
    c.form?.focus();
  }

  function makeForm(name, r) {
    if (name === 'accept') return acceptForm(sv, r.id);
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
    const c = sv.cards.get(id);
    if (!c) return;
    c.form = null;
    c.actSig = '';
    const r = requests.get(id);
    if (r) sv.updateCard(c, r);
    c.article.focus();
  }

  // act runs a command, says what happened, and returns whether it
  // worked; a refusal is written in the form (err) as the server says it.
  async function act(done, fn, err, requestId) {
    if (err) err.textContent = '';
    try {
      const out = await fn();
      if (requestId && out?.id === requestId) {
        requests.set(out.id, out);
        sv.renderRequests();
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

  function actOnSelected(name) {
    const r = requests.get(sv.selectedRequest) || sv.openRequests()[0];
    if (!r) return;
    const c = sv.cards.get(r.id);
    if (!availableActions(r).includes(name)) {
      ctx.toast(`You cannot ${name} ${r.id} now.`, 'error');
      return;
    }
    sv.selectRequest(r.id);
    if (name === 'acknowledge') return acknowledge(r.id);
    if (c.form?.name !== name) toggleForm(c, r.id, name);
    else c.form.focus();
  }

  Object.assign(sv, {availableActions, drawActions, toggleForm, closeForm, act, acknowledge, actOnSelected});
}
