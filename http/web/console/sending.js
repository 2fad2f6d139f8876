// sending.js — the frame's status line for commands still waiting for the
// server's answer (api.js pending): "Sending…", when the next try goes, and
// a "Stop trying" for each ordinary command. An EMERGENCY press cannot be
// stopped here: it is kept on the device until the server has it
// (emergency.js).

import {pending, onPending} from './api.js';
import {h, replace} from './dom.js';

// showSending keeps el, the status line, up to date. Its summary is a
// polite live region; the countdowns beside it are not, so that a screen
// reader hears "sending" once, not every second.
export function showSending(el) {
  const summary = h('p', {class: 'sending-summary', id: 'sending-summary', 'aria-live': 'polite', 'aria-atomic': 'true'});
  const list = h('ul', {class: 'sending-list'});
  replace(el, summary, list);
  let cmds = [];
  let tick = null;
  const rows = new Map(); // command id → {li, state}

  function draw() {
    el.classList.toggle('idle', cmds.length === 0);
    list.classList.toggle('single', cmds.length === 1); // the summary names it
    const text = cmds.length === 0 ? '' : cmds.length === 1 ? `Sending ${cmds[0].label}…` : `Sending ${cmds.length} commands…`;
    if (summary.textContent !== text) summary.textContent = text;
    const now = Date.now();
    // Each command keeps its row, so that a focused "Stop trying" stays.
    for (const [id, row] of rows) {
      if (!cmds.some((c) => c.id === id)) {
        row.li.remove();
        rows.delete(id);
      }
    }
    for (const c of cmds) {
      let row = rows.get(c.id);
      if (!row) {
        row = {state: h('span', {class: 'sending-state'})};
        row.li = h('li', {class: c.critical ? 'critical' : '', 'data-command': c.id},
          h('span', {class: 'sending-label'}, c.label), ' ', row.state, ' ',
          c.critical ? h('span', {class: 'sending-kept'}, 'kept on this device until the server has it')
            : h('button', {type: 'button', class: 'ghost sending-stop', title: 'The server may still have received it',
              onclick: () => c.cancel()}, 'Stop trying'));
        rows.set(c.id, row);
        list.append(row.li);
      }
      row.state.textContent = c.nextAt
        ? `${c.lastError?.status ? `the server answered ${c.lastError.status}` : 'no answer'}; trying again in ${Math.max(0, Math.ceil((c.nextAt - now) / 1000))} s`
        : 'sending…';
    }
  }

  onPending((now) => {
    cmds = now;
    draw();
    if (cmds.length && !tick) tick = setInterval(draw, 1000);
    if (!cmds.length && tick) {
      clearInterval(tick);
      tick = null;
    }
  });
  cmds = pending();
  draw();
}
