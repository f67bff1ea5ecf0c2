/**
 * A user of the bench's IdP whose password is stored as Keycloak 24 (and any FIPS Keycloak) stores it by default:
 * PBKDF2-SHA512 with 210,000 iterations. Keycloak 25+ uses Argon2id instead, of similar cost by design.
 */
export const HASHED_USER = {
  username: 'hashed-alice',
  password: 'hashed-alice-password',
  algorithm: 'pbkdf2-sha512',
  iterations: 210_000,
} as const;
