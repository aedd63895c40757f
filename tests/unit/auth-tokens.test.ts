import { authenticate, loadTokens, parseToken, requireWriter } from '../../src/auth/tokens';
import { ArmsgraphError } from '../../src/errors';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof ArmsgraphError ? err.code : 'not coded';
  }
};

describe('bearer tokens', () => {
  it('reads name:secret, and a bare secret as "default"', () => {
    expect(parseToken('analyst:abc')?.name).toBe('analyst');
    expect(parseToken('abc')?.name).toBe('default');
    // A prefix that is not a plain name belongs to the secret.
    expect(parseToken('a b:c')?.name).toBe('default');
    expect(parseToken('   ')).toBeNull();
    expect(parseToken('analyst:abc')?.digest.equals(parseToken('abc')?.digest ?? Buffer.alloc(0))).toBe(true);
  });

  it('tells writers, readers and strangers apart, and keeps no secret in what it returns', () => {
    const tokens = loadTokens({ writeToken: 'analyst:w-secret', readToken: 'r-secret' });
    expect(authenticate(tokens, 'Bearer w-secret')).toEqual({ role: 'writer', tokenName: 'analyst' });
    expect(authenticate(tokens, 'bearer r-secret')).toEqual({ role: 'reader', tokenName: 'default' });
    expect(authenticate(tokens, undefined)).toEqual({ role: 'anonymous', tokenName: null });
    expect(codeOf(() => authenticate(tokens, 'Bearer nope'))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => authenticate(tokens, 'Basic dXNlcjpwYXNz'))).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(authenticate(tokens, 'Bearer w-secret'))).not.toContain('secret');
  });

  it('refuses writes: FORBIDDEN without a configured token or with the read token, UNAUTHENTICATED without one', () => {
    const none = loadTokens({ writeToken: undefined, readToken: undefined });
    expect(codeOf(() => requireWriter(none, { role: 'anonymous', tokenName: null }))).toBe('FORBIDDEN');
    const tokens = loadTokens({ writeToken: 'w', readToken: 'r' });
    expect(codeOf(() => requireWriter(tokens, { role: 'anonymous', tokenName: null }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(codeOf(() => requireWriter(tokens, { role: 'reader', tokenName: 'default' }))).toBe('FORBIDDEN');
    expect(requireWriter(tokens, { role: 'writer', tokenName: 'default' })).toBe('default');
  });
});
