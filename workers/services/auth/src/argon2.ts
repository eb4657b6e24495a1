/**
 * argon2id from @phi-ag/argon2's WebAssembly build, imported as a precompiled module (workerd
 * forbids compiling WebAssembly at run time).
 *
 * The package's JS wrapper passes `password.length` (UTF-16 code units) as the password's byte
 * length, so any non-ASCII password would be hashed truncated. This file calls the module's C API
 * (the argon2 reference `argon2_hash` / `argon2_verify`) with the exact UTF-8 bytes instead.
 */
import argon2Module from '@phi-ag/argon2/argon2.wasm';
import type { Argon2Params } from './config.ts';

interface Argon2Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  argon2_encodedlen(t: number, m: number, p: number, saltLen: number, hashLen: number, type: number): number;
  argon2_hash(
    t: number,
    m: number,
    p: number,
    pwd: number,
    pwdLen: number,
    salt: number,
    saltLen: number,
    hash: number,
    hashLen: number,
    encoded: number,
    encodedLen: number,
    type: number,
    version: number,
  ): number;
  argon2_verify(encoded: number, pwd: number, pwdLen: number, type: number): number;
  argon2_error_message(code: number): number;
}

const ARGON2ID = 2;
const VERSION_13 = 0x13;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const ARGON2_VERIFY_MISMATCH = -35;

export class Argon2id {
  private constructor(private readonly x: Argon2Exports) {}

  static async load(): Promise<Argon2id> {
    const instance = await WebAssembly.instantiate(argon2Module, {});
    const x = instance.exports as unknown as Argon2Exports;
    x._initialize();
    return new Argon2id(x);
  }

  /** Hashes UTF-8 bytes; returns the PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
  hash(password: Uint8Array, p: Argon2Params): string {
    const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    const encodedLen = this.x.argon2_encodedlen(
      p.iterations,
      p.memoryKib,
      p.parallelism,
      SALT_BYTES,
      HASH_BYTES,
      ARGON2ID,
    );
    return this.withHeap([password, salt, HASH_BYTES, encodedLen], ([pwd, s, out, enc]) => {
      const code = this.x.argon2_hash(
        p.iterations,
        p.memoryKib,
        p.parallelism,
        pwd,
        password.length,
        s,
        SALT_BYTES,
        out,
        HASH_BYTES,
        enc,
        encodedLen,
        ARGON2ID,
        VERSION_13,
      );
      if (code !== 0) throw new Error(`argon2_hash failed: ${this.message(code)}`);
      return new TextDecoder().decode(this.heap().subarray(enc, enc + encodedLen - 1));
    });
  }

  /** Constant-time comparison inside the module; false on a mismatch, throws on a malformed hash. */
  verify(encoded: string, password: Uint8Array): boolean {
    const enc = new TextEncoder().encode(`${encoded}\0`);
    return this.withHeap([enc, password], ([e, pwd]) => {
      const code = this.x.argon2_verify(e, pwd, password.length, ARGON2ID);
      if (code === 0) return true;
      if (code === ARGON2_VERIFY_MISMATCH) return false;
      throw new Error(`argon2_verify failed: ${this.message(code)}`);
    });
  }

  private heap() {
    return new Uint8Array(this.x.memory.buffer);
  }

  private message(code: number): string {
    const heap = this.heap();
    const start = this.x.argon2_error_message(code);
    let end = start;
    while (heap[end]) end++;
    return new TextDecoder().decode(heap.subarray(start, end));
  }

  /** Copies inputs into module memory (numbers reserve that many bytes), runs fn, wipes and frees. */
  private withHeap<const N extends (Uint8Array | number)[], T>(
    inputs: N,
    fn: (ptrs: { [K in keyof N]: number }) => T,
  ): T {
    const sizes = inputs.map((i) => (typeof i === 'number' ? i : i.length) || 1);
    const ptrs = sizes.map((n) => this.x.malloc(n));
    try {
      inputs.forEach((input, i) => {
        if (typeof input !== 'number') this.heap().set(input, ptrs[i]!);
      });
      return fn(ptrs as { [K in keyof N]: number });
    } finally {
      ptrs.forEach((ptr, i) => {
        this.heap().fill(0, ptr, ptr + sizes[i]!);
        this.x.free(ptr);
      });
    }
  }
}
