// Signed heads: what is signed, what a changed field or another key does, and the signing key's
// resolution (created once outside production, refused missing in production, checked when given).
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { headMessage, signHead, verifyHeadSignature, type Head } from '../../src/audit/heads.ts';
import { MissingSigningKeyError, resolveAuditSigningKey, SIGNING_KEY_FILE } from '../../src/audit/signing-key.ts';
import { tempDir } from '../helpers/temp-store.ts';

const head: Head = {
  consultationId: '0f0e0d0c-0b0a-4000-8000-000000000001', revision: 12, hash: 'ab'.repeat(32), recordedAt: '2027-03-01T09:00:00.000Z',
};
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

t.test('a signed head verifies with its key, over the canonical JSON of its five fields', async (t) => {
  const signed = signHead(privateKey, head, new Date('2027-03-02T10:00:00Z'));
  t.equal(signed.signedAt, '2027-03-02T10:00:00.000Z');
  t.ok(verifyHeadSignature(publicKey, signed));
  t.equal(headMessage(signed).toString(), '{"consultationId":"0f0e0d0c-0b0a-4000-8000-000000000001","hash":"'
    + 'ab'.repeat(32) + '","recordedAt":"2027-03-01T09:00:00.000Z","revision":12,"signedAt":"2027-03-02T10:00:00.000Z"}');
});

t.test('any changed field, another key or a malformed signature does not verify', async (t) => {
  const signed = signHead(privateKey, head, new Date('2027-03-02T10:00:00Z'));
  for (const changed of [
    { ...signed, revision: 13 }, { ...signed, hash: 'ac'.repeat(32) }, { ...signed, consultationId: head.consultationId.replace('1', '2') },
    { ...signed, recordedAt: '2027-03-01T09:00:01.000Z' }, { ...signed, signedAt: '2027-03-02T10:00:01.000Z' },
  ]) t.notOk(verifyHeadSignature(publicKey, changed), JSON.stringify(changed));
  t.notOk(verifyHeadSignature(generateKeyPairSync('ed25519').publicKey, signed), 'another key');
  t.notOk(verifyHeadSignature(publicKey, { ...signed, signature: 'not base64 at all!' }));
  t.notOk(verifyHeadSignature(publicKey, { ...signed, signature: '' }));
});

t.test('outside production a key is created once in the data directory (0600) and found again; the CLI never creates one', async (t) => {
  const dataDir = tempDir(t);
  t.throws(() => resolveAuditSigningKey({ NODE_ENV: 'development', dataDir }, { create: false }), MissingSigningKeyError);
  const created = resolveAuditSigningKey({ NODE_ENV: 'development', dataDir });
  t.equal(created.source, 'created');
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  t.equal(statSync(file).mode & 0o777, 0o600);
  const again = resolveAuditSigningKey({ NODE_ENV: 'development', dataDir }, { create: false });
  t.equal(again.source, 'data-dir');
  t.equal(again.publicKeyPem, created.publicKeyPem);
  t.match(created.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
});

t.test('production refuses without AUDIT_SIGNING_KEY; a given key must be an Ed25519 PKCS#8 PEM, never echoed', async (t) => {
  const dataDir = tempDir(t);
  t.throws(() => resolveAuditSigningKey({ NODE_ENV: 'production', dataDir }), /AUDIT_SIGNING_KEY is required when NODE_ENV=production/);
  t.notOk(existsSync(path.join(dataDir, SIGNING_KEY_FILE)), 'nothing created');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const given = resolveAuditSigningKey({ NODE_ENV: 'production', dataDir, AUDIT_SIGNING_KEY: pem });
  t.equal(given.source, 'AUDIT_SIGNING_KEY');
  t.ok(verifyHeadSignature(given.publicKey, signHead(privateKey, head, new Date())));
  const oneLine = resolveAuditSigningKey({ NODE_ENV: 'production', dataDir, AUDIT_SIGNING_KEY: pem.replaceAll('\n', '\\n') });
  t.equal(oneLine.publicKeyPem, given.publicKeyPem, 'line breaks written as \\n in an environment file');
  const garbage = (() => {
    try {
      resolveAuditSigningKey({ NODE_ENV: 'production', dataDir, AUDIT_SIGNING_KEY: 'secret-looking-garbage' });
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  })();
  t.match(garbage, /AUDIT_SIGNING_KEY is not a PKCS#8 PEM private key/);
  t.notMatch(garbage, /secret-looking-garbage/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  t.throws(() => resolveAuditSigningKey({ NODE_ENV: 'production', dataDir, AUDIT_SIGNING_KEY: rsa }), /is a rsa key; an Ed25519 key is required/);
});
