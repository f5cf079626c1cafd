// The published document passes Redocly's recommended rules with no error and no warning
// (redocly.yaml), run as `npm run lint:openapi` runs it, without a network: telemetry is off.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

t.setTimeout(120_000);
const root = fileURLToPath(new URL('../..', import.meta.url));

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string }[];
}

t.test('npm run lint:openapi: no error, no warning', async (t) => {
  const child = spawn('npm', ['run', '--silent', 'lint:openapi', '--', '--format=json'], {
    cwd: root,
    // no update check either; the script itself turns telemetry off
    env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  t.teardown(() => { child.kill('SIGKILL'); }); // if the test ends before it does
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));

  t.equal(code, 0, 'redocly lint exits 0', { stderr });
  const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as LintReport;
  t.strictSame(report.totals, { errors: 0, warnings: 0, ignored: 0 }, 'no error, no warning, nothing ignored');
  t.strictSame(report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`), [], 'no problem at all');
});
