/**
 * Brute-force protection beyond the gateway's per-IP rate limit, in LoginGuard Durable Objects.
 * Failed sign-ins are counted per client bucket (an IPv4 address or an IPv6 /64) against one
 * account, and per client bucket across all accounts; either past its limit is locked out for a
 * growing time. The account itself is locked only when many distinct buckets fail against it
 * (a distributed attack), and a completed password reset lifts that lock: a few wrong passwords
 * from anywhere can slow the guesser down but never keep the owner out.
 *
 * A lockout answers 429 with Retry-After. It is keyed by the email as typed (normalized), not by
 * the account, so an unregistered email locks exactly like a registered one: the answer reveals
 * nothing about which emails exist.
 */
import { clientBucket } from '../../../lib/client-ip.ts';
import { sha256Hex } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import { config } from './config.ts';
import type { Env } from './env.ts';
import { normalizeEmail } from './users.ts';

export interface LoginTicket {
  /** The password was right: wipe this bucket's failures against the account, give the rest back. */
  succeeded(): Promise<void>;
}

function guardOf(env: Env, subject: string) {
  return env.LOGIN_GUARD.get(env.LOGIN_GUARD.idFromName(subject));
}

async function guardsOf(env: Env, email: string, ip: string) {
  const account = await sha256Hex(normalizeEmail(email));
  const bucket = clientBucket(ip);
  return {
    bucket,
    pair: guardOf(env, `pair:${account}:${bucket}`),
    ip: guardOf(env, `ip:${bucket}`),
    account: guardOf(env, `account:${account}`),
  };
}

export function lockedOut(retryAfterSec: number, accountWide = false): Problem {
  const detail = accountWide
    ? `Too many failed sign-in attempts for this account from many networks; try again in ${retryAfterSec} s, ` +
      'or reset the password, which lifts the lock at once.'
    : `Too many failed sign-in attempts; try again in ${retryAfterSec} s.`;
  return new Problem('rate_limited', detail, { headers: { 'Retry-After': String(retryAfterSec) } });
}

/** Counts the attempt against every subject, or throws 429 when one of them is locked out. */
export async function admitLogin(env: Env, email: string, ip: string): Promise<LoginTicket> {
  const { pairGuard, ipGuard, accountGuard } = config(env);
  const g = await guardsOf(env, email, ip);
  const [pair, byIp, account] = await Promise.all([
    g.pair.attempt(pairGuard),
    g.ip.attempt(ipGuard),
    g.account.attemptFrom(g.bucket, accountGuard),
  ]);
  if (!pair.allowed || !byIp.allowed || !account.allowed) {
    // Whichever subject admitted the attempt counted it; no password was checked, so give it back.
    await Promise.all([
      pair.allowed ? g.pair.refund(pairGuard) : undefined,
      byIp.allowed ? g.ip.refund(ipGuard) : undefined,
      account.allowed ? g.account.refundFrom(g.bucket, accountGuard) : undefined,
    ]);
    const retryAfter = Math.max(pair.retryAfterSec, byIp.retryAfterSec, account.retryAfterSec);
    throw lockedOut(retryAfter, !account.allowed);
  }
  return {
    async succeeded() {
      // The account's spread keeps the other sources: a success here does not excuse a botnet.
      await Promise.all([
        g.pair.succeeded(),
        g.ip.refund(ipGuard),
        g.account.refundFrom(g.bucket, accountGuard),
      ]);
    },
  };
}

/**
 * A completed password reset proves control of the mailbox: lift the account's lock and the lock
 * of the address the reset was completed from.
 */
export async function clearAccount(env: Env, email: string, ip: string): Promise<void> {
  const g = await guardsOf(env, email, ip);
  await Promise.all([g.account.succeeded(), g.pair.succeeded()]);
}
