// views/supervise/scenario.js — the button that plays a scenario the
// server offers (the reference scenario under tenfour demo), and where it
// stands.

import {get, post, seg} from '../../api.js';
import {h, replace, clockTime} from '../../dom.js';
import {scenarioTitle, scenarioAbout} from './words.js';

// scenarioButton returns the scenarios' box, empty and hidden until read,
// its read function and its stop function.
export function scenarioButton(ctx) {
  const scenarioBox = h('div', {class: 'sv-scenario', id: 'scenario', hidden: true});
  let scenarioPoll = null;
  async function readScenarios() {
    clearTimeout(scenarioPoll);
    let list;
    try {
      list = (await get('/scenarios')).scenarios || [];
    } catch {
      list = [];
    }
    scenarioBox.hidden = !list.length;
    replace(scenarioBox, list.map((s) => h('div', {class: 'scenario-row'},
      h('span', {class: 'hint', id: `scenario-${s.name}`, role: 'status'}, s.playing
        ? `Playing since ${clockTime(s.started)} (started by ${s.by})`
        : s.ended ? `Last played ${clockTime(s.ended)}${s.error ? `; it failed: ${s.error}` : ''}` : 'Demo'),
      h('button', {type: 'button', class: 'ghost', id: `play-${s.name}`, disabled: s.playing, title: scenarioAbout[s.name] || s.name,
        onclick: () => play(s.name)}, s.playing ? `Playing ${scenarioTitle[s.name] || s.name}…` : `Play ${scenarioTitle[s.name] || s.name}`))));
    if (list.some((s) => s.playing)) scenarioPoll = setTimeout(readScenarios, 3000);
  }
  async function play(name) {
    try {
      await post(`/scenarios/${seg(name)}`);
      ctx.announce(`Scenario ${name} started`);
    } catch (e) {
      ctx.toast(e.message, 'error');
    }
    readScenarios();
  }

  return {el: scenarioBox, read: readScenarios, stop: () => clearTimeout(scenarioPoll)};
}
