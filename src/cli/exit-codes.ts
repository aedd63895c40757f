import { ConfigError } from '../config';
import { ArmsgraphError, ErrorCode } from '../errors';
import { SeedError } from '../seed/seed-plan';

/**
 * Exit codes the CLI promises (README, "CLI"): scripts branch on them, so every command maps its
 * failures through `exitCodeOf` and nowhere else.
 */
export const EXIT = {
  OK: 0,
  /** The work failed: an unknown entity, a broken seed, a file that is not a SIPRI export, a bug. */
  FAILED: 1,
  /** Bad options or arguments: nothing was started. */
  USAGE: 2,
  /** The environment: bad configuration, Neo4j unreachable or busy, java missing, port in use. */
  ENVIRONMENT: 3,
  /** An import wrote what it could and rejected some rows (listed with their line numbers). */
  PARTIAL: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A usage error found by a command itself (a value commander cannot check). */
export class UsageError extends Error {
  override name = 'UsageError';
}

const SYSTEM_ENVIRONMENT = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof ConfigError) return EXIT.ENVIRONMENT;
  if (err instanceof ArmsgraphError) {
    if (err.code === ErrorCode.BAD_USER_INPUT) return EXIT.USAGE;
    if (err.code === ErrorCode.DATABASE_UNAVAILABLE) return EXIT.ENVIRONMENT;
    return EXIT.FAILED;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SYSTEM_ENVIRONMENT.has(code) && (err as { syscall?: string }).syscall)
    return (err as { syscall?: string }).syscall === 'listen' ? EXIT.ENVIRONMENT : EXIT.FAILED;
  return EXIT.FAILED;
}

/** The one line a failure prints (no stack trace: `--verbose` adds it). */
export function failureMessage(err: unknown): string {
  if (err instanceof SeedError) return `the seed is broken, nothing was written: ${err.message}`;
  if (err instanceof ArmsgraphError) return `${err.code}: ${err.message}`;
  const e = err as { code?: unknown; syscall?: string; address?: string; port?: number; path?: string };
  if (e?.code === 'EADDRINUSE' && e.syscall === 'listen')
    return `port ${e.port ?? '?'} is already in use (${e.address ?? 'any address'}): stop what holds it or pass --port`;
  if (e?.code === 'ENOENT' && e.syscall === 'open') return `no such file: ${e.path ?? '?'}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
