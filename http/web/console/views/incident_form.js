// views/incident_form.js — the new-incident form, a modal dialog. The
// location is checked with the server's geocoder (GET /api/v1/geocode) as
// soon as it is typed; a place the gazetteer does not know shows the
// server's sentence and its suggestions, one click each. The incident is
// made by POST /api/v1/incidents, which geocodes the text again itself.

import {get, post} from '../api.js';
import {h, replace} from '../dom.js';
import {priorities} from '../lifecycle.js';

export function newIncidentDialog(ctx, onCreated) {
  const store = ctx.store;
  const loc = h('input', {id: 'ni-location', name: 'location', required: true, autocomplete: 'off',
    placeholder: '3900 S Kedzie Ave, or S Kedzie Ave & W 39th Pl', 'aria-describedby': 'ni-geo'});
  const geo = h('div', {id: 'ni-geo', class: 'geo-result', 'aria-live': 'polite'});
  const keep = h('input', {type: 'checkbox', id: 'ni-keep'});
  const keepRow = h('p', {class: 'keep', hidden: true}, keep,
    h('label', {for: 'ni-keep'}, ' Keep the location as typed: unverified, with no point, so no recommendation'));
  const type = h('select', {id: 'ni-type', name: 'type', required: true});
  const prio = h('select', {id: 'ni-priority', name: 'priority'},
    priorities.map((p) => h('option', {value: String(p.n)}, p.label)));
  const agency = h('select', {id: 'ni-agency', name: 'agency'});
  const agencyRow = h('div', {class: 'field', hidden: true}, h('label', {for: 'ni-agency'}, 'Agency'), agency);
  const callerName = h('input', {id: 'ni-caller', name: 'caller', autocomplete: 'off'});
  const callerPhone = h('input', {id: 'ni-phone', name: 'phone', type: 'tel', autocomplete: 'off'});
  const narrative = h('textarea', {id: 'ni-narrative', name: 'narrative', rows: '3'});
  const error = h('p', {class: 'form-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Create incident ', h('kbd', {}, 'Ctrl+Enter'));
  const cancel = h('button', {type: 'button', class: 'ghost'}, 'Cancel ', h('kbd', {}, 'Esc'));
  const form = h('form', {class: 'incident-form', novalidate: true},
    h('div', {class: 'field wide'}, h('label', {for: 'ni-location'}, 'Location'), loc, geo, keepRow),
    h('div', {class: 'field'}, h('label', {for: 'ni-type'}, 'Type'), type),
    h('div', {class: 'field'}, h('label', {for: 'ni-priority'}, 'Priority'), prio),
    agencyRow,
    h('div', {class: 'field'}, h('label', {for: 'ni-caller'}, 'Caller name'), callerName),
    h('div', {class: 'field'}, h('label', {for: 'ni-phone'}, 'Caller phone'), callerPhone),
    h('div', {class: 'field wide'}, h('label', {for: 'ni-narrative'}, 'Narrative'), narrative),
    error,
    h('div', {class: 'actions wide'}, submit, cancel));
  const dialog = h('dialog', {class: 'incident-dialog', 'aria-labelledby': 'ni-title'},
    h('h2', {id: 'ni-title'}, 'New incident'), form);
  document.body.append(dialog);

  // checked is the text last geocoded and what the server said of it.
  let checked = {text: null, ok: false, result: null};

  async function check() {
    const text = loc.value.trim();
    if (!text) {
      replace(geo);
      checked = {text: '', ok: false};
      return checked;
    }
    if (text === checked.text) return checked;
    replace(geo, h('span', {class: 'hint'}, 'Checking…'));
    try {
      const r = await get('/geocode?q=' + encodeURIComponent(text));
      if (loc.value.trim() !== text) return check();
      checked = {text, ok: true, result: r};
      keepRow.hidden = true;
      replace(geo, h('span', {class: 'ok'}, `✓ ${r.text}`), h('span', {class: 'hint'}, ` (${r.kind})`));
    } catch (e) {
      if (loc.value.trim() !== text) return check();
      checked = {text, ok: false, error: e};
      keepRow.hidden = e.status === 0;
      keep.checked = false;
      replace(geo, h('span', {class: 'form-error'}, e.message),
        e.suggestions.length ? h('span', {class: 'suggestions'}, ' Use: ', e.suggestions.map((s) =>
          h('button', {type: 'button', class: 'ghost suggestion', onclick: () => useSuggestion(text, s)}, s))) : null);
    }
    return checked;
  }

  // useSuggestion puts a suggested street name in place of the street typed,
  // keeping the house number.
  function useSuggestion(typed, street) {
    const m = /^\s*(\d+)\s+/.exec(typed);
    loc.value = m ? `${m[1]} ${street}` : street;
    loc.focus();
    check();
  }

  let timer = null;
  loc.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  });
  loc.addEventListener('blur', () => {
    clearTimeout(timer);
    check();
  });
  type.addEventListener('change', () => {
    const t = store.types.find((x) => x.code === type.value);
    if (t) prio.value = String(t.default_priority);
  });
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('keydown', (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === 'Enter') {
      ev.preventDefault();
      form.requestSubmit();
    }
  });

  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    error.textContent = '';
    if (!type.value) {
      error.textContent = 'Choose the type of incident.';
      type.focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    try {
      const c = await check();
      if (!c.text) {
        error.textContent = 'Give the location.';
        loc.focus();
        return;
      }
      if (!c.ok && !keep.checked) {
        error.textContent = 'The location is not in the gazetteer: correct it, pick a suggestion, or keep it as typed.';
        loc.focus();
        return;
      }
      const body = {type: type.value, priority: Number(prio.value), location: {text: c.ok ? c.result.text : c.text},
        caller: {name: callerName.value.trim(), phone: callerPhone.value.trim()}, narrative: narrative.value.trim()};
      if (!agencyRow.hidden) body.agency = agency.value;
      const inc = await post('/incidents', body);
      dialog.close();
      onCreated(inc);
    } catch (e) {
      error.textContent = e.message;
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });

  return {
    open(text = '') {
      form.reset();
      error.textContent = '';
      replace(geo);
      keepRow.hidden = true;
      checked = {text: null, ok: false};
      const types = [...store.types].sort((a, b) => a.name.localeCompare(b.name));
      replace(type, h('option', {value: ''}, 'Choose…'), types.map((t) => h('option', {value: t.code}, `${t.name} (${t.code})`)));
      agencyRow.hidden = !!ctx.me?.agency;
      if (!agencyRow.hidden) replace(agency, [...store.agencies.values()].map((a) => h('option', {value: a.id}, a.name)));
      prio.value = '2';
      loc.value = text;
      dialog.showModal();
      loc.focus();
      if (text) check();
    },
    destroy() {
      dialog.remove();
    },
  };
}
