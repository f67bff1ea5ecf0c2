import { randomUUID } from 'node:crypto';
import { FORBIDDEN, type AdminAnswer, type UserAccess } from './admin-access.js';
import type { IdpContext } from './context.js';
import { checkPassword, type PasswordPolicy } from './password-policy.js';
import { plainPassword } from './passwords.js';
import type { User } from './realm-model.js';
import { parseUserJson } from './user-json.js';
import { validateProfile } from './user-profile.js';

// The required actions Keycloak 26.7.3 registers; any other name in a new user's list is dropped without a word.
const REQUIRED_ACTIONS = new Set([
  'CONFIGURE_TOTP',
  'TERMS_AND_CONDITIONS',
  'UPDATE_PASSWORD',
  'UPDATE_PROFILE',
  'UPDATE_EMAIL',
  'VERIFY_EMAIL',
  'VERIFY_PROFILE',
  'CONFIGURE_RECOVERY_AUTHN_CODES',
  'delete_account',
  'delete_credential',
  'update_user_locale',
  'webauthn-register',
  'webauthn-register-passwordless',
  'idp_link',
]);

/**
 * `POST /admin/realms/{realm}/users` after the caller and the realm were checked (UsersResource.createUser): the body
 * (400), manage-users (403), the user profile (400 field errors, 409 taken), then every credential against the realm's
 * password policy (400 with the policy's message); only then does the user exist, so a refused password leaves nothing
 * behind, as Keycloak's rolled-back transaction does. The new user logs in at once and holds the realm's default roles.
 */
export function createUser(
  ctx: IdpContext,
  policy: PasswordPolicy,
  access: UserAccess,
  body: string,
  location: (id: string) => string,
): AdminAnswer {
  const parsed = parseUserJson(body);
  if (!parsed.ok) return { status: 400, json: parsed.json };
  if (!access.manage) return FORBIDDEN;
  const rep = parsed.user;
  const outcome = validateProfile(ctx.realm, rep);
  if (!outcome.ok) return { status: outcome.status, json: outcome.json };
  const { profile } = outcome;

  let password: string | undefined;
  let temporary = false;
  for (const credential of rep.credentials ?? []) {
    // An empty value sets nothing (Keycloak stores a credential it cannot check later; here there is none).
    if (credential.value === undefined || credential.value === '') continue;
    const failure = checkPassword(policy, credential.value, profile);
    if (failure) return { status: 400, json: { error: failure.key, error_description: failure.text } };
    if (credential.type === undefined || credential.type === 'password') {
      password = credential.value;
      temporary = credential.temporary === true;
    }
  }

  const actions = (rep.requiredActions ?? []).filter((a) => REQUIRED_ACTIONS.has(a));
  if (temporary) actions.push('UPDATE_PASSWORD');
  const user: User = {
    id: randomUUID(),
    username: profile.username,
    email: profile.email,
    emailVerified: rep.emailVerified ?? false,
    firstName: profile.firstName,
    lastName: profile.lastName,
    enabled: rep.enabled ?? false,
    requiredActions: [...new Set(actions)],
    password: password === undefined ? undefined : plainPassword(password),
    realmRoles: [`default-roles-${ctx.realm.name}`],
    clientRoles: {},
    serviceAccountClientId: undefined,
    serviceAccountMappers: false,
    createdTimestamp: ctx.sessions.now() * 1000,
  };
  ctx.realm.addUser(user);
  return { status: 201, headers: { Location: location(user.id) } };
}
