import pino from 'pino';

export type Logger = pino.Logger;

/** A structured JSON logger; created once by the entry point and passed to everything else. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { service: 'armsgraph' }, redact: ['req.headers.authorization', '*.password', '*.token'] },
    destination ?? pino.destination(2),
  );
}

/** For tests and library use: a logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
