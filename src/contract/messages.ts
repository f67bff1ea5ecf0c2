/**
 * The `message` of the success answers. Older token-mode clients compare these strings, so they are part of the
 * contract and never reworded.
 */
export const SUCCESS_MESSAGES = {
  login: 'Login successful',
  refresh: 'Token refreshed successfully',
  logout: 'Logged out',
  register: 'Registration successful',
} as const;

export type SuccessMessages = typeof SUCCESS_MESSAGES;
