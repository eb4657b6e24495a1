import { exportJWK, generateKeyPair } from 'jose';

/** A signing key made once per test run: its public half is the gateway's JWKS_JSON. */
let made: Promise<{ jwks: { keys: object[] }; privateJwk: object }> | undefined;

export function testJwks() {
  made ??= (async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pub = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
    const priv = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256' };
    return { jwks: { keys: [pub] }, privateJwk: priv };
  })();
  return made;
}
