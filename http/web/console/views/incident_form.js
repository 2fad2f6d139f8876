// views/incident_form.js — the new-incident form, a modal dialog. The
// location is checked with the server's geocoder (GET /api/v1/geocode) as
// soon as it is typed; a place the gazetteer does not know shows the
// server's sentence and its suggestions, one click each. The incident is
// made by POST /api/v1/incidents, which geocodes the text again itself.
// Before it is made, open incidents the server would call possible
// duplicates are shown, each with "Attach this call as another caller"
// (POST /api/v1/incidents/{id}/callers): onAttached gets that incident. If
// the server still names duplicates the form did not show, the new
// incident is shown with them and the way to fold it into one.

import {get, post} from '../api.js';
import {h, replace} from '../dom.js';
import {priorities} from '../lifecycle.js';
import {findDuplicates, duplicateList} from '../duplicates.js';

export function newIncidentDialog(ctx, onCreated, onAttached = () => {}) {
  const store = ctx.store;
  const dupBox = h('section', {class: 'dup-box wide', id: 'ni-dups', hidden: true, role: 'alert'});
  // opened is when the call came in (the dialog opened); dupsSeen, that the
  // call-taker has seen the possible duplicates and chose to go on; created,
  // the incident made, while its duplicates are shown.
  let opened = new Date();
  let dupsSeen = false;
  let created = null;
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
    dupBox,
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

  // forgetDups: the location or type changed, so the duplicates shown may
  // no longer be the ones.
  function forgetDups() {
    if (created) return;
    dupsSeen = false;
    dupBox.hidden = true;
  }
  loc.addEventListener('input', forgetDups);
  type.addEventListener('change', forgetDups);

  function callBody(body) {
    return {caller: body.caller, narrative: body.narrative, received: opened.toISOString()};
  }
  async function attach(d, body, also) {
    error.textContent = '';
    try {
      let inc = await post(`/incidents/${encodeURIComponent(d.incident)}/callers`, callBody(body));
      if (also) inc = (await also()) || inc;
      const made = created;
      created = null;
      dialog.close();
      onAttached(inc, made);
    } catch (e) {
      error.textContent = e.message;
    }
  }
  // showDups offers, before the incident is made, to attach the call to one
  // of the open incidents it may be about.
  function showDups(dups, body) {
    replace(dupBox, h('h3', {}, 'This call may be about an open incident'),
      duplicateList(store, dups, (d) => h('button', {type: 'button', class: 'primary', id: `ni-attach-${d.incident}`,
        onclick: () => attach(d, body)}, `Attach this call to ${d.incident} as another caller`)),
      h('p', {class: 'hint'}, 'Or, if it is another emergency: ',
        h('button', {type: 'button', class: 'ghost', id: 'ni-create-anyway', onclick: () => form.requestSubmit()},
          'Create a new incident anyway')));
    dupBox.hidden = false;
    dupBox.querySelector('button')?.focus();
  }
  // showCreated shows the incident made with the duplicates the server
  // named that the form had not: the call can still be attached to one, and
  // the new incident merged into it (dispatchers) or linked to it.
  function showCreated(inc, body) {
    created = inc;
    submit.hidden = true;
    const canMerge = store.may('POST /api/v1/incidents/{id}/merge');
    const reason = (d) => `second call about ${d.incident}: attached to it as another caller`;
    replace(dupBox, h('h3', {}, `Created ${inc.id}; the server finds it may be the same emergency as`),
      duplicateList(store, inc.possible_duplicates, (d) => h('button', {type: 'button', class: 'primary', id: `ni-attach-${d.incident}`,
        onclick: () => attach(d, body, canMerge ?
          () => post(`/incidents/${encodeURIComponent(inc.id)}/merge`, {into: d.incident, reason: reason(d)}) :
          () => post(`/incidents/${encodeURIComponent(inc.id)}/links`, {incident: d.incident, relation: 'related', reason: reason(d) + '; to merge'}).then(() => null))},
      canMerge ? `Attach this call to ${d.incident} and merge ${inc.id} into it` : `Attach this call to ${d.incident} and link ${inc.id} to it`)),
      h('p', {class: 'hint'}, h('button', {type: 'button', class: 'ghost', id: 'ni-keep-new', onclick: () => dialog.close()}, `Keep ${inc.id} as a new incident`)));
    dupBox.hidden = false;
    dupBox.querySelector('button')?.focus();
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
  // Closed while its duplicates are shown, the incident made stays made.
  dialog.addEventListener('close', () => {
    if (!created) return;
    const inc = created;
    created = null;
    onCreated(inc);
  });
  dialog.addEventListener('keydown', (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === 'Enter') {
      ev.preventDefault();
      form.requestSubmit();
    }
  });

  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy || created) return;
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
      const dups = c.ok && store.may('POST /api/v1/incidents/{id}/callers') ? await findDuplicates({agency: body.agency || ctx.me?.agency, type: body.type,
        lat: c.result.lat, lon: c.result.lon}) : [];
      const seen = dupsSeen ? dups.map((d) => d.incident) : [];
      if (!dupsSeen && dups.length) {
        dupsSeen = true;
        showDups(dups, body);
        return;
      }
      const inc = await post('/incidents', body);
      if (inc.done) {
        // Recorded before a sequencer change, its answer lost: the list
        // shows it from the stream.
        dialog.close();
        return;
      }
      if (inc.possible_duplicates?.some((d) => !seen.includes(d.incident))) {
        showCreated(inc, body);
        return;
      }
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
      opened = new Date();
      dupsSeen = false;
      created = null;
      dupBox.hidden = true;
      submit.hidden = false;
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
