// The demo SPA: everything it knows about authentication comes from authgate/client, bundled at /demo/authgate-client.js.
import { createAuthClient } from '/demo/authgate-client.js';

const auth = createAuthClient({ baseURL: '', mode: 'session' });
const $ = (id) => document.getElementById(id);

// What a user should read for each contract code; anything else shows the gateway's own message.
const MESSAGES = {
  invalid_credentials: 'Wrong username or password.',
  account_disabled: 'This account is disabled. Contact your administrator.',
  account_not_ready: 'This account must first finish setting up at the identity provider.',
  rate_limited: 'Too many attempts. Wait a moment and try again.',
  session_store_unavailable: 'The service is having trouble. You are still signed in; try again shortly.',
  idp_unavailable: 'The identity provider cannot be reached. Try again shortly.',
  registration_disabled: 'This gateway does not take new accounts.',
};

// Why a new account is not signed in yet (the answer's `login`).
const NOT_SIGNED_IN = {
  account_not_ready: 'Your account was created. Finish setting it up at the identity provider, then sign in.',
  disabled: 'Your account was created. Sign in with it.',
  failed: 'Your account was created, but signing in failed just now. Sign in with it.',
};
const FIELD_LABELS = {
  username: 'Username',
  email: 'Email',
  first_name: 'First name',
  last_name: 'Last name',
  password: 'Password',
};

function showSignedOut(status) {
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  $('status').textContent = status;
}

function showUser(user) {
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  $('status').textContent = `Signed in as ${user.username}`;
  $('user-name').textContent = user.name ?? user.username;
  $('user-email').textContent = user.email ?? '';
  $('user-roles').textContent = `Roles: ${user.roles.join(', ') || 'none'}`;
}

auth.on('refreshed', () => {
  $('refresh-note').hidden = false;
});
auth.on('loggedOut', () => showSignedOut('Signed out.'));
auth.on('sessionExpired', () => showSignedOut('Your session has ended. Please sign in again.'));

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $('login-error').hidden = true;
  try {
    const { user } = await auth.login(String(form.get('username')), String(form.get('password')));
    event.target.reset();
    showUser(user);
  } catch (err) {
    $('login-error').textContent = MESSAGES[err.code] ?? err.message;
    $('login-error').hidden = false;
  }
});

/** Each refused field's problem next to it (details.field); what belongs to no field, under the form. */
function showRegisterError(err) {
  const shown = new Set();
  for (const { field, problem } of err.details ?? []) {
    const slot = document.querySelector(`#register-form [data-field="${field}"]`);
    if (!slot) continue;
    slot.textContent = `${FIELD_LABELS[field]} ${problem}.`;
    slot.hidden = false;
    shown.add(field);
  }
  if (shown.size === 0) {
    $('register-error').textContent = MESSAGES[err.code] ?? err.message;
    $('register-error').hidden = false;
  }
}

$('register-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $('register-error').hidden = true;
  for (const slot of document.querySelectorAll('#register-form .field-error')) slot.hidden = true;
  // Empty optional names are left out rather than sent empty.
  const request = Object.fromEntries([...form.entries()].filter(([, value]) => String(value).trim() !== ''));
  try {
    const result = await auth.register(request);
    event.target.reset();
    if (result.loggedIn) showUser(result.user);
    else showSignedOut(NOT_SIGNED_IN[result.login]);
  } catch (err) {
    showRegisterError(err);
  }
});

$('code-flow').addEventListener('click', () => {
  window.location.assign(auth.loginUrl('/demo/'));
});

$('call-me').addEventListener('click', async () => {
  try {
    const user = await auth.me();
    $('me-result').textContent = JSON.stringify({ user }, null, 2);
  } catch (err) {
    $('me-result').textContent = `${err.code}: ${MESSAGES[err.code] ?? err.message}`;
  }
});

$('logout').addEventListener('click', async () => {
  try {
    await auth.logout();
  } catch (err) {
    $('status').textContent = MESSAGES[err.code] ?? err.message;
  }
});

const state = await auth.session().catch(() => ({ authenticated: false }));
if (state.authenticated) showUser(state.user);
else showSignedOut('Not signed in.');
