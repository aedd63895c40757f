import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ArmsgraphError, ErrorCode } from '../errors';

/**
 * Bearer tokens. ARMSGRAPH_WRITE_TOKEN (and ARMSGRAPH_READ_TOKEN) hold `name:secret` or a bare secret
 * (named "default"); the name is what the change log records, the secret never leaves this file.
 */
export interface NamedToken {
  name: string;
  /** False for a bare secret (named "default"): its rate-limit bucket is then keyed by the secret's hash. */
  named: boolean;
  /** SHA-256 of the secret: comparisons run on equal-length digests, in constant time. */
  digest: Buffer;
}

export type Role = 'anonymous' | 'reader' | 'writer';

/** Who is calling, as far as the request's Authorization header tells. */
export interface RequestAuth {
  role: Role;
  /** The matching token's name (recorded on changes); null for anonymous callers. */
  tokenName: string | null;
}

export const ANONYMOUS: RequestAuth = { role: 'anonymous', tokenName: null };

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const sha256 = (text: string): Buffer => crypto.createHash('sha256').update(text, 'utf8').digest();

/** Parses `name:secret` or `secret`. A prefix that is not a plain name is part of the secret. */
export function parseToken(raw: string | undefined): NamedToken | null {
  if (raw === undefined || raw.trim() === '') return null;
  const colon = raw.indexOf(':');
  const prefix = colon > 0 ? raw.slice(0, colon) : '';
  const named = NAME.test(prefix) && colon < raw.length - 1;
  const name = named ? prefix : 'default';
  const secret = named ? raw.slice(colon + 1) : raw;
  return { name, named, digest: sha256(secret) };
}

export interface TokenSet {
  write: NamedToken | null;
  read: NamedToken | null;
}

export function loadTokens(auth: {
  writeToken: string | undefined;
  readToken: string | undefined;
}): TokenSet {
  return { write: parseToken(auth.writeToken), read: parseToken(auth.readToken) };
}

function matches(presented: Buffer, token: NamedToken | null): boolean {
  // Always compare, even without a token, so the time taken says nothing about what is configured.
  const equal = crypto.timingSafeEqual(presented, token?.digest ?? sha256('\0no token\0'));
  return token !== null && equal;
}

/** The bearer secret of a request, '' when absent; a malformed Authorization header is refused. */
export function bearer(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  if (!m?.[1]) throw unauthenticated('The Authorization header must be "Bearer <token>".');
  return m[1];
}

export function unauthenticated(message: string): ArmsgraphError {
  return new ArmsgraphError(ErrorCode.UNAUTHENTICATED, message);
}

/**
 * Who the request's token says the caller is. No header: anonymous. A token that matches nothing is
 * refused outright (UNAUTHENTICATED) rather than silently downgraded, so a mistyped token is noticed.
 */
export function authenticate(tokens: TokenSet, header: string | undefined): RequestAuth {
  const secret = bearer(header);
  if (secret === null) return ANONYMOUS;
  const presented = sha256(secret);
  const isWriter = matches(presented, tokens.write);
  const isReader = matches(presented, tokens.read);
  if (isWriter) return { role: 'writer', tokenName: tokens.write?.name ?? 'default' };
  if (isReader) return { role: 'reader', tokenName: tokens.read?.name ?? 'default' };
  throw unauthenticated('The bearer token is not valid.');
}

/**
 * The rate-limit client a request's token names: each configured token is its own client (by its name,
 * or by a hash of a bare secret, so two bare tokens never share a bucket). Null without a header or for
 * a token that matches nothing: the request counts against its address.
 */
export function clientIdentity(tokens: TokenSet, header: string | undefined): string | null {
  let auth: RequestAuth;
  try {
    auth = authenticate(tokens, header);
  } catch {
    return null;
  }
  const token = auth.role === 'writer' ? tokens.write : auth.role === 'reader' ? tokens.read : null;
  if (!token) return null;
  const label = token.named ? token.name : `sha256-${token.digest.toString('hex').slice(0, 16)}`;
  return `${auth.role}-token:${label}`;
}

/** Reads need the read (or write) token only when ARMSGRAPH_READ_TOKEN is set. */
export function requireReader(tokens: TokenSet, auth: RequestAuth): void {
  if (tokens.read !== null && auth.role === 'anonymous') {
    throw unauthenticated(
      'This server requires a bearer token for reads: send Authorization: Bearer <token>.',
    );
  }
}

/**
 * Writes need the write token. With no write token configured, writes are off: FORBIDDEN (no token can
 * help). Without a token, or with the read token: UNAUTHENTICATED / FORBIDDEN respectively.
 */
export function requireWriter(tokens: TokenSet, auth: RequestAuth): string {
  if (tokens.write === null) {
    throw new ArmsgraphError(
      ErrorCode.FORBIDDEN,
      'Writes are disabled on this server (ARMSGRAPH_WRITE_TOKEN is not set).',
    );
  }
  if (auth.role === 'anonymous') {
    throw unauthenticated('Writes need the write token: send Authorization: Bearer <token>.');
  }
  if (auth.role !== 'writer' || auth.tokenName === null) {
    throw new ArmsgraphError(ErrorCode.FORBIDDEN, 'This token may read but not write.');
  }
  return auth.tokenName;
}

/** The auth of an express request, as the auth middleware left it. */
export function requestAuth(req: IncomingMessage): RequestAuth {
  return (req as IncomingMessage & { armsgraphAuth?: RequestAuth }).armsgraphAuth ?? ANONYMOUS;
}
