"""
A pytest plugin for scripts/mlflow-suites.ts: MLflow's own server suites start MLflow's Flask app
through `_init_server` (tests/tracking/integration_test_utils.py); this plugin swaps that launcher,
in every collected test module that imported it, for one that starts `flowbook server` with the
same backend store and artifact root, so the unchanged tests run against Flowbook.

Read from the environment: FLOWBOOK_SERVER_CMD, a JSON list (the command before `server`'s flags,
e.g. ["node", "/repo/bin/flowbook.js", "server"]); FLOWBOOK_SERVER_LOG, a file the servers' output
is appended to.
"""
import contextlib
import json
import os
import socket
import subprocess
import time

import pytest

_COMMAND = json.loads(os.environ["FLOWBOOK_SERVER_CMD"])
_LOG = os.environ.get("FLOWBOOK_SERVER_LOG", os.devnull)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"flowbook server exited with {proc.returncode}; see {_LOG}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"flowbook server did not listen on port {port} within {timeout} s")


@contextlib.contextmanager
def flowbook_init_server(backend_uri, root_artifact_uri, extra_env=None, app=None):
    """`_init_server`'s contract: yields the URL of a server over `backend_uri`.

    MLflow's launcher starts the Flask app without `--serve-artifacts` (its environment variable is
    unset), so runs get artifact URIs under `root_artifact_uri` and clients write there directly.
    """
    import mlflow

    mlflow.set_tracking_uri(None)
    port = _free_port()
    args = [
        "--host", "127.0.0.1",
        "--port", str(port),
        "--backend-store-uri", backend_uri,
        "--default-artifact-root", root_artifact_uri,
        "--no-serve-artifacts",
    ]
    with open(_LOG, "a") as log:
        log.write(f"\n$ {' '.join(_COMMAND + args)}\n")
        log.flush()
        env = {**os.environ, **(extra_env or {})}
        with subprocess.Popen(_COMMAND + args, env=env, stdout=log, stderr=log) as proc:
            try:
                _wait_until_listening(port, proc)
                yield f"http://127.0.0.1:{port}"
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def pytest_collection_modifyitems(session, config, items):
    for module in {item.module for item in items if getattr(item, "module", None)}:
        if hasattr(module, "_init_server"):
            module._init_server = flowbook_init_server
