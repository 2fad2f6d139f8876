// views/audit.js — the auditor's view: an assistance request's or an
// incident's timeline across agencies as swim lanes, verified in this
// browser against the log's signed checkpoint (timelineview.js, verify.js);
// a bundle file checked the same way; and, for supervisors and auditors,
// publishing the timeline (timeline.published), after which anyone can read
// and check it in the public view.

import {get, getAll, post, seg, ApiError} from '../api.js';
import {h, replace, clockTime} from '../dom.js';
import * as keys from '../keys.js';
import {createTimelineView, fileInput} from '../timelineview.js';
import {may} from '../lifecycle.js';
import {agencyText} from '../partner.js';

// Who may read bundles and who may publish, as the server says (the route
// table's roles; requests' routes have the same as incidents').
const mayBundle = (me) => may(me, 'GET /api/v1/incidents/{id}/bundle');
const mayPublish = (me) => may(me, 'POST /api/v1/incidents/{id}/publish');

const kinds = {request: {label: 'Request', plural: 'requests'}, incident: {label: 'Incident', plural: 'incidents'}};

// logKey fetches the log's verifier key, the one the bundles must be
// signed with (GET /log/key).
let keyText = null;
export async function logKey() {
  if (keyText) return keyText;
  const r = await fetch('/log/key', {cache: 'no-store'});
  if (!r.ok) throw new Error(`the log's key cannot be read (${r.status})`);
  keyText = (await r.text()).trim();
  return keyText;
}

// publications reads what is published of the records the user sees, by
// subject, whole (who published it and why): the signed-in list, not the
// public one, which names no one.
async function publications(me) {
  if (!may(me, 'GET /api/v1/publications')) return new Map();
  try {
    const ps = await getAll('/publications?limit=1000', 'publications');
    return new Map(ps.map((p) => [p.subject, p]));
  } catch {
    return new Map();
  }
}

export function mount(root, ctx) {
  const me = ctx.me;
  let current = null; // {kind, id}
  let tab = 'request';
  let lists = {request: [], incident: []};
  let newer = 0;
  let published = new Map();

  const tv = createTimelineView();
  const title = h('h1', {id: 'audit-title'}, 'Audit');
  const kindSel = h('select', {id: 'audit-kind'},
    h('option', {value: 'request'}, 'Assistance request'), h('option', {value: 'incident'}, 'Incident'));
  const idIn = h('input', {id: 'audit-id', autocomplete: 'off', spellcheck: 'false', placeholder: 'Id, such as federal-A-2026-000001'});
  const openForm = h('form', {class: 'tl-head', 'aria-labelledby': 'audit-title'},
    title,
    h('label', {for: 'audit-kind', class: 'sr-only'}, 'Kind'), kindSel,
    h('label', {for: 'audit-id', class: 'sr-only'}, 'Id'), idIn,
    h('button', {type: 'submit', class: 'primary'}, 'Open'));
  openForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = idIn.value.trim();
    if (id) open(kindSel.value, id);
  });

  const openings = h('input', {type: 'checkbox', id: 'audit-openings'});
  openings.addEventListener('change', () => current && open(current.kind, current.id));
  const reloadBtn = h('button', {type: 'button', id: 'audit-reload', onclick: () => current && open(current.kind, current.id)}, 'Check again ', h('kbd', {}, 'r'));
  const publishBtn = h('button', {type: 'button', id: 'audit-publish', onclick: () => askPublish()}, 'Publish… ', h('kbd', {}, 'p'));
  const download = h('a', {class: 'button', id: 'audit-download', download: ''}, 'Download the bundle');
  const publicLink = h('a', {class: 'button', id: 'audit-public'}, 'Public view');
  const pubNote = h('p', {class: 'published-note', id: 'audit-published'});
  const newerNote = h('p', {class: 'published-note', id: 'audit-newer', 'aria-live': 'polite'});
  const actions = h('div', {class: 'tl-actions', hidden: true}, reloadBtn,
    mayPublish(me) ? publishBtn : null,
    mayBundle(me) ? [download, h('label', {class: 'check', for: 'audit-openings', title: 'The bundle then carries the openings of callers, narratives and notes; reading them is recorded in the log (private.read)'}, openings, 'With private fields (recorded)')] : null,
    publicLink, pubNote, newerNote);

  const tabs = h('div', {class: 'tl-tabs', role: 'tablist'}, Object.entries(kinds).map(([k, v]) =>
    h('button', {type: 'button', role: 'tab', id: `audit-tab-${k}`, 'aria-selected': k === tab ? 'true' : 'false',
      onclick: () => setTab(k)}, v.label + 's')));
  const filter = h('input', {type: 'search', id: 'audit-filter', placeholder: 'Filter: id, place, nature…', autocomplete: 'off'});
  filter.addEventListener('input', () => drawList());
  const recs = h('ul', {class: 'records', id: 'audit-records', 'aria-label': 'Recent records'});
  const file = fileInput('audit-file', async (name, text) => {
    current = null;
    actions.hidden = true;
    replace(title, 'Bundle file ', h('span', {class: 'subject'}, name));
    tv.showFile(name, text, await logKey().catch(() => ''));
  });

  replace(root, h('div', {class: 'tl-grid'},
    h('aside', {class: 'panel tl-side', 'aria-label': 'Records'}, tabs,
      h('label', {for: 'audit-filter', class: 'sr-only'}, 'Filter the records'), filter, recs, file),
    h('section', {class: 'panel tl-main', 'aria-labelledby': 'audit-title'}, openForm, actions, tv.el)));

  function setTab(k) {
    tab = k;
    for (const b of tabs.children) b.setAttribute('aria-selected', b.id === `audit-tab-${k}` ? 'true' : 'false');
    drawList();
  }

  function drawList() {
    const q = filter.value.trim().toLowerCase();
    const items = lists[tab].filter((x) => !q || JSON.stringify([x.id, x.nature, x.type, x.location?.text, x.from_agency, x.to_agency, x.agency]).toLowerCase().includes(q)).slice(0, 150);
    if (!items.length) {
      replace(recs, h('li', {class: 'empty'}, lists[tab].length ? 'None matches.' : `No ${kinds[tab].plural} you may read.`));
      return;
    }
    replace(recs, items.map((x) => {
      const what = tab === 'request' ? `${x.urgency}: ${x.nature}` : `P${x.priority} ${x.type}`;
      const meta = tab === 'request' ? `${agencyText(x.from_agency)} → ${(x.asked || []).map((a) => agencyText(a.agency)).join(', ')} · ${x.status} · ${clockTime(x.created)}`
        : `${x.location?.text || ''} · ${x.status} · ${clockTime(x.received)}`;
      const cls = tab === 'request' ? `urgency-${x.urgency}` : `prio-${x.priority}`;
      return h('li', {}, h('button', {type: 'button', class: `rec ${cls}`, dataset: {id: x.id},
        'aria-current': current?.kind === tab && current?.id === x.id ? 'true' : 'false', onclick: () => open(tab, x.id)},
      h('span', {class: 'rec-id'}, x.id), h('span', {class: 'rec-what'}, what), h('span', {class: 'rec-meta'}, meta)));
    }));
  }

  async function loadLists() {
    const [rq, inc] = await Promise.all([
      get('/requests').catch(() => ({requests: []})),
      get('/incidents').catch(() => ({incidents: []})),
    ]);
    lists = {request: rq.requests || [], incident: inc.incidents || []};
    drawList();
  }

  function showPublished() {
    if (!current) return;
    const p = published.get(`${current.kind}/${current.id}`);
    publicLink.hidden = !p;
    publicLink.href = `/console/public?${current.kind}=${encodeURIComponent(current.id)}`;
    pubNote.textContent = p ? `Published ${p.times > 1 ? p.times + ' times, last' : ''} at ${clockTime(p.published)} by ${p.by.user || p.by.system} (${p.by.role || 'system'})${p.reason ? ': ' + p.reason : ''}.` : 'Not published.';
    publishBtn.firstChild.textContent = p ? 'Publish again… ' : 'Publish… ';
  }

  // open shows the timeline of kind/id and checks it.
  async function open(kind, id) {
    current = {kind, id};
    newer = 0;
    newerNote.textContent = '';
    kindSel.value = kind;
    idIn.value = id;
    history.replaceState(null, '', `/console/audit?${kind}=${encodeURIComponent(id)}`);
    replace(title, `${kinds[kind].label} `, h('span', {class: 'subject'}, id));
    for (const b of recs.querySelectorAll('.rec')) b.setAttribute('aria-current', kind === tab && b.dataset.id === id ? 'true' : 'false');
    actions.hidden = false;
    const base = `/${kind}s/${seg(id)}`;
    download.href = `/api/v1${base}/bundle${openings.checked ? '?openings=true' : ''}`;
    tv.clear('Reading the timeline…');
    let timeline;
    try {
      [timeline, published] = await Promise.all([get(base + '/timeline'), publications(me)]);
    } catch (e) {
      actions.hidden = true;
      tv.clear(e instanceof ApiError && e.status === 404 ? `There is no ${kind} ${id} that you may read.` : `The timeline cannot be read: ${e.message}`);
      return;
    }
    if (current?.id !== id) return;
    showPublished();
    if (!mayBundle(me)) {
      const roles = me.roles.join(', ');
      const p = published.get(`${kind}/${id}`);
      await tv.show({timeline, unverified: `your roles (${roles}) may not read evidence bundles — auditors and installation administrators may — so this page cannot prove the timeline.` +
        (p ? ' It is published: the public view proves it up to its publication.' : ' Once published, the public view proves it; or check a bundle file an auditor gives you.')});
      return;
    }
    let bundle, key;
    try {
      [bundle, key] = await Promise.all([get(`${base}/bundle${openings.checked ? '?openings=true' : ''}`), logKey()]);
    } catch (e) {
      await tv.show({timeline, unverified: `the evidence bundle cannot be read: ${e.message}`});
      return;
    }
    if (current?.id !== id) return;
    await tv.show({timeline, bundle, trustedKey: key});
  }

  function askPublish() {
    if (!current || !mayPublish(me)) return;
    const {kind, id} = current;
    const reason = h('input', {id: 'publish-reason', maxlength: '500', autocomplete: 'off', placeholder: 'such as: press enquiry of 12 March'});
    const dlg = h('dialog', {class: 'publish', 'aria-labelledby': 'publish-title'});
    const form = h('form', {method: 'dialog'},
      h('h2', {id: 'publish-title'}, `Publish the timeline of ${kind} ${id}?`),
      h('p', {}, 'Anyone will be able to read it and check it against the log, with no sign-in: every event up to now, who did what and when, and the directives in force. Private fields (callers, narratives, notes) stay hidden: only their commitments show.'),
      h('p', {}, 'Publishing is recorded in the log, and cannot be undone: the public sees your role and agency, never your name or the reason. Events after now stay private until it is published again.'),
      h('div', {class: 'field'}, h('label', {for: 'publish-reason'}, 'Reason (optional)'), reason),
      h('div', {class: 'buttons'},
        h('button', {type: 'button', id: 'publish-cancel', onclick: () => dlg.close()}, 'Cancel'),
        h('button', {type: 'submit', class: 'primary', id: 'publish-confirm'}, 'Publish')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const p = await post(`/${kind}s/${seg(id)}/publish`, {reason: reason.value});
        dlg.close();
        ctx.toast(`Published: anyone can now read and check the timeline of ${id} (${p.times > 1 ? 'published ' + p.times + ' times' : 'first publication'}).`);
        ctx.announce(`Timeline of ${id} published`);
        if (current?.id === id) open(kind, id);
      } catch (e) {
        ctx.toast(`Not published: ${e.message}`, 'error');
      }
    });
    dlg.append(form);
    dlg.addEventListener('close', () => {
      dlg.remove();
      publishBtn.focus();
    });
    root.append(dlg);
    dlg.showModal();
    reason.focus();
  }

  // Events about the record shown arrive on the stream: say so, and
  // check again on r (a bundle with openings is a recorded read, so it is
  // not fetched by itself).
  const unwatch = ctx.store.watch?.((ev) => {
    if (!current) return;
    const s = ev.data?.subject || {};
    if (s[current.kind] !== current.id) return;
    newer++;
    newerNote.textContent = `${newer} newer event${newer === 1 ? '' : 's'} about it since: check again (r) to take ${newer === 1 ? 'it' : 'them'} in.`;
  });

  keys.setView('Audit', [
    {key: 'j', alt: ['ArrowDown'], label: 'Next event', run: () => tv.step(1)},
    {key: 'k', alt: ['ArrowUp'], label: 'Previous event', run: () => tv.step(-1)},
    {key: 'r', label: 'Read the timeline and check it again', run: () => current && open(current.kind, current.id)},
    {key: 'p', label: 'Publish the timeline (supervisors, auditors)', run: askPublish, when: () => !!current && mayPublish(me)},
    {key: '/', label: 'Go to the id field', run: () => idIn.focus()},
    {key: 'f', label: 'Check a bundle file', run: () => document.getElementById('audit-file').click()},
  ]);

  loadLists();
  const q = new URLSearchParams(location.search);
  const want = q.get('request') ? ['request', q.get('request')] : q.get('incident') ? ['incident', q.get('incident')] : null;
  if (want) {
    setTab(want[0]);
    open(...want);
  } else {
    tv.clear('Pick a request or an incident, or type its id, to see its timeline and check it against the log.');
    idIn.focus();
  }
  return () => {
    unwatch?.();
  };
}
