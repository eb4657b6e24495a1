import { createLogger, type Logger } from '../../src/log.ts';

export interface MemoryLogger extends Logger {
  lines: Record<string, unknown>[];
}

/** The real logger writing into an array, so tests can assert on what operators would see. */
export function memoryLogger(): MemoryLogger {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) });
  return Object.assign(logger, { lines });
}
