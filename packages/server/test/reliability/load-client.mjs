// The load generator of load.test.ts, in its own process so that its work does not count
// against the server's: `node load-client.mjs <json config>`; prints one JSON line of results.
const config = JSON.parse(process.argv[2] ?? "{}");
const { targets, seconds, concurrency } = config;
const statuses = {};
const errors = [];
let requests = 0;
const deadline = Date.now() + seconds * 1000;

async function worker(n) {
  for (let i = n; Date.now() < deadline; i++) {
    const target = targets[i % targets.length];
    try {
      const response = await fetch(target.url, {
        method: target.method ?? "GET",
        headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
        body: target.body ? JSON.stringify(target.body) : undefined,
      });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status >= 300 && errors.length < 20)
        errors.push(`${target.method ?? "GET"} ${target.url} → ${response.status}`);
    } catch (error) {
      if (errors.length < 20) errors.push(`${target.url}: ${error.message}`);
      statuses.network = (statuses.network ?? 0) + 1;
    }
    requests++;
  }
}

await Promise.all(Array.from({ length: concurrency }, (_, n) => worker(n)));
process.stdout.write(`${JSON.stringify({ requests, statuses, errors })}\n`);
