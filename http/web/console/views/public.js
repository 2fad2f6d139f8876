// views/public.js — published timelines, for anyone, signed in or not: the
// list of what agencies have published, one timeline at a time as swim
// lanes, checked in this browser against the log's signed checkpoint with
// verify.js, as the auditor's view checks it; the log's current checkpoint;
// and any bundle file checked the same way. Private fields never reach this
// page: the server sends only their commitments, and of each publication
// only its public facts (who published as a role and an agency, no reason).

import {h, replace, clockTime} from '../dom.js';
import * as keys from '../keys.js';
import {createTimelineView, fileInput} from '../timelineview.js';
import {checkCurrent} from '../verify.js';

const kindLabel = {request: 'Assistance request', incident: 'Incident'};

// byText says who published: a role of an agency, or tenfour itself. The
// public answers never name the person (docs/security.md).
const byText = (by) => {
  if (by.system) return 'tenfour';
  const role = by.role || 'user';
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}${by.agency ? ' of ' + by.agency : ''}`;
};

// fetchPublic GETs a public resource; a refusal throws with the server's
// sentence.
async function fetchPublic(path, as = 'json') {
  let r;
  try {
    r = await fetch(path, {cache: 'no-store', headers: {Accept: as === 'json' ? 'application/json' : 'text/plain'}});
  } catch {
    throw new Error('the server cannot be reached; check the network and try again');
  }
  if (!r.ok) {
    const p = await r.json().catch(() => ({}));
    const err = new Error(p.detail || `HTTP ${r.status}`);
    err.status = r.status;
    throw err;
  }
  return as === 'json' ? r.json() : r.text();
}

export function mount(root, ctx) {
  let current = null;
  let list = [];
  let key = '';
  let head = null; // the current checkpoint, checked

  // Each verdict reads the log's checkpoint again, to say how the one the
  // proofs lead to stands to it.
  const tv = createTimelineView({onVerdict: () => loadHead()});
  const title = h('h1', {id: 'public-title'}, 'Published timelines');
  const note = h('p', {class: 'published-note', id: 'public-note'});
  const download = h('a', {class: 'button', id: 'public-download', download: '', hidden: true}, 'Download the bundle');
  const again = h('button', {type: 'button', id: 'public-again', hidden: true, onclick: () => current && open(current.kind, current.id)}, 'Check again ', h('kbd', {}, 'r'));
  const recs = h('ul', {class: 'records', id: 'public-records', 'aria-label': 'Published timelines'});
  const cpBox = h('section', {class: 'checkpoint-box', id: 'public-checkpoint', 'aria-labelledby': 'cp-title'});
  const file = fileInput('public-file', (name, text) => {
    current = null;
    drawList();
    replace(title, 'Bundle file ', h('span', {class: 'subject'}, name));
    note.textContent = '';
    download.hidden = again.hidden = true;
    tv.showFile(name, text, key);
  });

  replace(root, h('div', {class: 'tl-grid'},
    h('aside', {class: 'panel tl-side', 'aria-label': 'What is published'},
      h('h2', {}, 'Published'),
      h('p', {class: 'hint'}, 'Timelines the agencies have made public. Each is checked here, in your browser, against the log\'s signed checkpoint: who did what, and when, exactly as the log holds it. Callers, narratives and notes stay hidden.'),
      recs, cpBox, file,
      ctx.me ? null : h('p', {class: 'hint'}, 'Agency staff: ', h('a', {href: '/console/login'}, 'sign in'), '.')),
    h('section', {class: 'panel tl-main', 'aria-labelledby': 'public-title'},
      h('div', {class: 'tl-head'}, title), h('div', {class: 'tl-actions'}, again, download, note), tv.el)));

  function drawList() {
    if (!list.length) {
      replace(recs, h('li', {class: 'empty'}, 'Nothing is published yet.'));
      return;
    }
    replace(recs, list.map((p) => h('li', {}, h('button', {type: 'button', class: 'rec', dataset: {subject: p.subject},
      'aria-current': current && `${current.kind}/${current.id}` === p.subject ? 'true' : 'false', onclick: () => open(p.kind, p.id)},
    h('span', {class: 'rec-id'}, p.id),
    h('span', {class: 'rec-what'}, p.title || kindLabel[p.kind]),
    h('span', {class: 'rec-meta'}, `${p.where ? 'district ' + p.where + ' · ' : ''}published ${clockTime(p.published)} by ${byText(p.by)}`)))));
  }

  function drawCheckpoint() {
    const r = tv.report;
    const dl = [];
    if (head) {
      dl.push(h('dt', {}, 'Log'), h('dd', {}, h('code', {}, head.origin)));
      dl.push(h('dt', {}, 'Size'), h('dd', {}, `${head.size} events`));
      dl.push(h('dt', {}, 'Root'), h('dd', {}, h('code', {class: 'hash'}, head.root)));
      dl.push(h('dt', {}, 'Key'), h('dd', {}, h('code', {class: 'hash'}, key)));
    }
    let relation = null, forked = false;
    if (head && r?.checkpoint) {
      const n = r.checkpoint.size;
      if (n === head.size) {
        forked = r.checkpoint.root !== head.root;
        relation = forked ? `What is shown is proven against a checkpoint of ${n} events whose root is not this one's, both signed by the log's key: the log forked.`
          : 'What is shown is proven against this very checkpoint.';
      } else {
        relation = `What is shown is proven against an ${n < head.size ? 'earlier' : 'newer'} checkpoint of ${n} events, signed by the same key.`;
      }
    }
    replace(cpBox, h('h2', {id: 'cp-title'}, 'The log now'),
      head ? h('p', {class: 'ok'}, '✓ Signature checked in this browser (Ed25519)') : h('p', {class: 'bad'}, key ? 'The current checkpoint does not verify.' : 'Reading the checkpoint…'),
      dl.length ? h('dl', {class: 'kv'}, dl) : null,
      relation ? h('p', {class: forked ? 'bad' : 'hint', id: 'public-relation'}, relation) : null);
  }

  async function loadHead() {
    try {
      const [k, cp] = await Promise.all([fetchPublic('/log/key', 'text'), fetchPublic('/log/checkpoint', 'text')]);
      key = k.trim();
      head = await checkCurrent(cp, key);
    } catch (e) {
      head = null;
      replace(cpBox, h('h2', {id: 'cp-title'}, 'The log now'), h('p', {class: 'bad'}, `The current checkpoint cannot be checked: ${e.message}`));
      return;
    }
    drawCheckpoint();
  }

  async function open(kind, id) {
    current = {kind, id};
    history.replaceState(null, '', `/console/public?${kind}=${encodeURIComponent(id)}`);
    drawList();
    replace(title, `${kindLabel[kind] || kind} `, h('span', {class: 'subject'}, id));
    note.textContent = '';
    download.hidden = again.hidden = true;
    tv.clear('Reading the published timeline…');
    let pt;
    try {
      pt = await fetchPublic(`/public/v1/timelines/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`);
    } catch (e) {
      tv.clear(e.status === 404 ? `The timeline of ${kind} ${id} is not published.` : `It cannot be read: ${e.message}`);
      return;
    }
    if (current?.id !== id) return;
    const p = pt.publication;
    note.textContent = `${p.title ? p.title + ' · ' : ''}published ${new Date(p.published).toLocaleString('en-GB')} by ${byText(p.by)}${p.times > 1 ? ` — published ${p.times} times` : ''}.`;
    download.href = `/public/v1/timelines/${encodeURIComponent(kind)}/${encodeURIComponent(id)}/bundle`;
    download.hidden = again.hidden = false;
    await loadHead();
    await tv.show({timeline: pt.timeline, bundle: pt.bundle, trustedKey: key});
  }

  keys.setView('Published timelines', [
    {key: 'j', alt: ['ArrowDown'], label: 'Next event', run: () => tv.step(1)},
    {key: 'k', alt: ['ArrowUp'], label: 'Previous event', run: () => tv.step(-1)},
    {key: 'r', label: 'Read the timeline and check it again', run: () => current && open(current.kind, current.id)},
    {key: 'f', label: 'Check a bundle file', run: () => document.getElementById('public-file').click()},
  ]);

  (async () => {
    await loadHead();
    try {
      list = (await fetchPublic('/public/v1/timelines')).timelines;
    } catch (e) {
      replace(recs, h('li', {class: 'empty'}, `The list cannot be read: ${e.message}`));
      return;
    }
    drawList();
    const q = new URLSearchParams(location.search);
    const want = q.get('request') ? ['request', q.get('request')] : q.get('incident') ? ['incident', q.get('incident')] : null;
    if (want) open(...want);
    else if (list.length) open(list[0].kind, list[0].id);
    else tv.clear('Nothing is published yet. When an agency publishes a timeline, it appears here, and this page checks it.');
  })();
  return () => {};
}
