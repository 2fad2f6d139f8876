// views/premise_form.js — entering and removing premise records
// (docs/console.md, "Premise hazards"): a dialog for a record at a place
// (the location geocoded as the incident form does, a radius, one to ten
// flags of kind, text, source and expiry; POST /api/v1/premises), and one
// for removing a record with a reason (POST /api/v1/premises/{id}/remove).

import {get, post, seg} from '../api.js';
import {h, replace} from '../dom.js';
import {hazardLabel} from '../hazards.js';

const kinds = ['weapons', 'dog', 'hostile', 'oxygen', 'mental-health', 'hazmat', 'access', 'other'];

// localInput formats a time for an <input type="datetime-local">.
function localInput(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// premiseDialog returns {open(text), destroy()}; onSaved gets the record.
export function premiseDialog(ctx, onSaved) {
  const loc = h('input', {id: 'pr-location', required: true, autocomplete: 'off', 'aria-describedby': 'pr-geo',
    placeholder: '3900 S Kedzie Ave, or a place name'});
  const geo = h('div', {id: 'pr-geo', class: 'geo-result', 'aria-live': 'polite'});
  const radius = h('input', {id: 'pr-radius', type: 'number', min: '1', max: '2000', value: '50', inputmode: 'numeric'});
  const flagList = h('div', {class: 'pr-flags', id: 'pr-flags'});
  const addFlag = h('button', {type: 'button', class: 'ghost', id: 'pr-add-flag'}, 'Add another flag');
  const error = h('p', {class: 'form-error', role: 'alert', id: 'pr-error'});
  const submit = h('button', {type: 'submit', class: 'primary', id: 'pr-submit'}, 'Enter the hazard');
  const cancel = h('button', {type: 'button', class: 'ghost'}, 'Cancel ', h('kbd', {}, 'Esc'));
  const form = h('form', {class: 'incident-form premise-form', novalidate: true},
    h('div', {class: 'field wide'}, h('label', {for: 'pr-location'}, 'Location'), loc, geo),
    h('div', {class: 'field'}, h('label', {for: 'pr-radius'}, 'Radius (m, up to 2,000)'), radius),
    h('div', {class: 'field wide'}, flagList, addFlag),
    error,
    h('div', {class: 'actions wide'}, submit, cancel));
  const dialog = h('dialog', {class: 'incident-dialog', id: 'premise-dialog', 'aria-labelledby': 'pr-title'},
    h('h2', {id: 'pr-title'}, 'Hazard at a place'),
    h('p', {class: 'hint'}, 'Flags warn those sent to the place; the text is private. Each lapses at its expiry.'), form);
  document.body.append(dialog);

  let n = 0;
  function flagRow() {
    const k = n++;
    const row = h('fieldset', {class: 'pr-flag', 'data-flag': String(k)},
      h('legend', {}, 'Flag'),
      h('label', {for: `pr-kind-${k}`}, 'Kind '),
      h('select', {id: `pr-kind-${k}`, class: 'pr-kind'}, kinds.map((x) => h('option', {value: x}, hazardLabel(x)))),
      h('label', {for: `pr-text-${k}`}, ' What to know '),
      h('input', {id: `pr-text-${k}`, class: 'pr-text', maxlength: '1000', autocomplete: 'off'}),
      h('label', {for: `pr-source-${k}`}, ' Source '),
      h('input', {id: `pr-source-${k}`, class: 'pr-source', maxlength: '200', autocomplete: 'off', placeholder: 'caller, prior call, owner…'}),
      h('label', {for: `pr-expires-${k}`}, ' Until '),
      h('input', {id: `pr-expires-${k}`, class: 'pr-expires', type: 'datetime-local',
        value: localInput(new Date(Date.now() + 365 * 86400e3))}),
      h('button', {type: 'button', class: 'ghost', 'aria-label': 'Remove this flag', onclick: () => {
        if (flagList.children.length > 1) row.remove();
      }}, '✕'));
    return row;
  }
  addFlag.addEventListener('click', () => {
    if (flagList.children.length >= 10) return;
    const row = flagRow();
    flagList.append(row);
    row.querySelector('select').focus();
  });

  let checked = {text: null, ok: false};
  // forAgency is the agency of the incident the form was opened from, for
  // the installation administrator (who has none).
  let forAgency = '';
  async function check() {
    const text = loc.value.trim();
    if (!text) {
      replace(geo);
      return (checked = {text: '', ok: false});
    }
    if (text === checked.text) return checked;
    replace(geo, h('span', {class: 'hint'}, 'Checking…'));
    try {
      const r = await get('/geocode?q=' + encodeURIComponent(text));
      checked = {text, ok: true, result: r};
      replace(geo, h('span', {class: 'ok'}, `✓ ${r.text}`), h('span', {class: 'hint'}, ` (${r.kind})`));
    } catch (e) {
      checked = {text, ok: false, error: e};
      replace(geo, h('span', {class: 'form-error'}, e.message),
        e.suggestions.length ? h('span', {class: 'suggestions'}, ' Use: ', e.suggestions.map((s) =>
          h('button', {type: 'button', class: 'ghost suggestion', onclick: () => {
            const m = /^\s*(\d+)\s+/.exec(text);
            loc.value = m ? `${m[1]} ${s}` : s;
            check();
          }}, s))) : null);
    }
    return checked;
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
  cancel.addEventListener('click', () => dialog.close());

  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    error.textContent = '';
    const flags = [...flagList.querySelectorAll('.pr-flag')].map((f) => ({
      kind: f.querySelector('.pr-kind').value,
      text: f.querySelector('.pr-text').value.trim(),
      source: f.querySelector('.pr-source').value.trim(),
      expires: f.querySelector('.pr-expires').value ? new Date(f.querySelector('.pr-expires').value).toISOString() : '',
    }));
    const empty = flags.findIndex((f) => !f.text);
    if (empty >= 0) {
      error.textContent = 'Say what a responder must know in each flag.';
      flagList.querySelectorAll('.pr-text')[empty].focus();
      return;
    }
    const r = Number(radius.value);
    if (!Number.isFinite(r) || r < 1 || r > 2000) {
      error.textContent = 'The radius is from 1 to 2,000 metres.';
      radius.focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    try {
      const c = await check();
      if (!c.ok) {
        // A record needs a point: the server refuses text it cannot place.
        error.textContent = c.text ? 'The location is not in the gazetteer: correct it or pick a suggestion.' : 'Give the location.';
        loc.focus();
        return;
      }
      const body = {location: {text: c.result.text}, radius_m: r, flags};
      if (!ctx.me?.agency && forAgency) body.agency = forAgency;
      const rec = await post('/premises', body);
      dialog.close();
      onSaved(rec);
    } catch (e) {
      error.textContent = e.message;
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });

  return {
    open(text = '', flagText = '', agency = '') {
      forAgency = agency;
      form.reset();
      error.textContent = '';
      replace(geo);
      checked = {text: null, ok: false};
      replace(flagList, flagRow());
      radius.value = '50';
      loc.value = text;
      flagList.querySelector('.pr-text').value = flagText;
      dialog.showModal();
      (text ? flagList.querySelector(flagText ? '.pr-kind' : '.pr-text') : loc).focus();
      if (text) check();
    },
    destroy() {
      dialog.remove();
    },
  };
}

// removePremiseDialog returns {open(premise, label), destroy()}; onRemoved
// gets the record as removed.
export function removePremiseDialog(onRemoved) {
  const what = h('p', {id: 'prr-what'});
  const reason = h('input', {id: 'prr-reason', required: true, maxlength: '500', autocomplete: 'off',
    placeholder: 'occupant moved out; dog rehomed…'});
  const error = h('p', {class: 'form-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: 'primary', id: 'prr-submit'}, 'Remove the record');
  const cancel = h('button', {type: 'button', class: 'ghost'}, 'Cancel ', h('kbd', {}, 'Esc'));
  let premise = null;
  const form = h('form', {class: 'incident-form', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const r = reason.value.trim();
    if (!r) {
      error.textContent = 'Say why the record no longer applies.';
      reason.focus();
      return;
    }
    submit.disabled = true;
    try {
      const rec = await post(`/premises/${seg(premise)}/remove`, {reason: r});
      dialog.close();
      onRemoved(rec);
    } catch (e) {
      error.textContent = e.message;
    } finally {
      submit.disabled = false;
    }
  }}, what, h('div', {class: 'field wide'}, h('label', {for: 'prr-reason'}, 'Reason'), reason), error,
  h('div', {class: 'actions wide'}, submit, cancel));
  const dialog = h('dialog', {class: 'incident-dialog', id: 'premise-remove-dialog', 'aria-labelledby': 'prr-title'},
    h('h2', {id: 'prr-title'}, 'Remove a premise record'), form);
  cancel.addEventListener('click', () => dialog.close());
  document.body.append(dialog);
  return {
    open(id, label) {
      premise = id;
      form.reset();
      error.textContent = '';
      what.textContent = `${label} — every flag of record ${id} stops applying. The record and its history stay in the log.`;
      dialog.showModal();
      reason.focus();
    },
    destroy() {
      dialog.remove();
    },
  };
}
