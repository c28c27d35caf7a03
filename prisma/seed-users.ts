import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Algorithm, hash } from '@node-rs/argon2';
import { demoNodeWhere } from './demo-nodes';
import { Pool } from 'pg';

/** A demo account: who, which role where, and the password to sign in with. */
export interface DemoUser {
  email: string;
  name: string;
  /** `platform admin`, or `<role> on <node reference>`. */
  role: string;
  password: string;
}

const demo: Omit<DemoUser, 'password'>[] = [
  { email: 'admin@sextant.example', name: 'Pat Platform', role: 'platform admin' },
  { email: 'owner@acme.example', name: 'Olga Owner', role: 'owner on acme' },
  { email: 'admin@acme.example', name: 'Adam Admin', role: 'admin on acme' },
  { email: 'operator@acme.example', name: 'Ana Ortega', role: 'operator on acme.north' },
  { email: 'analyst@acme.example', name: 'Ali Analyst', role: 'analyst on acme' },
  { email: 'billing@acme.example', name: 'Bea Billing', role: 'billing on acme' },
  { email: 'viewer@acme.example', name: 'Vic Viewer', role: 'viewer on acme' },
  { email: 'owner@skyline.example', name: 'Sam Skyline', role: 'owner on skyline' },
];

/**
 * Creates the demo accounts once (a role each on the demo fleet), with random passwords kept
 * in `passwordsFile` (mode 0600) so that every start can print them. Accounts that exist are
 * left as they are.
 */
export async function seedDemoUsers(
  databaseUrl: string,
  passwordsFile: string,
): Promise<DemoUser[]> {
  const known = new Map<string, string>();
  if (existsSync(passwordsFile)) {
    const saved = JSON.parse(await fs.readFile(passwordsFile, 'utf8')) as DemoUser[];
    for (const user of saved) known.set(user.email, user.password);
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const users: DemoUser[] = [];
    for (const spec of demo) {
      const password = known.get(spec.email) ?? `demo-${randomBytes(9).toString('base64url')}`;
      const passwordHash = await hash(password, {
        algorithm: Algorithm.Argon2id,
        memoryCost: 19_456,
        timeCost: 2,
        parallelism: 1,
      });
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO app_user (id, email, name, password_hash, email_verified_at, platform_admin, updated_at)
         VALUES ($1, $2, $3, $4, now(), $5, now())
         ON CONFLICT (email) DO NOTHING RETURNING id`,
        [randomUUID(), spec.email, spec.name, passwordHash, spec.role === 'platform admin'],
      );
      const grant = /^(\w+) on (.+)$/.exec(spec.role);
      if (rows[0] && grant) {
        await pool.query(
          `INSERT INTO membership (id, user_id, node_id, role, updated_at)
           SELECT $1, $2, n.id, $3::"Role", now() FROM node n WHERE ${demoNodeWhere(4)}
           ON CONFLICT (user_id, node_id) DO NOTHING`,
          [randomUUID(), rows[0].id, grant[1], grant[2]],
        );
      }
      // An account made earlier without the file keeps its own password: not shown.
      if (rows[0] || known.has(spec.email)) users.push({ ...spec, password });
    }
    await fs.mkdir(path.dirname(passwordsFile), { recursive: true });
    await fs.writeFile(passwordsFile, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
    return users;
  } finally {
    await pool.end();
  }
}

/**
 * A personal API token of a user for scripts and examples, valid `days`; returns the secret
 * (only its sha256 is stored, as the API does).
 */
export async function demoApiToken(
  databaseUrl: string,
  email: string,
  name: string,
  days = 1,
): Promise<string> {
  const token = `sxp_${randomBytes(32).toString('base64url')}`;
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rowCount } = await pool.query(
      `INSERT INTO api_token (id, user_id, name, prefix, token_hash, expires_at)
       SELECT $1, u.id, $3, $4, $5, now() + make_interval(days => $6) FROM app_user u WHERE u.email = $2`,
      [
        randomUUID(),
        email,
        name,
        token.slice(0, 10),
        createHash('sha256').update(token).digest('hex'),
        days,
      ],
    );
    if (rowCount !== 1) throw new Error(`no user ${email} for a demo API token`);
    return token;
  } finally {
    await pool.end();
  }
}
