// Penguins sweep: a small hyperparameter sweep of a TensorFlow.js classifier on the Palmer penguins
// (vega-datasets), compared in a table and a parallel coordinates plot, started by its Run sweep
// button (opening the notebook never trains). The best run is registered
// as `penguins-classifier`, gets the alias `champion` and the stage Production, and is loaded back
// by alias to predict a few rows. Run it as a script with
// `node bin/flowbook.js run notebooks/penguins_sweep.ts` (run it from the project folder, where
// node_modules/vega-datasets is found).

// %% [cell id=imports name="imports" hidden]
import { loadTf, md, mlflow, plot, stop, table, ui } from "flowbook";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// %% [cell id=title]
md`# Penguins hyperparameter sweep
Four body measurements predict the species (Adelie, Chinstrap, Gentoo). Each combination of hidden
units and learning rate below is one MLflow run; the champion is registered and served from the registry.`;

// %% [cell id=tf name="TF.js"]
const tf = await loadTf();

// %% [cell id=experiment name="experiment"]
const experiment = await mlflow.setExperiment("flowbook-penguins-sweep");

// %% [cell id=data name="data"]
// vega-datasets' module fetches from a CDN; the JSON files ship in the package, so read one directly.
const vegaDir = dirname(dirname(createRequire(join(process.cwd(), "_")).resolve("vega-datasets")));
type Penguin = Record<string, string | number | null>;
const FEATURES = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"];
const penguins = (JSON.parse(readFileSync(join(vegaDir, "data", "penguins.json"), "utf8")) as Penguin[]).filter((p) =>
  FEATURES.every((f) => typeof p[f] === "number"),
);
const SPECIES = [...new Set(penguins.map((p) => String(p.Species)))].sort();
// z-scores, so flipper millimetres and body grams weigh alike.
const stats = FEATURES.map((f) => {
  const v = penguins.map((p) => p[f] as number);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
});
const normalise = (p: Penguin) => FEATURES.map((f, i) => ((p[f] as number) - stats[i]!.mean) / stats[i]!.sd);
// A fixed interleaved split (every fifth penguin is held out) keeps runs comparable.
const held = penguins.filter((_, i) => i % 5 === 0);
const kept = penguins.filter((_, i) => i % 5 !== 0);
const tensors = (rows: Penguin[]) => ({
  x: tf.tensor2d(rows.map(normalise)),
  y: tf.oneHot(tf.tensor1d(rows.map((p) => SPECIES.indexOf(String(p.Species))), "int32"), SPECIES.length),
});
const trainData = tensors(kept);
const testData = tensors(held);
md`${penguins.length} penguins with all measurements: ${kept.length} to train, ${held.length} to test; species ${SPECIES.join(", ")}.`;

// %% [cell id=epochs name="epochs slider"]
const sweepEpochs = ui.slider({ label: "epochs per run", min: 5, max: 100, step: 5, value: 25 });
sweepEpochs;

// %% [cell id=sweepButton name="sweep button"]
// The sweep waits for this click; `flowbook run` has nobody to click it, so there it counts as clicked.
const runSweep = ui.runButton({ label: "Run sweep" });
runSweep;

// %% [cell id=sweep name="sweep"]
stop(!runSweep.value, md`Press **Run sweep** to train one run per combination of hidden units and learning rate.`);
const grid = [8, 16].flatMap((hidden) => [0.01, 0.05].map((lr) => ({ hidden, lr })));
const sweepRunIds: string[] = [];
for (const { hidden, lr } of grid) {
  const id = await mlflow.startRun({ runName: `h${hidden}-lr${lr}`, experimentId: experiment.experiment_id }, async (r) => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [FEATURES.length], units: hidden, activation: "relu" }),
        tf.layers.dense({ units: SPECIES.length, activation: "softmax" }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(lr), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    await mlflow.logParam("hidden_units", hidden);
    const fitConfig = { epochs: sweepEpochs.value, batchSize: 32, samples: kept.length };
    await model.fit(trainData.x, trainData.y, { ...fitConfig, verbose: 0, callbacks: [await mlflow.tfjs.callback(model, fitConfig, { logEveryBatch: false })] });
    const [testLoss, testAcc] = model.evaluate(testData.x, testData.y) as ReturnType<typeof tf.scalar>[];
    await mlflow.logMetrics({ test_loss: (await testLoss!.data())[0]!, test_acc: (await testAcc!.data())[0]! });
    await mlflow.tfjs.logModel(model, "model", { inputExample: held.slice(0, 3).map(normalise) });
    return r.info.run_id;
  });
  sweepRunIds.push(id);
}
md`Trained ${sweepRunIds.length} runs.`;

// %% [cell id=results name="comparison table"]
const results = (await mlflow.searchRuns({ experimentIds: [experiment.experiment_id], filterString: "attributes.status = 'FINISHED'" }))
  .filter((r) => sweepRunIds.includes(r.run_id))
  .map((r) => ({
    run_id: r.run_id,
    run: String(r["tags.mlflow.runName"]),
    hidden_units: Number(r["params.hidden_units"]),
    learning_rate: Number(r["params.learning_rate"]),
    loss: Number(r["metrics.loss"]),
    test_acc: Number(r["metrics.test_acc"]),
  }))
  .sort((a, b) => b.test_acc - a.test_acc || a.loss - b.loss);
const best = results[0]!;
table(results.map(({ run_id, ...r }) => ({ ...r, best: run_id === best.run_id ? "★" : "" })));

// %% [cell id=parcoords name="parallel coordinates"]
plot(
  [
    {
      type: "parcoords",
      line: { color: results.map((r) => (r.run_id === best.run_id ? 1 : 0)), colorscale: [[0, "#b0b0b0"], [1, "#d62728"]] },
      dimensions: [
        { label: "hidden units", values: results.map((r) => r.hidden_units) },
        { label: "learning rate", values: results.map((r) => r.learning_rate) },
        { label: "final loss", values: results.map((r) => r.loss) },
        { label: "test accuracy", values: results.map((r) => r.test_acc), range: [0, 1] },
      ],
    },
  ],
  { title: `sweep (best in red: ${best.run})` },
);

// %% [cell id=register name="register champion"]
const MODEL_NAME = "penguins-classifier";
const registered = await mlflow.registerModel(`runs:/${best.run_id}/model`, MODEL_NAME);
await mlflow.getStore();
const registry = new mlflow.MlflowClient();
await registry.setRegisteredModelAlias(MODEL_NAME, "champion", registered.version);
await registry.transitionModelVersionStage(MODEL_NAME, registered.version, "Production", true);
md`Registered **${MODEL_NAME}** version ${registered.version} (${best.run}) as \`@champion\` and Production.`;

// %% [cell id=predict name="champion predictions (live)"]
// Loading by alias makes this cell a live reader of the registry: moving `@champion` re-runs it.
void registered;
const champion = await mlflow.pyfunc.loadModel(`models:/${MODEL_NAME}@champion`);
// Every tenth held-out penguin, so each species shows up.
const sample = held.filter((_, i) => i % 10 === 0);
const predictions = await champion.predict(sample.map(normalise));
table(
  sample.map((p, i) => ({
    actual: p.Species,
    predicted: SPECIES[predictions[i]!.indexOf(Math.max(...predictions[i]!))],
    confidence: Math.max(...predictions[i]!).toFixed(3),
  })),
);
