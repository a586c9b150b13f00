import { test } from "node:test";
import assert from "node:assert/strict";
import { formatHash, parseHash, type AppLocation } from "./url-route.ts";

test("every page's hash parses back to the same place", () => {
  const places: AppLocation[] = [
    { view: "notebook", tracking: { experimentId: null, route: { page: "experiment" } } },
    { view: "tracking", tracking: { experimentId: null, route: { page: "experiment" } } },
    { view: "tracking", tracking: { experimentId: "12", route: { page: "experiment" } } },
    { view: "tracking", tracking: { experimentId: "12", route: { page: "run", runId: "abc", tab: "charts" } } },
    { view: "tracking", tracking: { experimentId: "12", route: { page: "run", runId: "abc" } } },
    { view: "tracking", tracking: { experimentId: "1", route: { page: "compare", runIds: ["a", "b"] } } },
    { view: "tracking", tracking: { experimentId: null, route: { page: "models" } } },
    { view: "tracking", tracking: { experimentId: null, route: { page: "model", name: "my model/v2" } } },
    { view: "tracking", tracking: { experimentId: null, route: { page: "version", name: "m", version: "3" } } },
  ];
  for (const place of places) assert.deepEqual(parseHash(formatHash(place)), place, formatHash(place));
  assert.equal(formatHash(places[3]), "#/tracking/experiment/12/run/abc/charts");
});

test("an empty, unknown or malformed hash is the notebook", () => {
  for (const hash of ["", "#", "#/", "#/elsewhere", "#/notebook"]) assert.equal(parseHash(hash).view, "notebook", hash);
  assert.deepEqual(parseHash("#/tracking/experiment/%E0%A4%A/run/x").tracking.route, { page: "run", runId: "x" });
});
