import { Problem } from '../../../lib/problem.ts';
import { PaymentActionRequired, PaymentDeclined } from './providers/provider.ts';

/**
 * The 402 of a payment the provider refused — declined (with Stripe's decline code) or needing the
 * cardholder (3-D Secure) — saying what it left as it was; undefined for any other failure.
 */
export function paymentProblem(err: unknown, consequence: string): Problem | undefined {
  if (err instanceof PaymentDeclined) {
    return new Problem('payment_required', `${err.message} ${consequence}`, {
      extensions: { code: err.code, declineCode: err.declineCode ?? err.code },
    });
  }
  if (err instanceof PaymentActionRequired) {
    return new Problem(
      'payment_required',
      `The card needs the cardholder to authenticate this payment (3-D Secure). ${consequence} ` +
        'Confirm the payment with the card issuer, or use another card.',
      { extensions: { code: 'authentication_required', action: 'authenticate' } },
    );
  }
  return undefined;
}
