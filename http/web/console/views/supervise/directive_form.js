// views/supervise/directive_form.js — issuing a directive from the
// supervisor's view: its place drawn as a circle on the map (or a
// district, an incident, the whole agency), its effect, reason and expiry.
// The circle being drawn is on sv.draft while the form is open
// (sv.formApi), for the map to draw (overlays.js).

import {post} from '../../api.js';
import {h, replace} from '../../dom.js';
import {circlePicker, km} from '../../circlepick.js';
import {effectText, effectHelp, expiries, maxDirectiveMs, localInput} from './words.js';

// directiveForm puts openForm and closeDirectiveForm on sv
// (views/supervise.js).
export function directiveForm(sv) {
  const {ctx, store, me, may, agencyName, directives, issuers, map} = sv;
  sv.draft = null;
  sv.formApi = null;

  function openForm() {
    if (!may('POST /api/v1/directives')) return;
    if (sv.formApi) return sv.formApi.focus();
    sv.formApi = makeForm();
    replace(sv.formBox, sv.formApi.el);
    sv.newButton.hidden = true;
    sv.formApi.focus();
  }
  function closeDirectiveForm() {
    sv.formApi = null;
    sv.draft = null;
    map.setTool(null);
    sv.formBox.replaceChildren();
    sv.newButton.hidden = false;
    sv.drawOverlays();
    sv.newButton.focus();
  }

  function makeForm() {
    const uid = 'dv';
    sv.draft = {kind: 'circle', lat: null, lon: null, radius: 500};
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
      sv.districtList.map((d) => h('option', {value: d.id}, `${d.id} ${d.name}`)));
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
      sv.draft.kind = k;
      for (const [name, box] of Object.entries(boxes)) box.hidden = name !== k;
      sv.draft.district = district.value;
      sv.draft.incident = incident.value;
      map.setTool(k === 'circle' ? circleTool : null);
      sv.drawOverlays();
    }
    const {tool: circleTool, setCentre, syncRadius, find} = circlePicker({map, draft: sv.draft, radius, centre, place, err,
      redraw: sv.drawOverlays, announce: ctx.announce});
    findBtn.addEventListener('click', find);
    place.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        find();
      }
    });
    radius.addEventListener('input', syncRadius);
    scopeSet.addEventListener('change', syncScope);
    district.addEventListener('change', () => { sv.draft.district = district.value; sv.drawOverlays(); });
    incident.addEventListener('change', () => { sv.draft.incident = incident.value; sv.drawOverlays(); });
    effectSet.addEventListener('change', () => {
      restrictBox.hidden = effect() !== 'restrict';
      effectHint.textContent = effectHelp[effect()];
      sv.draft.effect = effect();
      sv.drawOverlays();
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
        if (sv.draft.lat === null) return fail('Set the centre: click it on the map, or find a place.', place);
        const m = Number(radius.value);
        if (!(m >= 1 && m <= 50000)) return fail('The radius is between 1 and 50,000 metres.', radius);
        scope = {kind: 'circle', circle: {lat: sv.draft.lat, lon: sv.draft.lon, radius_m: m}};
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
        expires = new Date(sv.serverNow() + Number(expiry.value) * 60e3);
      }
      if (expires.getTime() - sv.serverNow() > maxDirectiveMs) return fail('A directive lasts at most 7 days; renew it if it must last longer.', until);
      if (expires.getTime() <= sv.serverNow()) return fail('A directive must end after it is issued.', until);
      body.expires = expires.toISOString();
      submit.disabled = true;
      try {
        const d = await post('/directives', body);
        directives.set(d.id, d);
        issuers.set(d.id, d.issuer);
        sv.selectedDirective = d.id;
        ctx.announce(`Issued directive ${d.id}`);
        ctx.toast(`Issued directive ${d.id}: ${effectText[d.effect]} ${sv.scopeText(d)}`);
        closeDirectiveForm();
        sv.renderDirectives();
        sv.renderRequests();
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
    sv.draft.effect = 'hold';
    syncScope();
    return {el: form, focus: () => form.querySelector('input[name=scope]:checked').focus()};
  }

  Object.assign(sv, {openForm, closeDirectiveForm});
}
