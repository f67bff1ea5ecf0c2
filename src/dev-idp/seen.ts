/** One request the development IdP answered: what a test asserts as "what the provider saw". */
export interface SeenRequest {
  endpoint: 'token' | 'logout' | 'revoke' | 'userinfo' | 'introspect';
  grantType?: string;
  clientId?: string;
  status: number;
  error?: string;
  errorDescription?: string;
}
