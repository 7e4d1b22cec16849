// graphql-http's audit of GraphQL over HTTP against a running Tindak.
// Usage: GRAPHQL_URL=http://127.0.0.1:8080/graphql TOKEN=tdk_… node audit.mjs
// Exits 1 when a MUST or SHOULD audit fails; MAY audits are reported only.
import { serverAudits } from 'graphql-http';

const url = process.env.GRAPHQL_URL;
const token = process.env.TOKEN;
if (!url || !token) {
  console.error('set GRAPHQL_URL and TOKEN');
  process.exit(2);
}

// Every request carries the token: Tindak runs no operation without one.
const fetchFn = (input, init = {}) =>
  fetch(input, {
    ...init,
    headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` },
  });

const results = await Promise.all(serverAudits({ url, fetchFn }).map((a) => a.fn()));
const tally = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
let failed = false;
for (const r of results) {
  const level = r.name.split(' ')[0];
  tally[level][1] += 1;
  if (r.status === 'ok') {
    tally[level][0] += 1;
  } else {
    console.log(`${r.status.toUpperCase()} ${r.id} ${r.name}: ${r.reason}`);
    if (level !== 'MAY') failed = true;
  }
}
for (const [level, [ok, all]] of Object.entries(tally)) {
  console.log(`graphql-http ${level}: ${ok}/${all}`);
}
process.exit(failed ? 1 : 0);
