// views/partners.js — the Partners view (docs/federation.md, "The
// federation's status"): this installation's log, the newest of its
// checkpoints that witnesses cosigned and who cosigned it, and each partner
// installation (peer) with the size of its log this installation's witness
// cosigned, when, and the forks it caught. All of it is the server's
// account (GET /api/v1/federation), read again when a peer.* or witness.*
// event arrives and every 30 s: what the witness holds changes without
// events (each cosigned checkpoint is a row of the store, not of the log).

import {get} from '../api.js';
import {h, replace, clockTime} from '../dom.js';
import * as keys from '../keys.js';

// refreshMs is how often the view reads the status again by itself.
export const refreshMs = 30000;

// when formats a time as the local date and wall clock.
function when(t) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString('en-GB', {day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

// cosignerName names a cosigner's key by the peer whose witness it is, if
// any: its witness key's name, or its origin followed by /witness, as
// tenfour names its witness.
export function cosignerName(name, peers) {
  const p = peers.find((x) => (x.witness_key && x.witness_key.startsWith(name + '+')) || x.origin + '/witness' === name);
  return p ? {peer: p.name, key: name} : {peer: '', key: name};
}

export function mount(root, ctx) {
  const status = h('p', {class: 'pt-status', id: 'partners-status', 'aria-live': 'polite'}, 'Reading…');
  const own = h('section', {class: 'panel pt-own', id: 'partners-own', 'aria-labelledby': 'partners-own-title'});
  const peersBox = h('section', {class: 'panel pt-peers', id: 'partners-peers', 'aria-labelledby': 'partners-peers-title'});
  replace(root, h('div', {class: 'partners'},
    h('header', {class: 'pt-head'},
      h('h1', {id: 'partners-title'}, 'Partners'),
      h('p', {class: 'hint'}, 'This installation\'s log, the witnesses that hold it to its history, and the partner installations whose logs it witnesses.'),
      h('button', {type: 'button', id: 'partners-reload', onclick: () => read()}, 'Read again ', h('kbd', {}, 'r')),
      status),
    own, peersBox));

  let reading = null;
  let again = false;
  // read reads the status; one read at a time, and one more after it if
  // asked meanwhile.
  async function read() {
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      try {
        const f = await get('/federation');
        draw(f);
        status.classList.remove('error');
        status.textContent = `Read at ${clockTime(new Date().toISOString())}.`;
      } catch (e) {
        status.classList.add('error');
        status.textContent = `The federation's status cannot be read: ${e.message}`;
      }
    })();
    await reading;
    reading = null;
    if (again) {
      again = false;
      return read();
    }
  }

  function draw(f) {
    const peers = f.peers || [];
    const c = f.cosigned;
    replace(own,
      h('h2', {id: 'partners-own-title'}, 'This installation'),
      h('dl', {class: 'pt-facts'},
        h('dt', {}, 'Log'), h('dd', {class: 'mono', id: 'partners-origin'}, f.origin),
        f.witness_key ? [h('dt', {}, 'Its witness\'s key'), h('dd', {class: 'mono key'}, f.witness_key)] : null,
        h('dt', {}, 'Newest cosigned checkpoint'),
        h('dd', {id: 'partners-cosigned'}, !c ? h('span', {class: 'muted'}, 'None yet: no witness has cosigned a checkpoint of this log.') : [
          h('strong', {}, `${c.size} events`), ` · cosigned ${when(c.time)}`,
          h('ul', {class: 'pt-cosigners', 'aria-label': 'Cosigned by'}, c.cosigners.length ? c.cosigners.map((n) => {
            const who = cosignerName(n, peers);
            return h('li', {}, who.peer ? [h('strong', {}, who.peer), ' ', h('span', {class: 'mono muted'}, who.key)] : h('span', {class: 'mono'}, who.key));
          }) : h('li', {class: 'muted'}, 'no witness'))])));

    replace(peersBox,
      h('h2', {id: 'partners-peers-title'}, 'Partner installations ', h('span', {class: 'count'}, `(${peers.length})`)),
      !peers.length ? h('p', {class: 'muted', id: 'partners-none'}, 'No partner installation yet. An installation administrator adds one (tenfour peer add, or POST /api/v1/peers).') :
        h('table', {class: 'pt-table', id: 'partners-table'},
          h('caption', {class: 'sr-only'}, 'Partner installations and what this installation\'s witness holds of their logs'),
          h('thead', {}, h('tr', {}, ['Partner', 'Log', 'URL', 'Witnessed', 'Forks', 'Messages to it'].map((t) => h('th', {scope: 'col'}, t)))),
          h('tbody', {}, peers.map(peerRow))));
  }

  // peerRow is a peer's row: its name and how its witness's key is known,
  // its log, its URL, what this witness cosigned of its log, and its forks.
  function peerRow(p) {
    const keyed = p.witness_key
      ? h('span', {class: 'pt-keyed', title: `Its witness's key is named: ${p.witness_key}`}, 'witness key named')
      : h('span', {class: 'pt-keyed tofu', title: 'Its witness\'s key was taken as it served it, on first use'}, 'witness key on first use');
    const witnessed = p.witnessed
      ? [h('strong', {}, `${p.witnessed.size} events`), h('span', {class: 'muted'}, ` · ${when(p.witnessed.time)}`)]
      : h('span', {class: 'muted'}, 'not yet');
    const forks = `${p.forks} fork${p.forks === 1 ? '' : 's'}`;
    const forkMark = p.forks
      ? h('span', {class: 'fork-mark', role: 'img', 'aria-label': `${forks} recorded`,
        title: 'Checkpoints of its log that contradict the one this witness cosigned: kept as evidence'}, `⚠ ${forks}`)
      : h('span', {class: 'muted'}, 'none');
    // The outbox: delivered in order up to an event of this log, or stuck
    // on one that fails (a partner down is an unanswered partner: its
    // requests escalate at their deadlines meanwhile).
    const ob = p.outbox;
    const messages = !ob ? h('span', {class: 'muted'}, 'none sent yet')
      : ob.failing_since ? h('span', {class: 'pt-failing', title: ob.last_error || ''},
        `⚠ failing since ${when(ob.failing_since)} (${ob.attempts} attempt${ob.attempts === 1 ? '' : 's'}), at event ${ob.next}`)
        : h('span', {}, 'delivered', h('span', {class: 'muted'}, ` · up to event ${ob.next}`));
    return h('tr', {dataset: {peer: p.name}, class: [p.forks ? 'forked' : '', ob?.failing_since ? 'failing' : ''].join(' ').trim() || null},
      h('th', {scope: 'row', class: 'pt-name'}, p.name, keyed),
      h('td', {class: 'mono'}, p.origin),
      h('td', {class: 'mono'}, p.url),
      h('td', {class: 'pt-witnessed'}, witnessed),
      h('td', {class: 'pt-forks'}, forkMark),
      h('td', {class: 'pt-outbox'}, messages));
  }

  const unwatch = ctx.store.watch?.((ev) => {
    const t = ev.data?.type || '';
    if (t.startsWith('peer.') || t.startsWith('witness.')) read();
  });
  const every = setInterval(read, refreshMs);
  keys.setView('Partners', [
    {key: 'r', label: 'Read the federation\'s status again', run: () => read()},
  ]);
  read();
  return () => {
    unwatch?.();
    clearInterval(every);
  };
}
