"""Drives the real Python `mlflow` client against a Flowbook tracking server.

Run by test/python-compat.test.ts with MLFLOW_TRACKING_URI pointing at the server. Prints one JSON
object of observations on stdout; the TypeScript test asserts on it, so this script only records
what the client saw and raises when the client itself raises.
"""
import json
import math
import os
import sys
import tempfile

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

out = {}
client = MlflowClient()

exp_id = mlflow.create_experiment("py-compat", tags={"team": "flowbook"})
out["experiment"] = client.get_experiment(exp_id).name
out["experiment_by_name"] = mlflow.get_experiment_by_name("py-compat").experiment_id == exp_id
mlflow.set_experiment("py-compat")

with mlflow.start_run(run_name="parent") as parent:
    mlflow.log_param("lr", 0.01)
    mlflow.log_params({"epochs": 3, "optimizer": "adam"})
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    mlflow.log_metric("weird", float("nan"))
    mlflow.log_metrics({"acc": 0.9, "f1": 0.8})
    mlflow.set_tag("stage", "dev")
    mlflow.set_tags({"a": "1", "b": "2"})
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "notes.txt")
        with open(path, "w") as f:
            f.write("hello artifacts")
        mlflow.log_artifact(path)
        os.makedirs(os.path.join(d, "sub", "deep"))
        with open(os.path.join(d, "sub", "deep", "x.json"), "w") as f:
            json.dump({"x": 1}, f)
        mlflow.log_artifacts(os.path.join(d, "sub"), artifact_path="tree")
    mlflow.log_dict({"k": [1, 2]}, "config/dict.json")
    mlflow.log_text("plain text", "text/readme.txt")
    with mlflow.start_run(run_name="child", nested=True) as child:
        mlflow.log_metric("loss", 0.5)
    parent_id = parent.info.run_id
    child_id = child.info.run_id

client.log_batch(
    parent_id,
    metrics=[Metric("batch_m", float(i), 0, i) for i in range(10)],
    params=[Param("batch_p", "v")],
    tags=[RunTag("batch_t", "t")],
)

run = client.get_run(parent_id)
out["status"] = run.info.status
out["run_name"] = run.info.run_name
out["params"] = run.data.params
out["metrics"] = {k: (None if math.isnan(v) else v) for k, v in run.data.metrics.items()}
out["nan_is_nan"] = math.isnan(run.data.metrics["weird"])
out["tags_subset"] = {k: run.data.tags.get(k) for k in ["stage", "a", "b", "batch_t", "mlflow.runName"]}
out["child_parent"] = client.get_run(child_id).data.tags.get("mlflow.parentRunId") == parent_id
out["history"] = [(m.step, m.value) for m in client.get_metric_history(parent_id, "loss")]
out["artifacts_root"] = sorted(a.path for a in client.list_artifacts(parent_id))
out["artifacts_tree"] = sorted(a.path for a in client.list_artifacts(parent_id, "tree/deep"))
with tempfile.TemporaryDirectory() as d:
    local = mlflow.artifacts.download_artifacts(run_id=parent_id, artifact_path="notes.txt", dst_path=d)
    with open(local) as f:
        out["downloaded"] = f.read()
    local_dict = mlflow.artifacts.load_dict(f"runs:/{parent_id}/config/dict.json")
    out["loaded_dict"] = local_dict

df = mlflow.search_runs(experiment_ids=[exp_id], filter_string="metrics.acc > 0.5 and params.optimizer = 'adam'")
out["search_df_ids"] = list(df["run_id"])
out["search_df_has_columns"] = all(c in df.columns for c in ["metrics.acc", "params.lr", "tags.stage"])
ordered = client.search_runs([exp_id], order_by=["attributes.run_name ASC"])
out["search_ordered_names"] = [r.info.run_name for r in ordered]
try:
    client.search_runs([exp_id], filter_string="metrics.acc >> 1")
    out["bad_filter"] = "no error"
except mlflow.exceptions.MlflowException as e:
    out["bad_filter"] = e.error_code

try:
    client.log_param(parent_id, "lr", "0.5")
    out["param_change"] = "no error"
except mlflow.exceptions.MlflowException as e:
    out["param_change"] = e.error_code

client.delete_run(child_id)
out["deleted_hidden"] = child_id not in [r.info.run_id for r in client.search_runs([exp_id])]
client.restore_run(child_id)
out["restored_visible"] = child_id in [r.info.run_id for r in client.search_runs([exp_id])]

# Registry
client.create_registered_model("py-model", tags={"owner": "py"}, description="from python")
v1 = client.create_model_version("py-model", f"runs:/{parent_id}/model", run_id=parent_id)
v2 = client.create_model_version("py-model", f"runs:/{parent_id}/model", run_id=parent_id)
out["versions"] = [v1.version, v2.version]
client.transition_model_version_stage("py-model", v1.version, "Production")
client.transition_model_version_stage("py-model", v2.version, "Production", archive_existing_versions=True)
out["v1_stage"] = client.get_model_version("py-model", v1.version).current_stage
client.set_registered_model_alias("py-model", "champion", v1.version)
out["alias_version"] = client.get_model_version_by_alias("py-model", "champion").version
client.set_registered_model_alias("py-model", "champion", v2.version)
out["alias_moved"] = client.get_model_version_by_alias("py-model", "champion").version
out["latest"] = sorted((v.current_stage, v.version) for v in client.get_latest_versions("py-model"))
out["search_versions"] = sorted(v.version for v in client.search_model_versions("name='py-model'"))
out["registered_aliases"] = {a: v for a, v in client.get_registered_model("py-model").aliases.items()}
try:
    client.get_model_version_by_alias("py-model", "nope")
    out["missing_alias"] = "no error"
except mlflow.exceptions.MlflowException as e:
    out["missing_alias"] = e.error_code
try:
    client.create_registered_model("py-model")
    out["duplicate_model"] = "no error"
except mlflow.exceptions.MlflowException as e:
    out["duplicate_model"] = e.error_code

json.dump(out, sys.stdout)
