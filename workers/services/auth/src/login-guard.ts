/**
 * Brute-force protection beyond the gateway's per-IP rate limit: failed sign-ins are counted per
 * account and per client IP in LoginGuard Durable Objects, and either subject past its limit is
 * locked out for a growing time.
 *
 * A lockout answers 429 with Retry-After. It is keyed by the email as typed (normalized), not by
 * the account, so an unregistered email locks exactly like a registered one: the answer reveals
 * nothing about which emails exist.
 */
import { sha256Hex } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import { config } from './config.ts';
import type { Env } from './env.ts';
import { normalizeEmail } from './users.ts';

export interface LoginTicket {
  /** The password was right: wipe the account's failures and give the IP its attempt back. */
  succeeded(): Promise<void>;
}

function guardOf(env: Env, subject: string) {
  return env.LOGIN_GUARD.get(env.LOGIN_GUARD.idFromName(subject));
}

async function accountGuardOf(env: Env, email: string) {
  return guardOf(env, `account:${await sha256Hex(normalizeEmail(email))}`);
}

export function lockedOut(retryAfterSec: number): Problem {
  return new Problem('rate_limited', `Too many failed sign-in attempts; try again in ${retryAfterSec} s.`, {
    headers: { 'Retry-After': String(retryAfterSec) },
  });
}

/** Counts the attempt against both subjects, or throws 429 when either is locked out. */
export async function admitLogin(env: Env, email: string, ip: string): Promise<LoginTicket> {
  const { accountGuard, ipGuard } = config(env);
  const guard = { account: await accountGuardOf(env, email), ip: guardOf(env, `ip:${ip}`) };
  const [account, byIp] = await Promise.all([guard.account.attempt(accountGuard), guard.ip.attempt(ipGuard)]);
  if (!account.allowed || !byIp.allowed) {
    // Whichever subject admitted the attempt counted it; no password was checked, so give it back.
    await Promise.all([
      account.allowed ? guard.account.refund(accountGuard) : undefined,
      byIp.allowed ? guard.ip.refund(ipGuard) : undefined,
    ]);
    throw lockedOut(Math.max(account.retryAfterSec, byIp.retryAfterSec));
  }
  return {
    async succeeded() {
      await Promise.all([guard.account.succeeded(), guard.ip.refund(ipGuard)]);
    },
  };
}

/** A completed password reset proves control of the mailbox: lift the account's lockout. */
export async function clearAccount(env: Env, email: string): Promise<void> {
  await (await accountGuardOf(env, email)).succeeded();
}
