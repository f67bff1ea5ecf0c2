/** The user card: who the caller is, as `/me`, login and the SDK show it, whatever the identity provider. */
export interface User {
  sub: string;
  username: string;
  email: string | null;
  name: string | null;
  roles: string[];
}
