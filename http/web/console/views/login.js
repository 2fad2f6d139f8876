// views/login.js — signing in: username and password, then the one-time
// code when the server asks for it (otp_required: supervisors and
// administrators have a second factor). POST /api/v1/auth/login sets the
// session cookie.

import {post} from '../api.js';
import {h, replace} from '../dom.js';

export function mount(root, ctx) {
  const error = h('p', {class: 'form-error', role: 'alert', id: 'login-error'});
  const user = h('input', {id: 'login-user', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'login-error'});
  const pass = h('input', {id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password',
    required: true, 'aria-describedby': 'login-error'});
  const otp = h('input', {id: 'login-otp', name: 'otp', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: '6', 'aria-describedby': 'login-otp-hint login-error'});
  const otpRow = h('div', {class: 'field', hidden: true},
    h('label', {for: 'login-otp'}, 'One-time code'), otp,
    h('p', {class: 'hint', id: 'login-otp-hint'}, 'The six digits your authenticator shows for tenfour now.'));
  const submit = h('button', {type: 'submit', class: 'primary big'}, 'Sign in');
  const form = h('form', {class: 'login-form', novalidate: true},
    h('div', {class: 'field'}, h('label', {for: 'login-user'}, 'Username'), user),
    h('div', {class: 'field'}, h('label', {for: 'login-pass'}, 'Password'), pass),
    otpRow, error, submit);
  const expired = new URLSearchParams(location.search).has('expired');
  const demoHint = h('p', {class: 'notice-demo', hidden: true},
    'This is the demo city: its users, passwords and second-factor secrets are in DATA/demo-credentials.txt, ',
    'and tenfour demo printed them.');
  replace(root, h('section', {class: 'login panel', 'aria-labelledby': 'login-title'},
    h('h1', {id: 'login-title'}, 'Sign in to tenfour'),
    // The system use notification (CJIS Security Policy AC-8).
    h('p', {class: 'use-notice', id: 'use-notice'}, 'For authorised users of the agencies on this system only. ',
      'Everything you do here — sign-ins included — is recorded with your name in a log that can be verified later. ',
      'Signing in means you accept this.'),
    expired ? h('p', {class: 'notice'}, 'Your session ended. Sign in again.') : null,
    form,
    demoHint,
    h('p', {class: 'hint'}, 'Ask your agency\'s administrator for an account. ',
      h('a', {href: '/'}, 'The public status page'), ' needs none.')));
  // The demo city's log is named tenfour.demo/log (tenfour demo): there,
  // say where its users are.
  fetch('/log/checkpoint', {cache: 'no-store'}).then((r) => (r.ok ? r.text() : '')).then((cp) => {
    if (cp.startsWith('tenfour.demo/')) demoHint.hidden = false;
  }).catch(() => {});

  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    error.textContent = '';
    if (!user.value || !pass.value) {
      error.textContent = 'Give your username and password.';
      (user.value ? pass : user).focus();
      return;
    }
    if (!otpRow.hidden && !/^\d{6}$/.test(otp.value)) {
      error.textContent = 'The one-time code is six digits.';
      otp.focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const body = {username: user.value.trim(), password: pass.value};
      if (!otpRow.hidden) body.otp = otp.value;
      const who = await post('/auth/login', body, {quiet401: true});
      await ctx.signedIn(who);
    } catch (e) {
      if (e.code === 'otp_required') {
        otpRow.hidden = false;
        user.readOnly = true;
        pass.readOnly = true;
        error.textContent = '';
        submit.textContent = 'Sign in with the code';
        otp.focus();
      } else {
        error.textContent = e.message;
        if (!otpRow.hidden) {
          otp.value = '';
          otp.focus();
        } else {
          pass.select();
          pass.focus();
        }
      }
    } finally {
      busy = false;
      submit.disabled = false;
      if (submit.textContent === 'Signing in…') submit.textContent = otpRow.hidden ? 'Sign in' : 'Sign in with the code';
    }
  });
  user.focus();
}
