/**
 * Malformed input, fuzzed with a fixed seed: a few thousand requests on loopback against a real
 * server, built from every route's own field declarations and then broken — wrong JSON types in
 * any field, missing and unknown fields, truncated, deeply nested and double-encoded bodies, odd
 * artifact paths on every artifact route (`//`, `.`, `%2e`, NUL, backslashes, `%c0%ae`, traversals),
 * truncated multipart-upload bodies, and over-long request lines and headers. Whatever arrives:
 * no 5xx, no reset connection, every error is MLflow's JSON body, nothing outside the run's
 * artifacts is touched, and the artifact root is never deleted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import type { FieldSpec } from "./fields.ts";
import type { ApiRoute } from "./route.ts";
import { artifactRoutes } from "./routes-artifacts.ts";
import { experimentRoutes } from "./routes-experiments.ts";
import { registryRoutes } from "./routes-registry.ts";
import { runRoutes } from "./routes-runs.ts";
import { uiRoutes } from "./routes-ui.ts";
import { forEachBackend } from "../store/test-support.ts";
import { startTestServer, type TestServer } from "./test-harness.ts";

forEachBackend(({ open }) => {
  const SEED = 0x5eed_f10b;
  const API_REQUESTS = 2000;
  const PATH_REQUESTS = 1200;

  /** mulberry32: a small seeded generator, so a failure replays exactly. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  interface Reply {
    status: number;
    text: string;
    headers: Record<string, string | string[] | undefined>;
  }

  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  function send(srv: TestServer, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    const { hostname, port } = new URL(srv.url);
    return new Promise((ok, fail) => {
      const req = request({ hostname, port, path, method, agent, headers: { ...(body !== undefined ? { "Content-Length": String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
        res.on("error", (e) => fail(new Error(`${method} ${path.slice(0, 200)}: response ${(e as Error).message}`)));
      });
      req.on("error", (e) => fail(new Error(`${method} ${path.slice(0, 200)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** Raw bytes on a fresh socket (optionally half-closed after), the whole answer back; a reset is an error. */
  function sendRaw(srv: TestServer, data: string | Buffer, halfClose: boolean): Promise<string> {
    const port = Number(new URL(srv.url).port);
    return new Promise((ok, fail) => {
      const socket = connect(port, "127.0.0.1");
      const chunks: Buffer[] = [];
      socket.on("data", (c: Buffer) => chunks.push(c));
      socket.on("error", (e) => fail(new Error(`raw request: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      socket.on("close", () => ok(Buffer.concat(chunks).toString("utf8")));
      socket.write(data, () => (halfClose ? socket.end() : undefined));
      if (!halfClose) setTimeout(() => socket.end(), 2000).unref();
    });
  }

  /** Exceptions the server under test logged, shown with a 5xx. */
  let logged: unknown[] = [];

  /**
   * A refusal must be MLflow's error JSON; anything else is fine as long as it is not a 5xx. One 5xx
   * is the protocol: a well-formed multipart-upload request answers 501 NOT_IMPLEMENTED, which is
   * how MLflow's client learns to fall back to a single PUT.
   */
  function check(what: string, reply: Reply): void {
    const mpuFallback = what.includes("mpu/") && reply.status === 501 && JSON.parse(reply.text).error_code === "NOT_IMPLEMENTED";
    assert.ok((reply.status >= 200 && reply.status < 500) || mpuFallback, `${what}: status ${reply.status} ${reply.text.slice(0, 300)} ${String((logged.at(-1) as Error | undefined)?.stack)}`);
    if (reply.status >= 400) {
      let body: { error_code?: unknown; message?: unknown };
      try {
        body = JSON.parse(reply.text);
      } catch {
        assert.fail(`${what}: ${reply.status} without a JSON body: ${reply.text.slice(0, 200)}`);
      }
      assert.equal(typeof body.error_code, "string", `${what}: no error_code in ${reply.text.slice(0, 200)}`);
      assert.equal(typeof body.message, "string", `${what}: no message in ${reply.text.slice(0, 200)}`);
    }
  }

  /** A raw HTTP answer must be a 4xx with a JSON error body. */
  function checkRaw(what: string, answer: string): void {
    const m = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(answer);
    assert.ok(m, `${what}: no HTTP answer (${JSON.stringify(answer.slice(0, 120))})`);
    const status = Number(m[1]);
    assert.ok(status >= 400 && status < 500, `${what}: status ${status}`);
    const body = JSON.parse(m[3]!) as { error_code: unknown };
    assert.equal(typeof body.error_code, "string", what);
  }

  test("fuzzed malformed input: no 5xx, no reset, JSON errors, nothing outside the run touched, the root kept", { timeout: 120_000 }, async () => {
    const srv = await startTestServer({ open });
    logged = srv.errors;
    const random = rng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    try {
      // ─── fixtures: a run whose artifacts the fuzz may write, and sentinels it must never touch ───
      const exp = (await srv.call("POST", "experiments/create", { name: "fuzz" })).json.experiment_id as string;
      const runA = (await srv.call("POST", "runs/create", { experiment_id: exp })).json.run.info.run_id as string;
      const runB = (await srv.call("POST", "runs/create", { experiment_id: exp })).json.run.info.run_id as string;
      await srv.call("POST", "registered-models/create", { name: "fz" });
      const dest = join(srv.dir, "mlartifacts");
      const keep = join(dest, exp, runA, "artifacts", "keep.txt");
      const victim = join(dest, exp, runB, "artifacts", "victim.txt");
      const outside = join(srv.dir, "outside", "secret.txt");
      for (const f of [keep, victim, outside]) {
        mkdirSync(join(f, ".."), { recursive: true });
        writeFileSync(f, "sentinel");
      }
      const scratch = `${exp}/${runA}/artifacts/scratch`;

      // ─── values: valid ones from the fixtures, then every wrong JSON type ───
      const strings = [exp, runA, runB, "fz", "1", "0", "m", "", " ", "a".repeat(300), "x".repeat(7000), "\u0000", "é🙂", "%2e%2e", "../../etc", "name = 'fz'", "metrics.m > 1", "NaN", "-1", "1e309", "ACTIVE_ONLY", "runs:/r/model", "mlflow-artifacts:/x/../../y", "models:/fz/1", "file:///tmp/x"];
      const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
      const wrongs: unknown[] = [null, true, false, 0, -1, 9.0, 1.5, 2 ** 60, 1e300, -1e300, "", "str", [], [1, 2], ["a"], [{}], [null], {}, { key: 1 }, { key: "k" }, deep(40), [{ key: "k", value: 1, timestamp: "x" }], [{ key: "", value: "" }]];
      const valueFor = (spec: FieldSpec): unknown => {
        switch (spec.replace("!", "")) {
          case "string":
            return pick(strings);
          case "int":
          case "double":
            return pick([0, 1, 5, -3, 1234567890123]);
          case "bool":
            return pick([true, false]);
          case "strings":
            return [pick(strings), pick(strings)];
          case "list":
            return [{ part_number: 1, etag: "e" }];
          case "tags":
            return [{ key: pick(["k", "mlflow.note.content", ""]), value: pick(strings) }];
          case "metrics":
            return [{ key: "m", value: random(), timestamp: 1, step: Math.floor(random() * 10) }];
          case "datasets":
            return [{ tags: [], dataset: { name: "d", digest: "x", source_type: "local", source: "{}" } }];
          case "view":
            return pick(["ACTIVE_ONLY", "ALL", 2]);
          case "status":
            return pick(["RUNNING", "FINISHED", 3]);
          default:
            return null;
        }
      };
      const routes: ApiRoute[] = [...experimentRoutes, ...runRoutes, ...registryRoutes, ...artifactRoutes, ...uiRoutes];
      const brokenBodies = (): string => {
        const r = random();
        if (r < 0.15) return "[".repeat(2000 + Math.floor(random() * 50_000)) + "]".repeat(10);
        if (r < 0.3) return `{"a":${"{\"b\":".repeat(600)}1${"}".repeat(600)}}`;
        if (r < 0.45) return JSON.stringify(JSON.stringify({ name: pick(strings) }));
        if (r < 0.6) return pick(["null", "1", "\"x\"", "[]", "true", "{", "}", "{\"a\":}", "\u0000\u0001", "{\"run_id\": NaN}", "{\"value\": Infinity}"]);
        return Buffer.from(Array.from({ length: 40 }, () => Math.floor(random() * 256))).toString("latin1");
      };

      // ─── 1. every JSON route, over both prefixes, with broken fields and broken bodies ───
      for (let i = 0; i < API_REQUESTS; i++) {
        const route = pick(routes);
        const method = pick(route.methods);
        const prefix = pick(["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/", "//api/2.0/mlflow//"]);
        const args: Record<string, unknown> = {};
        for (const [name, spec] of Object.entries(route.fields)) if (random() < 0.8) args[name] = valueFor(spec);
        const names = Object.keys(route.fields);
        const mutations = 1 + Math.floor(random() * 3);
        for (let m = 0; m < mutations; m++) {
          const r = random();
          if (r < 0.6 && names.length > 0) args[pick(names)] = pick(wrongs);
          else if (r < 0.8 && names.length > 0) delete args[pick(names)];
          else args[pick(["run_uuid", "bogus", "__proto__", "constructor"])] = pick(wrongs);
        }
        if (route.path === "model-versions/create" && typeof args.source === "string" && /^file:\/\/[^/]/.test(args.source)) args.source = "x";
        let reply: Reply;
        if (method === "GET") {
          const q = Object.entries(args)
            .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))
            .map(([k, v]) => `${encodeURIComponent(String(k))}=${random() < 0.1 ? "%zz%c0%ae" : encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v) ?? "")}`)
            .join("&");
          reply = await send(srv, "GET", `${prefix}${route.path}?${q}`);
        } else {
          const body = random() < 0.2 ? brokenBodies() : JSON.stringify(args);
          reply = await send(srv, method, `${prefix}${route.path}`, body, { "Content-Type": "application/json" });
        }
        check(`#${i} ${method} ${route.path}`, reply);
      }

      // ─── 2. odd paths on every artifact route ───
      const segments = ["..", ".", "", "%2e", "%2e%2e", "%2E%2e", "%2f", "%5c", "%00", "\\", "%c0%ae", "%c0%ae%c0%ae", "%c0%af", "%252e%252e", "..%2f", "%2e%2e%2f", "a", "scratch", "artifacts", "outside", "secret.txt", "victim.txt", "keep.txt", "mlartifacts", "#", "%23", "C:", "file:"];
      // Well-formed paths stay in run A's scratch folder; odd ones start there or at the root.
      const oddPath = (): string => {
        const r = random();
        if (r < 0.25) return `${scratch}/${pick(["a", "b", "c.txt"])}`;
        const tail = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(segments)).join(pick(["/", "/", "/", "//"]));
        return r < 0.6 ? `${scratch}/${tail}` : tail;
      };
      const lenientDecode = (p: string): string => p.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
        try {
          return decodeURIComponent(run);
        } catch {
          return "\ufffd";
        }
      });
      // A traversal however spelled: `..`, NUL or a backslash after up to two rounds of decoding.
      const traversal = (p: string): boolean =>
        [p, lenientDecode(p), lenientDecode(lenientDecode(p))].some((d) => d.split("/").includes("..") || d.includes("\0") || d.includes("\\"));
      const clean = (p: string): boolean =>
        !/^([A-Za-z]:|file:)/i.test(p) && !/[%\\#\0]/.test(p) && !p.split("/").some((x) => x === "" || x === "." || x === "..");
      const artifactPrefixes = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts", "//api/2.0/mlflow-artifacts"];
      for (let i = 0; i < PATH_REQUESTS; i++) {
        const path = oddPath();
        // In a query, a bare "#" would start the URL's fragment and never reach the server.
        const q = path.replace(/#/g, "%23");
        const base = pick(artifactPrefixes);
        const r = random();
        let what: string;
        let reply: Reply;
        if (r < 0.45) {
          const method = pick(["GET", "PUT", "DELETE"]);
          what = `${method} artifacts/${path}`;
          reply = await send(srv, method, `${base}/artifacts/${path}`, method === "PUT" ? "data" : undefined);
        } else if (r < 0.55) {
          what = `list ?path=${path}`;
          reply = await send(srv, pick(["GET", "DELETE"]), `${base}/artifacts?path=${q}`);
        } else if (r < 0.7) {
          const action = pick(["create", "complete", "abort"]);
          const full = JSON.stringify({ path, num_parts: 2, upload_id: "u", parts: [{ part_number: 1, etag: "e" }] });
          what = `mpu/${action}/${path}`;
          reply = await send(srv, "POST", `${base}/mpu/${action}/${path}`, random() < 0.3 ? full : full.slice(0, Math.floor(random() * full.length)));
        } else if (r < 0.8) {
          what = `get-artifact ${path}`;
          reply = await send(srv, "GET", `${pick(["", "/"])}/get-artifact?path=${q}&run_uuid=${pick([runA, runB, "nope"])}`);
        } else if (r < 0.85) {
          what = `model-versions/get-artifact ${path}`;
          reply = await send(srv, "GET", `/model-versions/get-artifact?path=${q}&name=fz&version=1`);
        } else if (r < 0.93) {
          what = `artifacts/list ${path}`;
          reply = await send(srv, "GET", `/api/2.0/mlflow/artifacts/list?run_id=${pick([runA, runB])}&path=${q}`);
        } else {
          what = `upload-artifact ${path}`;
          reply = await send(srv, "POST", `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runA}&path=${q}`, "data");
        }
        check(`#${i} ${what}`, reply);
        // Every traversal is refused everywhere; on the proxy, so is every odd spelling.
        const proxy = what.startsWith("GET ") || what.startsWith("PUT ") || what.startsWith("DELETE ") || what.startsWith("list ") || what.startsWith("mpu/");
        if (traversal(path) || (proxy && !clean(path))) assert.ok(reply.status >= 400, `#${i} ${what} was answered ${reply.status}`);
      }

      // ─── 3. the root, however spelled, is never deleted or listed ───
      for (const p of ["/", "/.", "/./", "/%2e", "/%2E/", "//", "/%2e%2f", "?path=", "?path=.", "?path=./", "?path=%2e", "/?path=", "/.?path=/"]) {
        for (const base of artifactPrefixes) {
          for (const method of ["DELETE", "GET"]) {
            const reply = await send(srv, method, `${base}/artifacts${p}`);
            check(`${method} ${base}/artifacts${p}`, reply);
            assert.ok(reply.status >= 400, `${method} ${base}/artifacts${p} was answered ${reply.status}`);
          }
        }
      }

      // ─── 4. truncated uploads, over-long request lines and headers, bytes that are not HTTP ───
      const host = `Host: 127.0.0.1:${new URL(srv.url).port}\r\n`;
      for (let i = 0; i < 6; i++) {
        const full = JSON.stringify({ path: "x.bin", num_parts: 3 });
        const cut = full.slice(0, Math.floor(random() * full.length));
        checkRaw(`truncated mpu body ${i}`, await sendRaw(srv, `POST /api/2.0/mlflow-artifacts/mpu/create/${scratch}/x.bin HTTP/1.1\r\n${host}Content-Length: ${full.length}\r\n\r\n${cut}`, true));
        checkRaw(`truncated PUT body ${i}`, await sendRaw(srv, `PUT /api/2.0/mlflow-artifacts/artifacts/${scratch}/t${i}.bin HTTP/1.1\r\n${host}Content-Length: 5000\r\n\r\n${"z".repeat(100 * i)}`, true));
      }
      for (const size of [64 * 1024, 1024 * 1024]) {
        checkRaw(`${size}-byte query`, await sendRaw(srv, `GET /api/2.0/mlflow/experiments/search?filter=${"a".repeat(size)} HTTP/1.1\r\n${host}Connection: close\r\n\r\n`, false));
        checkRaw(`${size}-byte path`, await sendRaw(srv, `GET /api/2.0/mlflow-artifacts/artifacts/${"b/".repeat(size / 2)} HTTP/1.1\r\n${host}Connection: close\r\n\r\n`, false));
        checkRaw(`${size}-byte header`, await sendRaw(srv, `GET /health HTTP/1.1\r\n${host}X-Long: ${"c".repeat(size)}\r\nConnection: close\r\n\r\n`, false));
        checkRaw(`${size / 1024} KB of headers`, await sendRaw(srv, `GET /health HTTP/1.1\r\n${host}${"X-H: v\r\n".repeat(size / 8)}\r\n`, true));
      }
      for (const junk of ["GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "\u0000\u0001\u0002\r\n\r\n", `POST /api/2.0/mlflow/runs/create HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\n`]) {
        checkRaw(`junk ${JSON.stringify(junk.slice(0, 20))}`, await sendRaw(srv, junk, true));
      }

      // ─── afterwards: the server answers, logged no exception, and every sentinel is intact ───
      check("health", await send(srv, "GET", "/health"));
      assert.deepEqual(srv.errors, []);
      for (const f of [keep, victim, outside]) assert.equal(readFileSync(f, "utf8"), "sentinel", f);
      assert.ok(existsSync(dest) && readdirSync(dest).includes(exp), "the artifact root and its experiments are still there");
      assert.deepEqual(readdirSync(join(srv.dir, "outside")), ["secret.txt"]);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });
});
