// Tracking basics: log a few runs to the embedded MLflow-compatible store and watch them in a live
// table (press Log runs). The table cell reads runs, so it re-runs by itself whenever a run in the
// experiment changes.
// Run it as a script with `node bin/flowbook.js run notebooks/tracking_basics.ts`.

// %% [cell id=imports name="imports" hidden]
import { md, mlflow, state, stop, table, ui } from "flowbook";

// %% [cell id=title]
md`# Tracking basics
Each run below trains nothing: it logs a learning rate and a made-up loss curve, enough to see
parameters, metrics and run provenance (notebook, cell, code hash) in the tracking views.`;

// %% [cell id=experiment name="experiment"]
const experiment = await mlflow.setExperiment("flowbook-tracking-basics");
md`Logging to experiment **${experiment.name}** (id ${experiment.experiment_id}).`;

// %% [cell id=howMany name="runs slider"]
const runsToLog = ui.slider({ label: "runs to log", min: 1, max: 5, step: 1, value: 3 });
runsToLog;

// %% [cell id=batches name="batch counter"]
const [batchCount, setBatchCount] = state(0);

// %% [cell id=logButton name="log button"]
// Runs are logged on this click only, so opening the notebook adds none (`flowbook run` counts it as clicked).
const logNow = ui.runButton({ label: "Log runs" });
logNow;

// %% [cell id=log name="log runs"]
stop(!logNow.value, md`Press **Log runs** to log ${runsToLog.value} runs.`);
const logged: string[] = [];
for (let i = 0; i < runsToLog.value; i++) {
  const lr = 0.1 / (i + 1);
  const runName = `lr-${lr.toFixed(3)}`;
  const runId = await mlflow.startRun({ runName, experimentId: experiment.experiment_id }, async (run) => {
    await mlflow.logParams({ lr, epochs: 5 });
    for (let step = 0; step < 5; step++) await mlflow.logMetric("loss", Math.exp(-lr * 10 * (step + 1)), { step });
    return run.info.run_id;
  });
  logged.push(runId);
}
setBatchCount((n) => n + 1);
console.log(`logged ${logged.length} runs`);

// %% [cell id=runs name="runs table (live)"]
const runs = await mlflow.searchRuns({ experimentIds: [experiment.experiment_id], orderBy: ["metrics.loss ASC"], maxResults: 10 });
table(
  runs.map((r) => ({ run: r["tags.mlflow.runName"], lr: Number(r["params.lr"]), loss: r["metrics.loss"], status: r.status })),
);

// %% [cell id=batchesSummary]
md`Batches logged from this kernel: **${batchCount()}**.`;
