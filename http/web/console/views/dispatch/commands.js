// views/dispatch/commands.js — the dispatcher's command line: n new,
// d dispatch, c clear, note, merge and link, hazard, s status, #42 to
// select; each says in the line below what it did or why not.

import {post, seg} from '../../api.js';
import {statusLabel, statusCode, statusByCode} from '../../lifecycle.js';

// commandLine runs the lines typed in view.cmd (views/dispatch.js).
export function commandLine(view) {
  const {store, cmd, cmdInput, queue} = view;

  // --- the command line -----------------------------------------------------------
  function findIncident(word) {
    const n = word.replace(/^#/, '');
    const all = [...store.incidents.values()];
    return all.find((i) => i.id === n) || all.find((i) => i.id.endsWith('-' + n.padStart(6, '0')));
  }
  function unitIds(words) {
    const ids = [];
    for (const w of words) {
      const u = store.unitByCallSign(w);
      if (!u) {
        view.say(`No unit with call sign ${w}.`, true);
        return null;
      }
      ids.push(u.id);
    }
    return ids;
  }
  async function run(line) {
    const [verb, ...args] = line.trim().split(/\s+/);
    const rest = line.trim().slice(verb.length).trim();
    const v = verb.toLowerCase();
    if (!v) return;
    if (v === '?' || v === 'help') return document.getElementById('help-open').click();
    if (v === 'n' || v === 'new') return view.openNew(rest);
    if (v.startsWith('#') || v === 'i') {
      const i = findIncident(v === 'i' ? args[0] || '' : v);
      return i ? (view.select(i.id), view.say(`Showing ${i.id}`)) : view.say(`No incident ${v === 'i' ? args[0] : v}.`, true);
    }
    if (v === 'm' || v === 'map') return view.map.focus();
    if (v === 'd' || v === 'dispatch') {
      if (!args.length) return view.dispatchTop();
      if (!view.selected) return view.say('Select an incident first (j, k or #number).', true);
      const ids = unitIds(args);
      return ids && view.dispatch(view.selected, ids);
    }
    if (v === 'c' || v === 'clear') {
      if (!view.selected) return view.say('Select an incident first.', true);
      return view.clearIncident(view.selected, rest);
    }
    if (v === 'note' || v === 'o') {
      if (!view.selected) return view.say('Select an incident first.', true);
      if (!rest) return view.say('Write the note after the word: note caller called back', true);
      return view.act(`Note added to ${view.shortId(view.selected)}`, () => post(`/incidents/${seg(view.selected)}/notes`, {text: rest}))
        .then((ok) => ok && view.fetchFull(view.selected));
    }
    if (v === 'merge' || v === 'link') {
      // merge #42 reason…: merge the selected incident into 42;
      // link #42 parent|child|related reason…: link 42 to the selected one.
      if (!view.selected) return view.say('Select an incident first.', true);
      const [other, ...more] = args;
      const target = other && findIncident(other);
      const relation = v === 'link' ? more.shift() : '';
      const reason = more.join(' ');
      if (!target || !reason || (v === 'link' && !['parent', 'child', 'related'].includes(relation))) {
        return view.say(v === 'merge' ? 'Write merge #NUMBER reason: merges the selected incident into that one.'
          : 'Write link #NUMBER parent|child|related reason: what that incident is to the selected one.', true);
      }
      if (v === 'merge') {
        return view.act(`Merged ${view.shortId(view.selected)} into ${view.shortId(target.id)}`,
          () => post(`/incidents/${seg(view.selected)}/merge`, {into: target.id, reason})).then((ok) => ok && view.select(target.id));
      }
      return view.act(`Linked ${view.shortId(target.id)} as ${relation} of ${view.shortId(view.selected)}`,
        () => post(`/incidents/${seg(view.selected)}/links`, {incident: target.id, relation, reason})).then((ok) => ok && view.fetchFull(view.selected));
    }
    if (v === 'hazard' || v === 'hz') {
      // hazard TEXT: a premise record at the selected incident's place
      // (or one to place), with TEXT as its first flag's text.
      return view.openPremise(view.selected ? store.incidents.get(view.selected) : null, rest);
    }
    if (v === 's' || v === 'status') {
      const [cs, ...st] = args;
      const u = cs && store.unitByCallSign(cs);
      const status = st.length && statusByCode(st.join('_'));
      if (!u || !status) return view.say('Write s CALLSIGN STATUS, for example s 1A12 av (AV ER OS TR BZ OOS EM).', true);
      // The statuses the server says the unit may go to now; when they are
      // being read again, the server decides alone.
      const next = await store.nextStatusesRead(u.id);
      if (next && status !== u.status && !next.includes(status)) {
        return view.say(`${u.call_sign} is ${statusLabel(u.status)} and cannot go ${statusLabel(status)}; it can go ` +
          `${next.map((x) => `${statusLabel(x)} (${statusCode(x)})`).join(', ') || 'nowhere by a status change'}.`, true);
      }
      return view.act(`${u.call_sign} is ${statusLabel(status)}`, async () => store.takeUnit(await post(`/units/${seg(u.id)}/status`, {status})));
    }
    view.say(`Unknown command ${verb}; ? lists them.`, true);
  }
  cmd.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const line = cmdInput.value;
    cmdInput.value = '';
    run(line);
  });
  cmdInput.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      cmdInput.value = '';
      cmdInput.blur();
      queue.focus();
    }
  });
}
