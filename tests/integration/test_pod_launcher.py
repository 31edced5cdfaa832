"""The pod's container command, run here as the pod would run it.

Same command line (``POD_COMMAND``) and same environment as the pod spec that
``WallarooPodOperator`` builds (taken from ``build_pod_request_obj``), in a fresh Python
3.11 venv holding only airflow-wallaroo installed with ``--no-deps`` (as the runtime
image does). The one difference from a pod: ``WALLAROO_HOME`` points ``/home/jovyan``
at a temp folder, and the archive comes from a ``file://`` URL (the ``volume`` source)
or from the real api-server with a minted archive token.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kubernetes.client import ApiClient

from tests.support.archives import zip_example

REPO = Path(__file__).resolve().parents[2]
SETUP_FAILED = 97
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pod_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv like the runtime image's: Python 3.11 plus airflow-wallaroo without dependencies."""
    return runtime_image_venv(tmp_path_factory.mktemp("pod-image") / "venv")


def runtime_image_venv(venv: Path, requirements: Path | None = None) -> Path:
    """Build a venv as ``docs/kubernetes/runtime.Dockerfile`` builds the image; return its python."""
    uv = Path(sys.executable).parent / "uv"
    python = venv / "bin" / "python"
    subprocess.run([str(uv), "venv", "--quiet", "--seed", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [str(uv), "pip", "install", "--quiet", "--no-deps", "--python", str(python), str(REPO)], check=True
    )
    if requirements is not None:
        subprocess.run(
            [str(uv), "pip", "install", "--quiet", "--python", str(python), "-r", str(requirements)],
            check=True,
            timeout=900,
        )
    return python


def pod_environment(
    monkeypatch: pytest.MonkeyPatch,
    archive_url: str,
    sha: str,
    entrypoint: str,
    requirements: str | None,
    arguments: dict,
    home: Path,
    wheelhouse: str = "",
) -> tuple[list[str], dict[str, str]]:
    """The container's command and env, from the pod spec the operator builds."""
    from airflow_wallaroo.core.spec import TaskSpec
    from airflow_wallaroo.runners.pod_operator import build_pod_operator
    from airflow_wallaroo.settings import load_settings

    monkeypatch.setenv("AIRFLOW__WALLAROO__RUNNER", "kubernetes")
    monkeypatch.setenv("AIRFLOW__WALLAROO__POD_WHEELHOUSE", wheelhouse)
    monkeypatch.setenv("AIRFLOW__WALLAROO__API_URL", "http://127.0.0.1:9")
    spec = TaskSpec(
        task_id=str(uuid.uuid4()),
        kind="run_once",
        name="pod-test",
        workspace_id=7,
        owner_id="1",
        orch_id=str(uuid.uuid4()),
        orch_sha=sha,
        orch_name="example",
        entrypoint=entrypoint,
        arguments=arguments,
        first_run_id=str(uuid.uuid4()),
        created_at="2026-11-27T00:00:00+00:00",
        requirements=requirements,
    )
    operator = build_pod_operator(spec, load_settings(), "run_orchestration")
    operator.prepare_run("manual__pod-test", None)
    container = ApiClient().sanitize_for_serialization(operator.build_pod_request_obj(dry_run=True))["spec"][
        "containers"
    ][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    env.update(WALLAROO_ARCHIVE_URL=archive_url, WALLAROO_HOME=str(home))
    return container["command"], env


def run_pod(command: list[str], env: dict[str, str], python: Path) -> subprocess.CompletedProcess[str]:
    """Run the container command; ``python`` is the image's interpreter, first on PATH."""
    full_env = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": env["WALLAROO_HOME"], **env}
    return subprocess.run(
        command, env=full_env, capture_output=True, text=True, timeout=600, cwd="/", check=False
    )


def write_archive(folder: Path, name: str) -> tuple[Path, str]:
    data = zip_example(name)
    path = folder / f"{name}.zip"
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def test_hello_runs_with_its_arguments_in_home(
    pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, sha = write_archive(tmp_path, "hello")
    home = tmp_path / "jovyan"
    command, env = pod_environment(
        monkeypatch, archive.as_uri(), sha, "main.py", None, {"greeting": "hi pod"}, home
    )
    result = run_pod(command, env, pod_python)
    assert result.returncode == 0, result.stderr
    assert json.loads((home / "arguments.json").read_text()) == {"greeting": "hi pod"}
    assert (home / "main.py").is_file()
    assert "hello: in_task = True" in result.stdout
    assert '"greeting": "hi pod"' in result.stdout


def test_user_exit_code_is_the_pods(
    pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, sha = write_archive(tmp_path, "hello")
    command, env = pod_environment(
        monkeypatch, archive.as_uri(), sha, "main.py", None, {"fail": True}, tmp_path / "home"
    )
    result = run_pod(command, env, pod_python)
    assert result.returncode == 3
    assert "failing on purpose" in result.stderr


def test_an_archive_that_is_not_the_sha_never_runs(
    pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, _ = write_archive(tmp_path, "hello")
    command, env = pod_environment(
        monkeypatch, archive.as_uri(), "0" * 64, "main.py", None, {}, tmp_path / "home"
    )
    result = run_pod(command, env, pod_python)
    assert result.returncode == SETUP_FAILED
    assert "not " + "0" * 64 in result.stderr
    assert not (tmp_path / "home" / "main.py").exists()


def test_missing_archive_is_a_setup_failure(
    pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, env = pod_environment(
        monkeypatch, (tmp_path / "nope.zip").as_uri(), "1" * 64, "main.py", None, {}, tmp_path / "home"
    )
    result = run_pod(command, env, pod_python)
    assert result.returncode == SETUP_FAILED
    assert "fetching the archive" in result.stderr


@pytest.mark.slow
def test_ml_example_installs_from_the_wheelhouse_and_writes_results(
    pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, sha = write_archive(tmp_path, "ml_batch")
    wheelhouse = tmp_path / "wheelhouse"
    # What a deployment prepares once per orchestration: the pinned wheels, so pods need no index.
    subprocess.run(
        [
            str(pod_python),
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "-d",
            str(wheelhouse),
            "-r",
            str(REPO / "examples" / "ml_batch" / "requirements.txt"),
        ],
        check=True,
        timeout=600,
    )
    home = tmp_path / "jovyan"
    command, env = pod_environment(
        monkeypatch,
        archive.as_uri(),
        sha,
        "main.py",
        "requirements.txt",
        {"model": "logistic"},
        home,
        str(wheelhouse),
    )
    result = run_pod(command, env, pod_python)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"from {wheelhouse}" in result.stdout
    assert "ml_batch: accuracy=" in result.stdout
    metrics = json.loads((home / "results" / "metrics.json").read_text())
    assert 0.8 <= metrics["accuracy"] <= 1.0
    assert (home / "results" / "predictions.csv").is_file()


def test_packaging_wheelhouse_lets_the_pod_install_offline(
    pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packaging (runner kubernetes) keeps the wheels; the pod installs with --no-index from them."""
    from airflow_wallaroo.packaging.environments import EnvironmentLayout, build_environment
    from tests.support.archives import zip_files

    data = zip_files(
        {"main.py": "import six\nprint('six', six.__version__)\n", "requirements.txt": "six==1.17.0\n"}
    )
    archive = tmp_path / "six.zip"
    archive.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    layout = EnvironmentLayout(tmp_path / "envs")
    build_environment(layout, sha, archive, "requirements.txt", log=lambda line: None, wheelhouse=True)
    assert [wheel.name for wheel in layout.wheelhouse(sha).iterdir()] == ["six-1.17.0-py2.py3-none-any.whl"]
    command, env = pod_environment(
        monkeypatch,
        archive.as_uri(),
        sha,
        "main.py",
        "requirements.txt",
        {},
        tmp_path / "home",
        str(layout.wheelhouse(sha)),
    )
    env["PIP_INDEX_URL"] = "http://127.0.0.1:9/simple"  # any reach for the index would fail the run
    result = run_pod(command, env, pod_python)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "six 1.17.0" in result.stdout


SDK_REQUIREMENTS = Path(__file__).with_name("wallaroo-sdk-requirements.txt")
SDK_MAIN = """\
import json
import wallaroo

client = wallaroo.Client()
print("sdk: in_task =", client.in_task(), flush=True)
print("sdk: task_args =", json.dumps(client.task_args(), sort_keys=True), flush=True)
"""


@pytest.fixture(scope="module")
def sdk_pod_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime image built with ``WALLAROO_SDK_VERSION``: the pod venv plus the pinned SDK."""
    return runtime_image_venv(tmp_path_factory.mktemp("pod-image-sdk") / "venv", SDK_REQUIREMENTS)


def mint_archive_token(stack, orchestration_id: str) -> str:
    """Mint the token as a worker would: with the stack's own Airflow config and JWT key."""
    code = (
        "from airflow_wallaroo.archive_tokens import mint_archive_token as m; "
        f"print(m({orchestration_id!r}, 600))"
    )
    env = {**stack.environment(), "AIRFLOW_HOME": str(stack.home), "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip().splitlines()[-1]


def in_pod_mount_namespace(command: list[str], fake_home_root: Path) -> list[str]:
    """Run ``command`` where ``/home`` is ``fake_home_root``, so ``/home/jovyan`` is real, as in a pod."""
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        'mount --bind "$0" /home && exec "$@"',
        str(fake_home_root),
        *command,
    ]


@pytest.fixture
def sqlite_stack(stack):
    if stack.backend != "sqlite":
        pytest.skip("fetching from the API is the same on both backends; run it once")
    return stack


def uploaded(stack, admin, files: dict[str, str]) -> tuple[str, str]:
    from tests.support.archives import zip_files
    from tests.support.orchestrations import upload_ok

    workspace = admin.post(
        "/workspaces/create", json={"workspace_name": f"pods-{uuid.uuid4().hex[:8]}"}
    ).json()["workspace_id"]
    orchestration = upload_ok(admin, zip_files(files), workspace)
    return orchestration, admin.post("/orchestration/get_by_id", json={"id": orchestration}).json()["sha"]


def test_archive_from_the_api_with_a_minted_token(
    sqlite_stack, admin, pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orchestration, sha = uploaded(sqlite_stack, admin, {"main.py": "print('from the api')\n"})
    url = f"{sqlite_stack.base_url}/v1/api/orchestration/download?id={orchestration}"
    command, env = pod_environment(monkeypatch, url, sha, "main.py", None, {}, tmp_path / "home")
    env["WALLAROO_ARCHIVE_TOKEN"] = mint_archive_token(sqlite_stack, orchestration)
    result = run_pod(command, env, pod_python)
    assert result.returncode == 0, result.stderr
    assert "from the api" in result.stdout
    # The same token for another orchestration is refused by the API: the pod never runs code.
    other, other_sha = uploaded(sqlite_stack, admin, {"main.py": "print('other')\n"})
    env["WALLAROO_ARCHIVE_URL"] = f"{sqlite_stack.base_url}/v1/api/orchestration/download?id={other}"
    env["ORCH_SHA"] = other_sha
    refused = run_pod(command, env, pod_python)
    assert refused.returncode == SETUP_FAILED
    assert "401" in refused.stderr


@pytest.mark.slow
def test_the_real_wallaroo_sdk_sees_the_task_and_its_arguments(
    sqlite_stack, admin, sdk_pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``wallaroo.Client().in_task()`` and ``task_args()``, unchanged, in the pod's /home/jovyan."""
    orchestration, sha = uploaded(sqlite_stack, admin, {"main.py": SDK_MAIN})
    url = f"{sqlite_stack.base_url}/v1/api/orchestration/download?id={orchestration}"
    fake_home_root = tmp_path / "home"
    (fake_home_root / "jovyan").mkdir(parents=True)
    arguments = {"model": "ccfraud", "threshold": 0.75, "batch": [1, 2, 3]}
    command, env = pod_environment(
        monkeypatch, url, sha, "main.py", None, arguments, fake_home_root / "jovyan"
    )
    env.pop("WALLAROO_HOME")  # the default, /home/jovyan: real inside the mount namespace
    env["WALLAROO_API_URL"] = sqlite_stack.base_url
    env["WALLAROO_ARCHIVE_TOKEN"] = mint_archive_token(sqlite_stack, orchestration)
    full_env = {"PATH": f"{sdk_pod_python.parent}:/usr/bin:/bin", "HOME": "/home/jovyan", **env}
    result = subprocess.run(
        in_pod_mount_namespace(command, fake_home_root),
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd="/",
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sdk: in_task = True" in result.stdout
    assert f"sdk: task_args = {json.dumps(arguments, sort_keys=True)}" in result.stdout
    assert json.loads((fake_home_root / "jovyan" / "arguments.json").read_text()) == arguments


def test_sigterm_stops_the_user_code_at_once(
    pod_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pod deletion (kill, timeout) SIGTERMs the launcher; the user's process group goes with it."""
    import signal
    import time

    import psutil

    archive, sha = write_archive(tmp_path, "hello")
    command, env = pod_environment(
        monkeypatch, archive.as_uri(), sha, "main.py", None, {"sleep": 120}, tmp_path / "home"
    )
    full_env = {"PATH": f"{pod_python.parent}:/usr/bin:/bin", "HOME": env["WALLAROO_HOME"], **env}
    with subprocess.Popen(
        command, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/"
    ) as pod:
        assert pod.stdout is not None
        for line in pod.stdout:  # wait until the user code runs
            if "hello: tick" in line:
                break
        user_processes = psutil.Process(pod.pid).children(recursive=True)
        assert user_processes, "the user code runs as the launcher's child"
        started = time.monotonic()
        pod.send_signal(signal.SIGTERM)
        code = pod.wait(timeout=30)
        stopped_after = time.monotonic() - started
    assert code == 143
    assert stopped_after < 10
    assert not [p for p in user_processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
