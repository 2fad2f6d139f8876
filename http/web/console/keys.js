// keys.js — keyboard shortcuts: one table per view plus the global ones,
// the same table answering the keys and drawing the help overlay (?), so
// that the help never lists a key that does nothing.
//
// A shortcut is a single key pressed outside a text field (with no Ctrl,
// Alt or Meta), or a key with "ctrl+" that works everywhere.

import {h, replace, typing} from './dom.js';

let globalKeys = [];
let viewKeys = [];
let viewName = '';

// setGlobal sets the shortcuts of every view.
export function setGlobal(bindings) {
  globalKeys = bindings;
}

// setView sets the shortcuts of the view now shown; name heads its part of
// the help.
export function setView(name, bindings) {
  viewName = name;
  viewKeys = bindings;
}

function matches(b, ev) {
  const want = b.key.toLowerCase();
  if (want.startsWith('ctrl+')) return (ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === want.slice(5);
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return false;
  return ev.key === b.key || (b.alt && b.alt.includes(ev.key));
}

export function install() {
  document.addEventListener('keydown', (ev) => {
    if (ev.defaultPrevented || ev.isComposing) return;
    if (document.querySelector('dialog[open]') && ev.key !== 'Escape') {
      // A dialog keeps its keys to itself, but Ctrl shortcuts it declares.
      return;
    }
    for (const b of [...viewKeys, ...globalKeys]) {
      if (!matches(b, ev)) continue;
      if (typing(ev) && !b.key.startsWith('ctrl+') && !(b.inFields && ev.key === b.key)) continue;
      if (b.when && !b.when()) continue;
      ev.preventDefault();
      b.run(ev);
      return;
    }
  });
}

// renderHelp fills the help overlay from the tables.
export function renderHelp(body) {
  const table = (caption, bindings) => h('table', {class: 'keys'},
    h('caption', {}, caption),
    h('tbody', {}, bindings.filter((b) => b.label).map((b) =>
      h('tr', {}, h('th', {scope: 'row'}, keyNames(b)), h('td', {}, b.label)))));
  replace(body,
    viewKeys.length ? table(viewName, viewKeys) : null,
    table('Everywhere', globalKeys),
    h('p', {class: 'hint'}, 'Single-letter keys work when no text field has the focus; Esc leaves a field or closes a dialog.'));
}

function keyNames(b) {
  const names = [b.key, ...(b.alt || [])].map((k) => k.replace('ctrl+', 'Ctrl+').replace(/^ $/, 'Space'));
  return names.flatMap((k, i) => [i ? ' or ' : null, h('kbd', {}, k)]);
}
