import { Argon2id } from './argon2.ts';
import type { Argon2Params } from './config.ts';

let module: Promise<Argon2id> | undefined;

function argon2(): Promise<Argon2id> {
  module ??= Argon2id.load().catch((err) => {
    module = undefined;
    throw err;
  });
  return module;
}

/** NFC first, so the same password typed on macOS (NFD) and elsewhere hashes the same. */
function passwordBytes(password: string): Uint8Array {
  return new TextEncoder().encode(password.normalize('NFC'));
}

export async function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return (await argon2()).hash(passwordBytes(password), params);
}

export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  return (await argon2()).verify(encoded, passwordBytes(password));
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** The parameters a stored hash was made with, or undefined for anything but argon2id v1.3. */
export function hashParams(encoded: string): Argon2Params | undefined {
  const m = PHC.exec(encoded);
  if (!m) return undefined;
  return { memoryKib: Number(m[1]), iterations: Number(m[2]), parallelism: Number(m[3]) };
}

/** True when the configured cost rose above the one the hash was made with. */
export function needsRehash(encoded: string, wanted: Argon2Params): boolean {
  const had = hashParams(encoded);
  if (!had) return true;
  return (
    had.memoryKib < wanted.memoryKib ||
    had.iterations < wanted.iterations ||
    had.parallelism !== wanted.parallelism
  );
}

const dummies = new Map<string, Promise<string>>();

/**
 * Verifies against a throwaway hash made with the current parameters, so that a login for an email
 * nobody registered costs what a wrong password costs.
 */
export async function burnVerification(password: string, params: Argon2Params): Promise<false> {
  const key = `${params.memoryKib}:${params.iterations}:${params.parallelism}`;
  let dummy = dummies.get(key);
  if (!dummy) {
    const made = hashPassword(crypto.randomUUID(), params);
    dummies.set(key, made);
    made.catch(() => dummies.delete(key));
    dummy = made;
  }
  await verifyPassword(await dummy, password);
  return false;
}
