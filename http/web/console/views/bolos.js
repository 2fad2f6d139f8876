// views/bolos.js — the BOLOs (be on the lookout) of the agency, for
// dispatchers and supervisors (docs/console.md, "BOLOs"): search them by a
// plate or words (GET /api/v1/bolos?q=), see each one's priority, area,
// expiry and photos, issue one (a person or a vehicle, an area by district,
// by a circle drawn on the map or the whole agency, an expiry, photos
// uploaded first with POST /api/v1/photos) and cancel one with a reason.
// Live: the list is read again on every bolo.* event. Units see the BOLOs
// of their area on the unit view (bolos.js). The list is paged, newest
// issued first (docs/api.md, "History lists"): the view reads the first
// page and older ones on demand ("Older…"), and shows those in force by
// priority, and with the ended ones, newest issued first.

import {get, post, seg, ApiError} from '../api.js';
import {h, svg, replace, clockTime} from '../dom.js';
import {createMap, districts} from '../mapview.js';
import {circlePicker, km} from '../circlepick.js';
import * as keys from '../keys.js';
import {may} from '../lifecycle.js';
import {byPriority} from '../bolos.js';

const maxPhotos = 8;
const maxLifetimeMs = 90 * 24 * 3600e3;
// expiries are the form's presets, in hours.
const expiries = [['1 hour', 1], ['4 hours', 4], ['12 hours', 12], ['24 hours', 24], ['3 days', 72], ['7 days', 168], ['30 days', 720]];
const whoText = (w) => (!w ? '' : w.system ? `system:${w.system}` : `${w.user}${w.role ? ` (${w.role})` : ''}`);

// when says a time: the time today, else the date too.
function when(t) {
  const d = new Date(t);
  return d.toDateString() === new Date().toDateString() ? clockTime(t) : `${d.toLocaleDateString()} ${clockTime(t)}`;
}

// upload stores a photo's bytes (POST /api/v1/photos) and returns the
// server's answer {hash, type, size}.
async function upload(file) {
  let resp;
  try {
    resp = await fetch('/api/v1/photos', {method: 'POST', body: file, credentials: 'same-origin', cache: 'no-store',
      headers: {'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json', 'Idempotency-Key': crypto.randomUUID()}});
  } catch {
    throw new ApiError(0, {title: 'No connection', detail: 'the server cannot be reached; check the network and try again'});
  }
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

// dataURL reads a file as a data: URL, for the form's preview: the
// console's policy lets images come from its origin and data: only (a
// photo is served back by the server only once a BOLO names it).
function dataURL(file) {
  return new Promise((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => resolve('');
    r.readAsDataURL(file);
  });
}

export function mount(root, ctx) {
  const store = ctx.store;
  const me = ctx.me;
  const mayIssue = !!me.agency && may(me, 'POST /api/v1/bolos');
  let list = [];
  let next = '', pages = 1, listed = ''; // the next page; pages read; of which list (its query)
  let selected = null;
  let districtList = [];
  let query = '';
  let reading = null, reload = null;
  // slots keep each BOLO's cancel form, by id, across the list's redraws
  // (a BOLO issued elsewhere redraws it while a reason is being typed).
  const slots = new Map();

  // --- the layout -------------------------------------------------------------
  const search = h('input', {id: 'bolo-q', type: 'search', autocomplete: 'off', placeholder: 'plate (part of one) or words',
    'aria-keyshortcuts': '/', 'aria-describedby': 'bolo-count'});
  const ended = h('input', {id: 'bolo-all', type: 'checkbox'});
  const count = h('p', {class: 'hint', id: 'bolo-count', role: 'status'});
  const searchForm = h('form', {class: 'bl-search', role: 'search', onsubmit: (ev) => { ev.preventDefault(); read(); }},
    h('label', {for: 'bolo-q'}, 'Search ', h('kbd', {}, '/')), search,
    h('label', {class: 'seg-option'}, ended, 'Include expired and cancelled'));
  const listEl = h('ul', {class: 'bl-list', id: 'bolos', 'aria-label': 'BOLOs, highest priority first, then newest'});
  const older = h('button', {type: 'button', class: 'ghost small bl-older', id: 'bolo-older', hidden: true, onclick: () => more()}, 'Older…');
  const listPanel = h('section', {class: 'panel bl-list-panel', id: 'bolos-panel', tabindex: '-1', 'aria-labelledby': 'bolos-title'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'bolos-title'}, 'BOLOs in force')),
    searchForm, count, h('div', {class: 'sv-scroll'}, listEl, older));

  // The view draws the BOLOs' areas; directives are the supervisor's view's.
  const map = createMap(ctx, {compact: true, directives: false});
  const mapNote = h('p', {class: 'map-note', id: 'bolo-map-note'});
  const mapPanel = h('section', {class: 'panel map-panel bl-map', 'aria-label': 'Map of the BOLOs\' areas'}, map.el, mapNote);

  const formBox = h('div', {class: 'bl-form-box'});
  const newButton = mayIssue ? h('button', {type: 'button', class: 'primary', id: 'new-bolo', 'aria-keyshortcuts': 'n',
    onclick: () => openForm()}, 'New BOLO ', h('kbd', {}, 'n')) : null;
  const formPanel = h('section', {class: 'panel bl-form-panel', id: 'bolo-form-panel', tabindex: '-1', 'aria-labelledby': 'bolo-form-title'},
    h('header', {class: 'panel-head'}, h('h2', {id: 'bolo-form-title'}, 'Issue'), newButton),
    h('div', {class: 'sv-scroll'}, formBox,
      mayIssue ? h('p', {class: 'hint'}, 'A BOLO goes to every unit of the agency in its area, on the unit view, until it expires or is cancelled.')
        : h('p', {class: 'hint'}, 'Dispatchers and supervisors issue and cancel BOLOs.')));

  replace(root, h('header', {class: 'sv-bar'}, h('h1', {}, 'BOLOs'),
    h('p', {class: 'hint sv-who'}, me.agency ? `${store.agencies.get(me.agency)?.name || me.agency}: be on the lookout` : 'Every agency\'s BOLOs, to read')),
  h('div', {class: 'bl-grid'}, listPanel, mapPanel, formPanel));

  // --- the list ----------------------------------------------------------------
  function areaText(a) {
    switch (a?.kind) {
      case 'circle': {
        const c = a.circle;
        return `${km(c.radius_m)} around ${c.lat.toFixed(4)}, ${c.lon.toFixed(4)}`;
      }
      case 'district': {
        const d = districtList.find((x) => x.id === a.district);
        return d?.name || `district ${a.district}`;
      }
      case 'agency': return 'the whole agency';
    }
    return a?.kind || '';
  }
  const inForce = (b) => !b.cancelled && Date.parse(b.expires) > Date.now();

  // read reads the list again: as many pages as were read of the same
  // search, the first one of a new search.
  async function read() {
    query = search.value.trim();
    const params = new URLSearchParams();
    if (query) params.set('q', query);
    if (ended.checked) params.set('all', 'true');
    const path = '/bolos' + (params.size ? '?' + params : '');
    if (path !== listed) pages = 1;
    reading?.abort();
    const ctl = reading = new AbortController();
    try {
      let r = await get(path, {signal: ctl.signal}), all = r.bolos;
      for (let n = 1; n < pages && r.next; n++) {
        r = await get(r.next, {signal: ctl.signal});
        all = all.concat(r.bolos);
      }
      list = all;
      next = r.next || '';
      listed = path;
      render();
    } catch (e) {
      if (e.name === 'AbortError') return;
      count.textContent = `Cannot read the BOLOs: ${e.message}`;
    }
  }
  // more reads the next page of the list.
  async function more() {
    const from = next;
    if (!from) return;
    older.disabled = true;
    try {
      const r = await get(from);
      if (from !== next) return;
      const have = new Set(list.map((b) => b.id));
      list = list.concat(r.bolos.filter((b) => !have.has(b.id)));
      next = r.next || '';
      pages++;
      render();
    } catch (e) {
      ctx.toast(`Older BOLOs not read: ${e.message}`, 'error');
    } finally {
      older.disabled = false;
    }
  }

  function render() {
    // In force: a few, by priority; with the ended: history, newest
    // issued first, as the pages come.
    if (!ended.checked) list.sort(byPriority);
    listEl.setAttribute('aria-label', ended.checked ? 'BOLOs, newest issued first' : 'BOLOs, highest priority first, then newest');
    older.hidden = !next;
    const n = list.length;
    count.textContent = `${n} BOLO${n === 1 ? '' : 's'}${query ? ` matching “${query}”` : ''}${ended.checked ? ', with the ended' : ' in force'}${next ? ' (older ones: Older…)' : ''}`;
    if (selected && !list.some((b) => b.id === selected)) selected = null;
    const typing = [...slots.values()].find((x) => x.contains(document.activeElement)) ? document.activeElement : null;
    for (const id of slots.keys()) if (!list.some((b) => b.id === id && inForce(b))) slots.delete(id);
    if (!n) {
      replace(listEl, h('li', {class: 'empty'}, query ? 'No BOLO matches.' : 'No BOLO in force.'));
    } else {
      replace(listEl, list.map(card));
    }
    if (typing?.isConnected) typing.focus();
    drawAreas();
  }

  function card(b) {
    const live = inForce(b);
    const state = b.cancelled ? `cancelled ${when(b.cancelled)} by ${whoText(b.cancelled_by)}: ${b.reason}` : live ? `until ${when(b.expires)}` : `expired ${when(b.expires)}`;
    let slot = slots.get(b.id);
    if (!slot) slots.set(b.id, slot = h('div', {class: 'bl-cancel-slot'}));
    const li = h('li', {class: `bl-card p${b.priority}${live ? '' : ' ended'}${b.id === selected ? ' selected' : ''}`, 'data-id': b.id, tabindex: '-1',
      'aria-current': b.id === selected ? 'true' : null, onclick: (ev) => { if (!ev.target.closest('button, input, textarea, form')) select(b.id); }},
    h('p', {class: 'bl-head'}, h('span', {class: `bl-prio p${b.priority}`, title: `Priority ${b.priority} (1 is the highest)`}, `P${b.priority}`), ' ',
      h('strong', {}, b.kind === 'vehicle' ? 'Vehicle' : 'Person'),
      b.plate ? [' · plate ', h('span', {class: 'plate'}, b.plate)] : null, ' · ', h('span', {class: 'bl-id'}, b.id)),
    h('p', {class: 'bl-desc'}, b.description || ''),
    h('p', {class: 'bl-meta'}, h('span', {class: 'bl-area'}, areaText(b.area)), ' · ', h('span', {class: 'bl-expiry'}, state)),
    h('p', {class: 'bl-meta hint'}, `issued ${when(b.issued)} by ${whoText(b.issued_by)}`),
    b.photos.length ? h('p', {class: 'bl-photos'}, b.photos.map((p, i) =>
      h('a', {href: `/api/v1/photos/${p}`, target: '_blank', rel: 'noopener'},
        h('img', {src: `/api/v1/photos/${p}`, alt: `Photo ${i + 1} of BOLO ${b.id}`, loading: 'lazy'})))) : null,
    mayIssue && live ? h('div', {class: 'form-buttons'}, h('button', {type: 'button', class: 'danger-ghost small bl-cancel',
      onclick: () => cancelForm(b, slot)}, 'Cancel BOLO ', h('kbd', {}, 'x'))) : null,
    slot);
    return li;
  }

  function select(id, focus = false) {
    selected = id;
    for (const li of listEl.querySelectorAll('.bl-card')) {
      const on = li.dataset.id === id;
      li.classList.toggle('selected', on);
      li.setAttribute('aria-current', on ? 'true' : 'false');
      if (on && focus) li.focus();
    }
    const b = list.find((x) => x.id === id);
    if (b?.area?.kind === 'circle') map.show(b.area.circle.lat, b.area.circle.lon);
    drawAreas();
  }
  function move(d) {
    if (!list.length) return;
    const i = list.findIndex((b) => b.id === selected);
    const j = i < 0 ? (d > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + d));
    select(list[j].id, true);
  }

  function cancelForm(b, slot) {
    if (slot.firstChild) return slot.querySelector('textarea').focus();
    const reason = h('textarea', {id: `bl-reason-${b.id}`, rows: 2, maxlength: 500, required: true, placeholder: 'vehicle recovered'});
    const err = h('p', {class: 'form-error', role: 'alert'});
    const close = () => { slot.replaceChildren(); listEl.querySelector(`[data-id="${CSS.escape(b.id)}"]`)?.focus(); };
    const form = h('form', {class: 'bl-cancel-form', novalidate: true},
      h('label', {for: `bl-reason-${b.id}`}, `Why cancel ${b.id}? (required; recorded with your name)`), reason, err,
      h('div', {class: 'form-buttons'}, h('button', {type: 'submit', class: 'danger', id: `bl-cancel-go-${b.id}`}, 'Cancel the BOLO'),
        h('button', {type: 'button', class: 'ghost', onclick: close}, 'Keep it ', h('kbd', {}, 'Esc'))));
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        close();
      }
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const why = reason.value.trim();
      if (!why) {
        err.textContent = 'A cancellation needs a reason: say why units may stop looking.';
        return reason.focus();
      }
      form.querySelector('button[type=submit]').disabled = true;
      try {
        await post(`/bolos/${seg(b.id)}/cancel`, {reason: why});
        ctx.announce(`Cancelled BOLO ${b.id}`);
        ctx.toast(`Cancelled BOLO ${b.id}`);
        read();
      } catch (e) {
        err.textContent = e.message;
        form.querySelector('button[type=submit]').disabled = false;
      }
    });
    slot.append(form);
    reason.focus();
  }
  function cancelSelected() {
    const li = listEl.querySelector(`.bl-card[data-id="${CSS.escape(selected || '')}"]`);
    li?.querySelector('.bl-cancel')?.click();
  }

  // --- a new BOLO -----------------------------------------------------------------
  let draft = null; // the circle being drawn, while the form is open
  let formApi = null;

  function openForm() {
    if (!mayIssue) return;
    if (formApi) return formApi.focus();
    formApi = boloForm();
    replace(formBox, formApi.el);
    newButton.hidden = true;
    formApi.focus();
  }
  function closeForm() {
    formApi = null;
    draft = null;
    map.setTool(null);
    formBox.replaceChildren();
    newButton.hidden = false;
    drawAreas();
    newButton.focus();
  }

  function boloForm() {
    draft = {kind: 'district', lat: null, lon: null, radius: 500, district: ''};
    const photos = []; // {hash, name}
    const radio = (name, value, label, checked) => h('label', {class: 'seg-option'},
      h('input', {type: 'radio', name, value, checked, id: `bl-${name}-${value}`}), label);
    const kindSet = h('fieldset', {class: 'seg'}, h('legend', {}, 'Looking for'),
      radio('kind', 'vehicle', 'Vehicle', true), radio('kind', 'person', 'Person', false));
    const plate = h('input', {id: 'bl-plate', autocomplete: 'off', maxlength: 16, placeholder: 'KZ 4411', autocapitalize: 'characters'});
    const plateRow = h('div', {class: 'row'}, h('label', {for: 'bl-plate'}, 'Plate'), plate);
    const desc = h('textarea', {id: 'bl-desc', rows: 3, maxlength: 2000, required: true, placeholder: 'silver minivan, roof box, dent in the rear door'});
    const prio = h('select', {id: 'bl-priority'}, [[1, '1 — highest'], [2, '2'], [3, '3 — lowest']].map(([v, l]) => h('option', {value: v, selected: v === 2}, l)));
    const areaSet = h('fieldset', {class: 'seg'}, h('legend', {}, 'Area'),
      radio('area', 'district', 'District', true), radio('area', 'circle', 'Circle on the map', false), radio('area', 'agency', 'Whole agency', false));
    const district = h('select', {id: 'bl-district'}, h('option', {value: ''}, '— choose a district —'),
      districtList.map((d) => h('option', {value: d.id}, `${d.id} ${d.name}`)));
    const districtBox = h('div', {class: 'row'}, h('label', {for: 'bl-district'}, 'District'), district);
    const place = h('input', {id: 'bl-place', autocomplete: 'off', placeholder: '39th Pl & S Kedzie Ave'});
    const findBtn = h('button', {type: 'button', class: 'ghost', id: 'bl-find'}, 'Find');
    const radius = h('input', {id: 'bl-radius', type: 'number', min: 1, max: 50000, step: 1, value: 500, inputmode: 'numeric'});
    const centre = h('output', {id: 'bl-centre', for: 'bl-place'}, 'no centre yet');
    const circleBox = h('div', {class: 'scope-box', hidden: true},
      h('p', {class: 'hint'}, 'Click the centre on the map and drag out the radius, or find a place and type the radius.'),
      h('div', {class: 'row'}, h('label', {for: 'bl-place'}, 'Centre'), place, findBtn),
      h('div', {class: 'row'}, h('label', {for: 'bl-radius'}, 'Radius (m)'), radius,
        h('span', {class: 'presets'}, [500, 1000, 2000, 5000].map((m) => h('button', {type: 'button', class: 'ghost small', onclick: () => { radius.value = m; syncRadius(); }}, km(m))))),
      h('p', {}, 'Centre: ', centre));
    const agencyBox = h('p', {class: 'warn', hidden: true}, 'Every unit of the agency, wherever it is.');
    const boxes = {district: districtBox, circle: circleBox, agency: agencyBox};
    const expiry = h('select', {id: 'bl-expiry'}, expiries.map(([label, hours]) => h('option', {value: hours, selected: hours === 24}, label)));
    const file = h('input', {id: 'bl-photos', type: 'file', accept: 'image/jpeg,image/png,image/gif,image/webp', multiple: true});
    const photoList = h('ul', {class: 'bl-photo-list', id: 'bl-photo-list', 'aria-live': 'polite'});
    const err = h('p', {class: 'form-error', role: 'alert', id: 'bl-error'});
    const submit = h('button', {type: 'submit', class: 'primary', id: 'bl-issue'}, 'Issue BOLO');
    const form = h('form', {class: 'dv-form bl-form', id: 'bl-form', 'aria-labelledby': 'bl-form-title', novalidate: true},
      h('h3', {id: 'bl-form-title'}, 'New BOLO'),
      kindSet, plateRow,
      h('label', {for: 'bl-desc'}, 'Description (required)'), desc,
      h('div', {class: 'row'}, h('label', {for: 'bl-priority'}, 'Priority'), prio),
      areaSet, districtBox, circleBox, agencyBox,
      h('div', {class: 'row'}, h('label', {for: 'bl-expiry'}, 'Expires after'), expiry),
      h('div', {class: 'row'}, h('label', {for: 'bl-photos'}, 'Photos'), file),
      photoList, err,
      h('div', {class: 'form-buttons'}, submit, h('button', {type: 'button', class: 'ghost', onclick: closeForm}, 'Cancel ', h('kbd', {}, 'Esc'))));

    const checked = (name) => form.querySelector(`input[name=${name}]:checked`).value;
    function syncArea() {
      const k = checked('area');
      draft.kind = k;
      for (const [name, box] of Object.entries(boxes)) box.hidden = name !== k;
      map.setTool(k === 'circle' ? circleTool : null);
      drawAreas();
    }
    const {tool: circleTool, setCentre, syncRadius, find} = circlePicker({map, draft, radius, centre, place, err,
      redraw: drawAreas, announce: ctx.announce});
    function renderPhotos() {
      replace(photoList, photos.map((p, i) => h('li', {'data-hash': p.hash},
        h('img', {src: p.url, alt: `Photo ${i + 1}: ${p.name}`}), h('span', {class: 'hint'}, p.name),
        h('button', {type: 'button', class: 'ghost small', 'aria-label': `Remove photo ${i + 1}, ${p.name}`,
          onclick: () => { photos.splice(i, 1); renderPhotos(); }}, 'Remove'))));
    }
    file.addEventListener('change', async () => {
      err.textContent = '';
      const files = [...file.files];
      file.value = '';
      for (const f of files) {
        if (photos.length >= maxPhotos) {
          err.textContent = `A BOLO has at most ${maxPhotos} photos.`;
          break;
        }
        submit.disabled = true;
        try {
          const r = await upload(f);
          if (!photos.some((p) => p.hash === r.hash)) photos.push({hash: r.hash, name: f.name, url: await dataURL(f)});
          renderPhotos();
          ctx.announce(`Photo ${f.name} uploaded`);
        } catch (e) {
          err.textContent = `${f.name}: ${e.message}`;
        } finally {
          submit.disabled = false;
        }
      }
    });
    findBtn.addEventListener('click', find);
    place.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        find();
      }
    });
    radius.addEventListener('input', syncRadius);
    areaSet.addEventListener('change', syncArea);
    district.addEventListener('change', () => { draft.district = district.value; drawAreas(); });
    kindSet.addEventListener('change', () => { plate.placeholder = checked('kind') === 'vehicle' ? 'KZ 4411' : 'a plate, if the person drives one'; });
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        closeForm();
      }
    });
    function fail(text, field) {
      err.textContent = text;
      field?.focus();
    }
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const body = {kind: checked('kind'), description: desc.value.trim(), plate: plate.value.trim(), priority: Number(prio.value),
        photos: photos.map((p) => p.hash)};
      if (!body.description) return fail('Describe who or what to look out for.', desc);
      const k = checked('area');
      if (k === 'district') {
        if (!district.value) return fail('Choose the district.', district);
        body.area = {kind: 'district', district: district.value};
      } else if (k === 'circle') {
        if (draft.lat === null) return fail('Set the centre: click it on the map, or find a place.', place);
        const m = Number(radius.value);
        if (!(m >= 1 && m <= 50000)) return fail('The radius is between 1 and 50,000 metres.', radius);
        body.area = {kind: 'circle', circle: {lat: draft.lat, lon: draft.lon, radius_m: m}};
      } else {
        body.area = {kind: 'agency'};
      }
      const ms = Number(expiry.value) * 3600e3;
      if (!(ms > 0 && ms <= maxLifetimeMs)) return fail('A BOLO lasts at most 90 days.', expiry);
      body.expires = new Date(Date.now() + ms).toISOString();
      submit.disabled = true;
      try {
        const b = await post('/bolos', body);
        ctx.announce(`Issued BOLO ${b.id}`);
        ctx.toast(`Issued BOLO ${b.id}${b.plate ? ` for plate ${b.plate}` : ''}`);
        selected = b.id;
        closeForm();
        await read();
      } catch (e) {
        err.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    });
    syncArea();
    return {el: form, focus: () => form.querySelector('input[name=kind]:checked').focus()};
  }

  // --- the map --------------------------------------------------------------------
  let mapReady = false;
  map.ready.then(() => {
    mapReady = true;
    drawAreas();
  });

  function shape(area, cls, tip) {
    switch (area?.kind) {
      case 'circle': {
        if (!area.circle) return null;
        const p = map.project(area.circle.lat, area.circle.lon), r = map.metres(area.circle.radius_m);
        return svg('circle', {class: cls, cx: p.x.toFixed(3), cy: p.y.toFixed(3), r: r.toFixed(3)}, svg('title', {}, tip));
      }
      case 'district': {
        const x = districtList.find((y) => y.id === area.district);
        if (!x) return null;
        const pts = x.boundary.map(([la, lo]) => map.project(la, lo));
        return svg('path', {class: cls, d: 'M' + pts.map((p) => `${p.x.toFixed(3)} ${p.y.toFixed(3)}`).join(' L') + ' Z'}, svg('title', {}, tip));
      }
    }
    return null;
  }

  function drawAreas() {
    const shown = list.filter(inForce);
    const wide = shown.filter((b) => b.area.kind === 'agency');
    mapNote.textContent = [
      shown.length ? `${shown.length} BOLO area${shown.length === 1 ? '' : 's'} shown` : 'No BOLO in force shown',
      wide.length ? ` · agency-wide: ${wide.map((b) => b.id).join(', ')}` : '',
      formApi && draft?.kind === 'circle' ? ' · drawing: press the centre, drag the radius' : '',
    ].join('');
    if (!mapReady) return;
    const parts = shown.map((b) => shape(b.area, `bolo-area p${b.priority}${b.id === selected ? ' selected' : ''}`,
      `${b.id}: ${b.kind}${b.plate ? ' ' + b.plate : ''} — ${areaText(b.area)}`));
    if (formApi && draft) {
      const a = draft.kind === 'circle' ? {kind: 'circle', circle: draft.lat === null ? null : {lat: draft.lat, lon: draft.lon, radius_m: draft.radius}}
        : {kind: draft.kind, district: draft.district};
      parts.push(shape(a, 'bolo-area draft', 'New BOLO'));
      if (a.circle) {
        const p = map.project(a.circle.lat, a.circle.lon);
        parts.push(svg('g', {class: 'draw-centre', 'data-x': p.x.toFixed(3), 'data-y': p.y.toFixed(3)}, svg('circle', {r: 5})));
      }
    }
    replace(map.layer, parts);
    map.refresh();
  }

  // --- keys ---------------------------------------------------------------------------
  keys.setView('BOLOs', [
    {key: '/', label: 'Search the BOLOs (a plate, part of one, or words)', run: () => search.focus()},
    {key: 'n', label: 'New BOLO', run: () => openForm(), when: () => mayIssue},
    {key: 'j', alt: ['ArrowDown'], label: 'Next BOLO', run: () => move(1)},
    {key: 'k', alt: ['ArrowUp'], label: 'Previous BOLO', run: () => move(-1)},
    {key: 'x', label: 'Cancel the selected BOLO (with a reason)', run: cancelSelected, when: () => mayIssue && !!selected},
    {key: 'f', label: 'Put the focus on the map (arrows pan, + and − zoom, 0 fits)', run: () => map.focus()},
    {key: '1', label: 'Go to the list', run: () => (listEl.querySelector('.bl-card.selected') || listPanel).focus()},
    {key: '2', label: 'Go to the form', run: () => (formApi ? formApi.focus() : formPanel.focus())},
  ]);

  // --- live ---------------------------------------------------------------------------
  let typed = null;
  search.addEventListener('input', () => {
    clearTimeout(typed);
    typed = setTimeout(read, 200);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      if (search.value) {
        search.value = '';
        read();
      } else {
        search.blur();
      }
    }
  });
  ended.addEventListener('change', read);
  const unwatch = store.watch((e) => {
    if (!e.type.startsWith('bolo.')) return;
    clearTimeout(reload);
    reload = setTimeout(read, 100);
  });
  // BOLOs expire by the clock.
  const expiryCheck = setInterval(read, 60_000);

  districts().then((dl) => {
    districtList = dl.districts || [];
    const sel = formBox.querySelector('#bl-district');
    if (sel && sel.options.length === 1) sel.append(...districtList.map((d) => h('option', {value: d.id}, `${d.id} ${d.name}`)));
    render();
  }).catch(() => {});
  // The list takes the focus once read, unless the user has gone on
  // meanwhile (pressed n for the form, searched): a slow read must not
  // take the focus away from what they are typing.
  read().then(() => {
    const a = document.activeElement;
    if (!a || a === document.body || !a.isConnected || a.matches('main, [tabindex="-1"]')) listPanel.focus();
  });

  return () => {
    unwatch();
    clearTimeout(reload);
    clearTimeout(typed);
    clearInterval(expiryCheck);
    reading?.abort();
    map.destroy();
  };
}
