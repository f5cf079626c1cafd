// The real PostgreSQL the tests use (CI starts one on 127.0.0.1:5432, trust auth, database `test`),
// and an admin connection that fails the file, with what to do, when the server is not reachable:
// these tests are never skipped.
import { Client } from 'pg';

export const DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

export async function connectAdmin(applicationName: string): Promise<Client> {
  const admin = new Client({ connectionString: DATABASE_URL, application_name: applicationName });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${DATABASE_URL.replace(/\/\/[^@/]*@/, '//')} (${String(error)}). These tests need it: CI starts it; ` +
        'locally run `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or set TEST_DATABASE_URL.',
    );
  }
  return admin;
}
