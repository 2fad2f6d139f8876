// partner.js — how the console shows an agency of a partner installation.
// A mutual-aid plan may name an agency on a peer as `agency@peer` (sheriff
// on the installation this one calls county: `sheriff@county`,
// docs/federation.md); the console shows it as "sheriff · partner county",
// with a small badge, wherever it shows the agencies a request asked and
// their answers, and the plans. Pure display: no rule lives here.

import {h} from './dom.js';

// splitAgency returns the agency and the peer of id: {agency, peer}, with
// peer '' for an agency of this installation. Only the last '@' splits,
// and both sides must be non-empty.
export function splitAgency(id) {
  const s = String(id ?? '');
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return {agency: s, peer: ''};
  return {agency: s.slice(0, at), peer: s.slice(at + 1)};
}

// agencyText is id as plain text: the agency's name (name(id), if it
// knows one) or id, and for a partner's agency "sheriff · partner county".
export function agencyText(id, name = () => '') {
  const {agency, peer} = splitAgency(id);
  if (!peer) return name(id) || agency;
  return `${agency} · partner ${peer}`;
}

// agencyLabel is id as an element: the agency's name, and for a partner's
// agency the agency then a badge naming the partner installation.
export function agencyLabel(id, name = () => '') {
  const {agency, peer} = splitAgency(id);
  if (!peer) return h('span', {class: 'agency'}, name(id) || agency);
  return h('span', {class: 'agency partner-agency', title: `${agency}, an agency of the partner installation ${peer}`},
    agency, ' · ', h('span', {class: 'partner-badge'}, `partner ${peer}`));
}
