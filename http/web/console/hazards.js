// Premise hazards: the flags in force over an incident's place, as the
// incident's JSON carries them (docs/console.md, "Premise hazards"). Shown
// at the top of the officer's assignment and of the dispatcher's incident,
// because they are about the safety of those sent there.
import {h, clockTime} from './dom.js';

const labels = {
  weapons: 'Weapons', dog: 'Dog', hostile: 'Hostile to police', oxygen: 'Oxygen in use',
  'mental-health': 'Mental health', hazmat: 'Hazardous materials', access: 'Access', other: 'Caution',
};

// hazardLabel names a hazard kind for people.
export function hazardLabel(kind) {
  return labels[kind] || kind;
}

// hazardList returns the hazards as a list with the given id, or null if
// there are none. A hazard's text is absent for those who may not read it.
export function hazardList(hazards, id) {
  if (!hazards?.length) return null;
  return h('section', {class: 'hazards', id, role: 'alert', 'aria-label': 'Premise hazards'},
    h('h3', {}, '⚠ Hazards at this place'),
    h('ul', {}, hazards.map((z) => h('li', {class: `hazard hz-${z.kind}`, 'data-kind': z.kind},
      h('strong', {}, hazardLabel(z.kind)),
      z.text ? [': ', z.text] : null,
      h('span', {class: 'hz-meta'}, [z.source ? ` · ${z.source}` : '', z.place ? ` · ${z.place}` : '',
        ` · until ${new Date(z.expires).toLocaleDateString()} ${clockTime(z.expires)}`].join(''))))));
}
