import { readFileSync } from 'node:fs';
import pg from 'pg';
const samples = JSON.parse(readFileSync('/tmp/samples.json', 'utf8'));
const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await client.connect();
const want = process.argv.slice(2).map(Number);
for (const i of want) { const x = samples[i];
  await client.query('begin');
  for (let k=0;k<3;k++){ const r = await client.query(`explain (analyze, buffers, costs off) ${x.sample.sql}`, x.sample.params ?? []);
  if (k==2) console.log(r.rows.map(r=>r['QUERY PLAN']).join('\n')); }
  await client.query('rollback');
  console.log(JSON.stringify(x.sample.params).slice(0,300));
}
await client.end();
