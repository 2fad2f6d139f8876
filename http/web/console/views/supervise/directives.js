// views/supervise/directives.js — the directives of the supervisor's view:
// those in force, soonest to expire first, each shown on the map at a click
// and revoked with a reason; those ended. Drawing a new one is
// directive_form.js's.

import {post, seg} from '../../api.js';
import {h, replace, clockTime, duration} from '../../dom.js';
import {km} from '../../circlepick.js';
import {effectText, effectHelp, whoText} from './words.js';

// directiveList makes the directives panel on sv (views/supervise.js) and
// puts its functions there: inForce, scopeText, renderDirectives,
// timeLeft, tickExpiries, and the panel's form box and new button.
export function directiveList(sv) {
  const {store, me, may, agencyName, directives, map} = sv;

  const directiveList = h('ul', {class: 'dv-list', id: 'directives', 'aria-label': 'Directives in force, soonest to expire first'});
  const endedList = h('ul', {class: 'dv-list ended'});
  const endedBox = h('details', {class: 'dv-ended', hidden: true}, h('summary', {}, 'Ended directives'), endedList);
  const formBox = h('div', {class: 'dv-form-box'});
  const newButton = may('POST /api/v1/directives') ? h('button', {type: 'button', class: 'primary', id: 'new-directive', 'aria-keyshortcuts': 'n',
    onclick: () => sv.openForm()}, 'New directive ', h('kbd', {}, 'n')) : null;
  const directivesPanel = h('section', {class: 'panel sv-directives', id: 'directives-panel', tabindex: '-1', 'aria-labelledby': 'directives-title'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'directives-title'}, 'Directives'), newButton),
    h('div', {class: 'sv-scroll'}, formBox, directiveList, endedBox));

  function timeLeft(expires) {
    const ms = Date.parse(expires) - sv.serverNow();
    return ms <= 0 ? 'expiring' : `${duration(Math.ceil(ms / 1000))} left`;
  }

  const inForce = (d) => d.status === 'IN_FORCE' && Date.parse(d.expires) > sv.serverNow();

  function scopeText(d) {
    const sc = d.scope || {};
    switch (sc.kind) {
      // Which district a centre lies in is the map's to say (the server
      // places requests and units); the console does not guess it.
      case 'circle': return `${km(sc.circle.radius_m)} around ${sc.circle.lat.toFixed(4)}, ${sc.circle.lon.toFixed(4)}`;
      case 'polygon': return `an area of ${sc.polygon.length} points`;
      case 'district': {
        const x = sv.districtList.find((y) => y.id === sc.district);
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
    if (sv.selectedDirective && !directives.has(sv.selectedDirective)) sv.selectedDirective = null;
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
      const sig = JSON.stringify([d, d.id === sv.selectedDirective, scopeText(d)]);
      if (sig !== it.sig) {
        it.sig = sig;
        it.li.className = `dv eff-${d.effect}${d.id === sv.selectedDirective ? ' selected' : ''}`;
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
    sv.drawOverlays();
  }

  function directiveBody(d, it) {
    const sel = d.id === sv.selectedDirective;
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
    sv.selectedDirective = sv.selectedDirective === id ? null : id;
    const d = directives.get(id);
    const c = d && centreOf(d);
    if (c && sv.selectedDirective) map.show(c.lat, c.lon);
    renderDirectives();
  }

  function centreOf(d) {
    const sc = d.scope || {};
    if (sc.kind === 'circle') return sc.circle;
    if (sc.kind === 'polygon' && sc.polygon.length) return sc.polygon[0];
    if (sc.kind === 'district') {
      const x = sv.districtList.find((y) => y.id === sc.district);
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
      const out = await sv.act(`Revoked ${d.id}`, () => post(`/directives/${seg(d.id)}/revoke`, {reason}), err);
      if (out) {
        it.slot.replaceChildren();
        sv.readDirective(d.id);
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

  // tickExpiries puts the time left of the directives under root right.
  function tickExpiries(root) {
    for (const el of root.querySelectorAll('[data-expires]')) {
      const text = timeLeft(el.dataset.expires);
      if (el.textContent !== text) el.textContent = text;
    }
  }

  Object.assign(sv, {directivesPanel, formBox, newButton, inForce, scopeText, renderDirectives, timeLeft, tickExpiries});
}
