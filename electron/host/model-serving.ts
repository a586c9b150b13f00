/**
 * Models the app serves from its registry view: each model URI gets its own scoring server on
 * 127.0.0.1 (MLflow's protocol, a free port), loaded from the host's store; stopping closes it.
 */
import type { Server } from "node:http";
import { loadModel } from "../ml/tfjs-mlflow.ts";
import { flowbookVersion, startScoringServer } from "../ml/scoring-server.ts";
import { createMlflow } from "../tracking/client/index.ts";
import type { TrackingStore } from "../tracking/types.ts";

/** Start, stop and look up the scoring servers of one host. */
export interface ModelServing {
  /** Serves `modelUri` (again: the running server's URL); resolves to its URL. */
  start(modelUri: string): Promise<string>;
  /** Stops serving `modelUri`; nothing happens when it is not served. */
  stop(modelUri: string): Promise<void>;
  /** The URL `modelUri` is served at, or null. */
  url(modelUri: string): string | null;
  /** Stops every server (the host is closing). */
  close(): Promise<void>;
}

/** Serving over `store`: models load from the same registry and artifacts the app shows. */
export function createModelServing(store: TrackingStore): ModelServing {
  const mlflow = createMlflow(store);
  const running = new Map<string, { url: string; server: Server }>();
  // Concurrent starts of one URI share a single load and server.
  const starting = new Map<string, Promise<string>>();

  const stop = async (modelUri: string) => {
    const entry = running.get(modelUri);
    if (!entry) return;
    running.delete(modelUri);
    await new Promise<void>((ok) => entry.server.close(() => ok()));
  };

  return {
    start(modelUri) {
      const served = running.get(modelUri);
      if (served) return Promise.resolve(served.url);
      let pending = starting.get(modelUri);
      if (!pending) {
        pending = (async () => {
          const model = await loadModel(mlflow, modelUri);
          const { server, url } = await startScoringServer(model, { port: 0, version: flowbookVersion() });
          running.set(modelUri, { url, server });
          return url;
        })().finally(() => starting.delete(modelUri));
        starting.set(modelUri, pending);
      }
      return pending;
    },
    stop,
    url: (modelUri) => running.get(modelUri)?.url ?? null,
    async close() {
      await Promise.all([...running.keys()].map(stop));
    },
  };
}
