import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh PostgreSQL schema, and `url` with it as every connection's search_path: for
 * tests that hand a DATABASE_URL to a child process (the server, the CLI). `drop` removes it.
 */
export async function freshSchemaUrl(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await admin(`create schema ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => admin(`drop schema ${schema} cascade`) };
}
