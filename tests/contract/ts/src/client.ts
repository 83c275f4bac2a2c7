// A client generated from the served OpenAPI document (openapi-typescript types, openapi-fetch
// calls), run against a server that needs a key: assess, store, list, read back.
import { readFileSync } from "node:fs";
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type AssessmentRequest = components["schemas"]["AssessmentRequest"];
type AssessmentResult = components["schemas"]["AssessmentResult"];

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`failed: ${what}`);
}

const baseUrl = setting("READINESS_URL");
const key = setting("READINESS_KEY");
const example = JSON.parse(readFileSync(setting("READINESS_EXAMPLE"), "utf-8")) as AssessmentRequest;

// The key as the document's `bearer` scheme says: Authorization: Bearer <key>.
const auth: Middleware = {
  onRequest({ request }) {
    request.headers.set("Authorization", `Bearer ${key}`);
    return request;
  },
};

const anonymous = createClient<paths>({ baseUrl });
const client = createClient<paths>({ baseUrl });
client.use(auth);

async function main(): Promise<void> {
  const refused = await anonymous.POST("/v1/assessments", { body: example });
  check(refused.response.status === 401, `401 without a key, got ${refused.response.status}`);
  check(refused.error?.code === "missing-api-key", "the problem says the key is missing");

  const assessed = await client.POST("/v1/assessments", {
    body: example,
    params: { header: { "Accept-Language": "sv" } },
  });
  check(assessed.response.status === 200, `assess: ${assessed.response.status}`);
  const result: AssessmentResult | undefined = assessed.data;
  check(result !== undefined, "assess returns a result");
  check(result.language === "sv", "the result is in Swedish");
  check(result.recommendations.length > 0, "the result recommends");

  const stored = await client.POST("/v1/assessments", {
    body: example,
    params: { query: { store: true } },
  });
  check(stored.response.status === 201, `store: ${stored.response.status}`);
  const id = stored.response.headers.get("X-Assessment-Id");
  check(id !== null, "the stored assessment has an id");
  check(stored.response.headers.get("Location") === `/v1/assessments/${id}`, "Location");

  const listed = await client.GET("/v1/assessments", { params: { query: { limit: 10 } } });
  check(listed.response.status === 200, `list: ${listed.response.status}`);
  check(JSON.stringify(listed.data).includes(id), "the list holds the stored assessment");

  const read = await client.GET("/v1/assessments/{assessment_id}/result", {
    params: { path: { assessment_id: id } },
  });
  check(read.response.status === 200, `read back: ${read.response.status}`);
  check(JSON.stringify(read.data) === JSON.stringify(stored.data), "read back as stored");
  console.log(`ok ${id} ${result.readiness.level}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
