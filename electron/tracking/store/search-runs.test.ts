import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { DatasetInput, SearchRunsRequest, ViewType } from "../types.ts";
import type { SqlStore } from "../ops/sql-store.ts";
import { forEachBackend, rejectsWith } from "./test-support.ts";

forEachBackend(({ open }) => {
  /** One fixture run: what it is called and what it logged. */
  interface FixtureRun {
    name: string;
    status: "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
    user: string;
    start: number;
    end?: number;
    metrics?: Record<string, number>;
    params?: Record<string, string>;
    tags?: Record<string, string>;
    dataset?: [name: string, digest: string, context: string];
    deleted?: boolean;
  }

  const FIXTURE: FixtureRun[] = [
    { name: "alpha", status: "FINISHED", user: "ann", start: 1000, end: 2000, metrics: { acc: 0.9, loss: 0.1 }, params: { lr: "0.1", model: "cnn" }, tags: { team: "vision", "my tag": "x" }, dataset: ["iris", "d1", "training"] },
    { name: "beta", status: "RUNNING", user: "bob", start: 2000, metrics: { acc: 0.8, loss: 0.2 }, params: { lr: "0.01", model: "CNN" }, tags: { team: "Vision" }, dataset: ["mnist", "d2", "eval"] },
    { name: "gamma", status: "FAILED", user: "ann", start: 3000, end: 3500, metrics: { acc: NaN }, params: { lr: "0.1", model: "rnn" }, tags: { team: "nlp" } },
    { name: "delta", status: "FINISHED", user: "cy", start: 4000, end: 6000, metrics: { acc: 0.95, loss: 0.05, "f1 score": 0.7 }, params: { "batch-size": "32" }, tags: { "user-name": "dee" } },
    { name: "epsilon", status: "KILLED", user: "bob", start: 5000, params: { lr: "1e-3" }, tags: { team: "nlp" } },
    { name: "zeta", status: "FINISHED", user: "ann", start: 6000, end: 6100, metrics: { acc: 0.5, loss: 1.5 }, params: { model: "cnn_v2" }, tags: { "a.b": "dots" } },
    { name: "eta", status: "RUNNING", user: "", start: 7000, metrics: { acc: -1, loss: Infinity }, params: { lr: "0.1" } },
    { name: "theta", status: "SCHEDULED", user: "", start: 8000, dataset: ["iris", "d1", "eval"] },
    { name: "Iota", status: "FINISHED", user: "", start: 9000, metrics: { acc: 0.8, loss: 0.3 } },
    { name: "kappa", status: "FINISHED", user: "", start: 10000, metrics: { acc: 0.99 }, deleted: true },
  ];

  let store: SqlStore;
  let experimentId: string;
  let otherExperimentId: string;
  /** Run name → run id, filled by the fixture; `<name>` in a filter is replaced by that run's id. */
  const ids = new Map<string, string>();

  async function addRun(experiment: string, run: FixtureRun): Promise<void> {
    const id = (await store.createRun({ experiment_id: experiment, run_name: run.name, user_id: run.user, start_time: run.start })).info.run_id;
    ids.set(run.name, id);
    if (run.status !== "RUNNING" || run.end !== undefined) await store.updateRun({ run_id: id, status: run.status, end_time: run.end });
    await store.logBatch({
      run_id: id,
      metrics: Object.entries(run.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: run.start, step: 0 })),
      params: Object.entries(run.params ?? {}).map(([key, value]) => ({ key, value })),
      tags: Object.entries(run.tags ?? {}).map(([key, value]) => ({ key, value })),
    });
    if (run.dataset) {
      const [name, digest, context] = run.dataset;
      const input: DatasetInput = { dataset: { name, digest, source_type: "local", source: `file:///${name}` }, tags: [{ key: "mlflow.data.context", value: context }] };
      await store.logInputs(id, [input]);
    }
    if (run.deleted) await store.deleteRun(id);
  }

  before(async () => {
    store = await open();
    experimentId = await store.createExperiment("search");
    otherExperimentId = await store.createExperiment("other");
    for (const run of FIXTURE) await addRun(experimentId, run);
    await addRun(otherExperimentId, { name: "other", status: "FINISHED", user: "", start: 11000, metrics: { acc: 0.99 } });
  });
  after(() => store.close());

  /** Every active fixture run in the default order (start_time DESC). */
  const ALL = ["Iota", "theta", "eta", "zeta", "epsilon", "delta", "gamma", "beta", "alpha"];

  interface Case {
    filter?: string;
    order?: string[];
    view?: ViewType;
    both?: boolean;
    /** Expected run names, in order. */
    expect?: string[];
    /** Expected INVALID_PARAMETER_VALUE message pattern. */
    error?: RegExp;
  }

  const CASES: Case[] = [
    // metrics
    { filter: "", expect: ALL },
    { filter: "metrics.acc > 0.85", expect: ["delta", "alpha"] },
    { filter: "metrics.acc >= 0.8", expect: ["Iota", "delta", "beta", "alpha"] },
    { filter: "metrics.acc = 0.8", expect: ["Iota", "beta"] },
    { filter: "metrics.acc != 0.8", expect: ["eta", "zeta", "delta", "gamma", "alpha"] },
    { filter: "metrics.acc < 0", expect: ["eta"] },
    { filter: "metrics.acc <= 0.5", expect: ["eta", "zeta"] },
    { filter: "metrics.loss > 1e300", expect: ["eta"] },
    { filter: "metrics.missing > 0", expect: [] },
    { filter: "metrics.acc > 0.5 AND metrics.loss < 0.15", expect: ["delta", "alpha"] },
    { filter: 'metrics."f1 score" > 0.5', expect: ["delta"] },
    { filter: "metrics.`f1 score` = 0.7", expect: ["delta"] },
    { filter: "metric.acc > 0.5", expect: ["Iota", "delta", "beta", "alpha"] },
    { filter: "metrics.acc > -5 and metrics.acc < 0.6", expect: ["eta", "zeta"] },
    // params
    { filter: "params.lr = '0.1'", expect: ["eta", "gamma", "alpha"] },
    { filter: "params.lr != '0.1'", expect: ["epsilon", "beta"] },
    { filter: "params.model LIKE 'cnn%'", expect: ["zeta", "alpha"] },
    { filter: "params.model ILIKE 'cnn%'", expect: ["zeta", "beta", "alpha"] },
    { filter: "params.model LIKE 'c_n'", expect: ["alpha"] },
    { filter: "params.model ILIKE 'C_N'", expect: ["beta", "alpha"] },
    { filter: "params.model LIKE '%_v2'", expect: ["zeta"] },
    { filter: "params.model LIKE 'CNN'", expect: ["beta"] },
    { filter: 'params."batch-size" = "32"', expect: ["delta"] },
    { filter: "params.`batch-size` = '32'", expect: ["delta"] },
    { filter: "params.lr = '1e-3'", expect: ["epsilon"] },
    { filter: "param.model = 'rnn'", expect: ["gamma"] },
    { filter: "parameters.lr LIKE '0.1%'", expect: ["eta", "gamma", "alpha"] },
    // tags
    { filter: "tags.team = 'vision'", expect: ["alpha"] },
    { filter: "tags.team ILIKE 'vision'", expect: ["beta", "alpha"] },
    { filter: "tags.team LIKE 'V%'", expect: ["beta"] },
    { filter: "tags.team != 'nlp'", expect: ["beta", "alpha"] },
    { filter: "tags.`my tag` = 'x'", expect: ["alpha"] },
    { filter: "tags.\"user-name\" = 'dee'", expect: ["delta"] },
    { filter: "tags.`a.b` = 'dots'", expect: ["zeta"] },
    { filter: "tags.missing = 'x'", expect: [] },
    { filter: "tags.mlflow.runName = 'alpha'", expect: ["alpha"] },
    { filter: "tags.`mlflow.runName` ILIKE '%TA'", expect: ["Iota", "theta", "eta", "zeta", "delta", "beta"] },
    // attributes
    { filter: "attributes.status = 'FINISHED'", expect: ["Iota", "zeta", "delta", "alpha"] },
    { filter: "status != 'FINISHED'", expect: ["theta", "eta", "epsilon", "gamma", "beta"] },
    { filter: "run.status = 'KILLED'", expect: ["epsilon"] },
    { filter: "run_name = 'alpha'", expect: ["alpha"] },
    { filter: "attributes.run_name LIKE '%ta'", expect: ["Iota", "theta", "eta", "zeta", "delta", "beta"] },
    { filter: "run_name ILIKE 'i%'", expect: ["Iota"] },
    { filter: "run_name LIKE 'i%'", expect: [] },
    { filter: "attributes.`run name` = 'beta'", expect: ["beta"] },
    { filter: "user_id = 'ann'", expect: ["zeta", "gamma", "alpha"] },
    { filter: "attr.user_id = 'cy'", expect: ["delta"] },
    { filter: "attributes.user_id ILIKE 'B%'", expect: ["epsilon", "beta"] },
    { filter: "start_time > 5000", expect: ["Iota", "theta", "eta", "zeta"] },
    { filter: "created >= 8000", expect: ["Iota", "theta"] },
    { filter: "attributes.start_time < 2000", expect: ["alpha"] },
    { filter: "end_time > 3000", expect: ["zeta", "delta", "gamma"] },
    { filter: "end_time <= 2000", expect: ["alpha"] },
    { filter: "run_id IN ('<alpha>', '<delta>')", expect: ["delta", "alpha"] },
    { filter: "attributes.run_id NOT IN ('<alpha>')", expect: ALL.filter((n) => n !== "alpha") },
    { filter: "attributes.run_id = '<zeta>'", expect: ["zeta"] },
    { filter: "run_id IN ('<kappa>', '<other>')", expect: [] },
    { filter: "artifact_uri LIKE '%<gamma>%'", expect: ["gamma"] },
    // datasets
    { filter: "dataset.name = 'iris'", expect: ["theta", "alpha"] },
    { filter: "datasets.digest = 'd2'", expect: ["beta"] },
    { filter: "dataset.context = 'eval'", expect: ["theta", "beta"] },
    { filter: "dataset.name IN ('iris', 'mnist')", expect: ["theta", "beta", "alpha"] },
    { filter: "dataset.context ILIKE 'TRAIN%'", expect: ["alpha"] },
    { filter: "dataset.name != 'iris'", expect: ["beta"] },
    { filter: "dataset.name = 'iris' AND dataset.context = 'training'", expect: ["alpha"] },
    // combinations
    { filter: "metrics.acc > 0.5 AND params.lr = '0.1' AND tags.team = 'vision'", expect: ["alpha"] },
    { filter: "metrics.acc > 0.5 and status = 'FINISHED'", expect: ["Iota", "delta", "alpha"] },
    // order_by
    { order: ["metrics.acc DESC"], expect: ["delta", "alpha", "Iota", "beta", "zeta", "eta", "gamma", "theta", "epsilon"] },
    { order: ["metrics.acc ASC"], expect: ["eta", "zeta", "Iota", "beta", "alpha", "delta", "gamma", "theta", "epsilon"] },
    { order: ["metrics.acc"], expect: ["eta", "zeta", "Iota", "beta", "alpha", "delta", "gamma", "theta", "epsilon"] },
    { order: ["params.lr ASC"], expect: ["beta", "eta", "gamma", "alpha", "epsilon", "Iota", "theta", "zeta", "delta"] },
    { order: ["tags.team DESC"], expect: ["alpha", "epsilon", "gamma", "beta", "Iota", "theta", "eta", "zeta", "delta"] },
    { order: ["attributes.run_name ASC"], expect: ["Iota", "alpha", "beta", "delta", "epsilon", "eta", "gamma", "theta", "zeta"] },
    { order: ["start_time ASC"], expect: [...ALL].reverse() },
    { order: ["created DESC"], expect: ALL },
    { order: ["timestamp"], expect: [...ALL].reverse() },
    { order: ["status", "run_name DESC"], expect: ["gamma", "zeta", "delta", "alpha", "Iota", "epsilon", "eta", "beta", "theta"] },
    { order: ["end_time DESC"], expect: ["zeta", "delta", "gamma", "alpha", "Iota", "theta", "eta", "epsilon", "beta"] },
    // Flowbook's duration extension (end_time − start_time): runs without end_time last either way.
    { order: ["attributes.duration DESC"], expect: ["delta", "alpha", "gamma", "zeta", "Iota", "theta", "eta", "epsilon", "beta"] },
    { order: ["duration ASC"], expect: ["zeta", "gamma", "alpha", "delta", "Iota", "theta", "eta", "epsilon", "beta"] },
    { filter: "metrics.acc > 0", order: ["duration", "run_name DESC"], expect: ["zeta", "alpha", "delta", "beta", "Iota"] },
    { filter: "metrics.acc > 0", order: ["metrics.loss DESC"], expect: ["zeta", "Iota", "beta", "alpha", "delta"] },
    { order: ["metrics.`f1 score` DESC"], expect: ["delta", "Iota", "theta", "eta", "zeta", "epsilon", "gamma", "beta", "alpha"] },
    { filter: "metrics.acc >= 0.8", order: ['tags."team" ASC', "metrics.acc DESC"], expect: ["beta", "alpha", "delta", "Iota"] },
    // view types and experiments
    { view: "DELETED_ONLY", expect: ["kappa"] },
    { view: "ALL", filter: "metrics.acc > 0.96", expect: ["kappa"] },
    { view: "ALL", both: true, filter: "metrics.acc > 0.96", expect: ["other", "kappa"] },
    { both: true, filter: "metrics.acc > 0.96", expect: ["other"] },
    // errors
    { filter: "metrics.acc > 'x'", error: /Expected numeric value type for metric/ },
    { filter: "params.lr = 0.1", error: /quoted string value/ },
    { filter: "foo.bar = 'x'", error: /Invalid entity type 'foo'/ },
    { filter: "attributes.nope = 'x'", error: /Invalid attribute key 'nope'/ },
    { filter: "metrics.acc > 0.5 OR metrics.loss < 1", error: /Invalid clause/ },
    { filter: "status IN ('FINISHED')", error: /Only the 'run_id' attribute/ },
    { filter: "metrics.acc LIKE 0.9", error: /Invalid comparator 'LIKE'/ },
    { filter: "start_time > 'abc'", error: /Expected numeric value type for numeric attribute/ },
    { filter: "params.lr ~ 'x'", error: /./ },
    { filter: "dataset.size = 'x'", error: /Invalid dataset key/ },
    { order: ["metrics.acc UP"], error: /Invalid ordering key|Could not be parsed/ },
    { order: ["nope"], error: /Invalid attribute key 'nope'/ },
    { order: ["start_time", "created"], error: /duplicate/ },
  ];

  /** Replaces `<name>` with that fixture run's id. */
  function withIds(text: string): string {
    return text.replace(/<(\w+)>/g, (_, name: string) => ids.get(name) ?? name);
  }

  for (const c of CASES) {
    const title = `${c.filter ? `filter ${c.filter}` : "no filter"}${c.order ? ` order_by ${JSON.stringify(c.order)}` : ""}${c.view ? ` ${c.view}` : ""}${c.both ? " (two experiments)" : ""}`;
    test(`${c.error ? "rejects" : "search"}: ${title}`, async () => {
      const req: SearchRunsRequest = {
        experiment_ids: c.both ? [experimentId, otherExperimentId] : [experimentId],
        filter: c.filter === undefined ? undefined : withIds(c.filter),
        order_by: c.order,
        run_view_type: c.view,
      };
      if (c.error) return rejectsWith(store.searchRuns(req), "INVALID_PARAMETER_VALUE", c.error);
      const page = await store.searchRuns(req);
      assert.deepEqual(page.items.map((r) => r.info.run_name), c.expect);
      assert.equal(page.next_page_token, undefined);
    });
  }

  test("search pages through results with max_results and page tokens, in order", async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.searchRuns({ experiment_ids: [experimentId], max_results: 4, page_token: token });
      names.push(...page.items.map((r) => r.info.run_name));
      token = page.next_page_token;
      pages++;
    } while (token);
    assert.deepEqual(names, ALL);
    assert.equal(pages, 3);
  });

  test("pages ordered by a metric follow values, then NaN, then missing, across page boundaries", async () => {
    for (const order_by of [["metrics.acc DESC"], ["metrics.acc ASC", "run_name DESC"]]) {
      const whole = (await store.searchRuns({ experiment_ids: [experimentId], order_by })).items.map((r) => r.info.run_name);
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await store.searchRuns({ experiment_ids: [experimentId], order_by, max_results: 2, page_token: token });
        names.push(...page.items.map((r) => r.info.run_name));
        token = page.next_page_token;
      } while (token);
      assert.deepEqual(names, whole);
      assert.equal(names.length, ALL.length);
    }
  });

  test("searched runs carry latest metrics, params, tags and inputs", async () => {
    const [run] = (await store.searchRuns({ experiment_ids: [experimentId], filter: "run_name = 'alpha'" })).items;
    assert.deepEqual(run!.data.metrics.map((m) => [m.key, m.value]), [["acc", 0.9], ["loss", 0.1]]);
    assert.deepEqual(run!.data.params, [{ key: "lr", value: "0.1" }, { key: "model", value: "cnn" }]);
    assert.deepEqual(run!.data.tags.map((t) => t.key), ["mlflow.runName", "my tag", "team"]);
    assert.equal(run!.inputs.dataset_inputs[0]!.dataset.name, "iris");
    const [gamma] = (await store.searchRuns({ experiment_ids: [experimentId], filter: "run_name = 'gamma'" })).items;
    assert.ok(Number.isNaN(gamma!.data.metrics[0]!.value));
  });

  test("search request limits and tokens are checked", async () => {
    await rejectsWith(store.searchRuns({ experiment_ids: [experimentId], max_results: 50_001 }), "INVALID_PARAMETER_VALUE");
    await rejectsWith(store.searchRuns({ experiment_ids: [experimentId], max_results: 0 }), "INVALID_PARAMETER_VALUE");
    await rejectsWith(store.searchRuns({ experiment_ids: [experimentId], page_token: "not a token" }), "INVALID_PARAMETER_VALUE");
    await rejectsWith(store.searchRuns({ experiment_ids: [experimentId], run_view_type: "SOME" as ViewType }), "INVALID_PARAMETER_VALUE");
    assert.deepEqual((await store.searchRuns({ experiment_ids: [] })).items, []);
  });
});
