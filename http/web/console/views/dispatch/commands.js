// views/dispatch/commands.js — the dispatcher's command line: n new,
// d dispatch, c clear (or c CALLSIGN reason: cancel a unit), note, merge
// and link, hazard, s status, #42 to select; each says in the line below
// what it did or why not.

import {post, seg} from '../../api.js';
import {h} from '../../dom.js';
import {statusLabel, statusCode, statusByCode} from '../../lifecycle.js';
import {cancelRule, endRule, onItsWay} from '../../release.js';

// commands are the command line's words, as the help (?) lists them.
const commands = [
  ['n [place]', 'New incident'],
  ['d', 'Dispatch the recommended unit to the selected incident'],
  ['d 1A12 1A14', 'Dispatch these units to the selected incident'],
  ['c disposition', 'Clear the selected incident (c report taken)'],
  ['c 1A12 reason', 'Cancel (disregard) a unit on its way, with the reason (also cancel or dis)'],
  ['s 1A12 av', 'Set a unit\'s status (AV ER OS TR BZ OOS EM)'],
  ['s 1A12 av reason', 'End a unit\'s EMERGENCY, with the reason: for whoever pressed it or a supervisor'],
  ['note text', 'Add a note to the selected incident'],
  ['merge #42 reason', 'Merge the selected incident into #42'],
  ['link #42 parent|child|related reason', 'Link #42 to the selected incident'],
  ['hazard text', 'Enter a hazard record at the selected incident\'s place'],
  ['#42', 'Show incident 42'],
];

// commandLine runs the lines typed in view.cmd (views/dispatch.js); it
// returns the function that stops it.
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
    // c CALLSIGN reason…, cancel or dis: a unit on its way is called back
    // (release.js). c followed by anything but such a unit's call sign
    // clears the selected incident, as it always has.
    const first = args[0] && store.unitByCallSign(args[0]);
    if (v === 'cancel' || v === 'dis' || (v === 'c' && first && onItsWay(first))) {
      if (!first) return view.say('Write c CALLSIGN reason: cancels (disregards) a unit on its way, for example c 1A12 not needed.', true);
      const rule = cancelRule(view.ctx.me, first);
      if (!rule.ok) return view.say(rule.why || `${first.call_sign} is ${statusLabel(first.status)}: only a unit on its way is cancelled, and your roles must allow it.`, true);
      const reason = args.slice(1).join(' ');
      if (!reason) return view.openCancel(first, first.incident === view.selected ? 'detail' : 'board');
      return view.act(`Cancelled ${first.call_sign}${first.incident ? ` from ${view.shortId(first.incident)}` : ''}: ${reason}`,
        async () => store.takeUnit(await post(`/units/${seg(first.id)}/cancel`, {reason})));
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
      // s CALLSIGN STATUS [reason…]: the status is the longest run of
      // words that names one (out of service), the rest the reason.
      const [cs, ...st] = args;
      const u = cs && store.unitByCallSign(cs);
      let status = null, reason = '';
      for (let k = st.length; k > 0 && !status; k--) {
        status = statusByCode(st.slice(0, k).join('_'));
        reason = st.slice(k).join(' ');
      }
      if (!u || !status) return view.say('Write s CALLSIGN STATUS, for example s 1A12 av (AV ER OS TR BZ OOS EM).', true);
      // The statuses the server says the unit may go to now; when they are
      // being read again, the server decides alone.
      const next = await store.nextStatusesRead(u.id);
      if (next && status !== u.status && !next.includes(status)) {
        return view.say(`${u.call_sign} is ${statusLabel(u.status)} and cannot go ${statusLabel(status)}; it can go ` +
          `${next.map((x) => `${statusLabel(x)} (${statusCode(x)})`).join(', ') || 'nowhere by a status change'}.`, true);
      }
      // Ending an EMERGENCY is for whoever pressed it or a supervisor, with
      // a reason: asked in the form when not typed.
      if (u.status === 'EMERGENCY' && status !== 'EMERGENCY') {
        const rule = endRule(view.ctx.me, u);
        if (!rule.ok) return view.say(`${rule.why}.`, true);
        if (!reason) return view.openEnd(u, status, u.incident && u.incident === view.selected ? 'detail' : 'board');
        return view.act(`${u.call_sign}'s EMERGENCY ended (${statusLabel(status)}): ${reason}`,
          async () => store.takeUnit(await post(`/units/${seg(u.id)}/status`, {status, reason})));
      }
      return view.act(`${u.call_sign} is ${statusLabel(status)}`, async () => store.takeUnit(await post(`/units/${seg(u.id)}/status`, reason ? {status, reason} : {status})));
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
  // The help (?) lists the command line's words after the keys.
  const helpButton = document.getElementById('help-open');
  const addHelp = () => document.getElementById('help-body')?.append(h('table', {class: 'keys', id: 'help-commands'},
    h('caption', {}, 'Command line (/)'),
    h('tbody', {}, commands.map(([c, what]) => h('tr', {}, h('th', {scope: 'row'}, h('kbd', {}, c)), h('td', {}, what))))));
  helpButton?.addEventListener('click', addHelp);
  return () => helpButton?.removeEventListener('click', addHelp);
}
