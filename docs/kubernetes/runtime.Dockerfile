# The image of task-run pods ([wallaroo] pod_image, runner=kubernetes): Python 3.11 and
# airflow-wallaroo's runtime package. The pod command, set by the runner
# (airflow_wallaroo/runners/kubernetes.py, POD_COMMAND), is
#   python -m airflow_wallaroo.runtime.pod
# which fetches the archive and runs the entrypoint through airflow_wallaroo.runtime.launcher.
# airflow_wallaroo.runtime is stdlib-only, so the package goes in with --no-deps: no Airflow here.
#
# Build from the repository root, with the wheel from `pip wheel --no-deps -w dist .`:
#   docker build -f docs/kubernetes/runtime.Dockerfile -t registry.example.com/airflow-wallaroo-runtime:0.1.0 .
#   # with the Wallaroo SDK preinstalled:
#   docker build -f docs/kubernetes/runtime.Dockerfile --build-arg WALLAROO_SDK_VERSION=<version> -t ... .
# Not built in CI: nothing here has been run against a registry or a cluster.
FROM python:3.11-slim

ARG WHEEL=airflow_wallaroo-0.1.0-py3-none-any.whl
# Empty (default): no SDK. Set: `wallaroo==$WALLAROO_SDK_VERSION` is installed.
ARG WALLAROO_SDK_VERSION=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Orchestration code runs as the unprivileged user jovyan (home /home/jovyan).
RUN groupadd --gid 1000 jovyan \
 && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/jovyan --shell /bin/bash jovyan

COPY dist/${WHEEL} /tmp/${WHEEL}
RUN pip install --no-cache-dir --no-deps "/tmp/${WHEEL}" \
 && if [ -n "${WALLAROO_SDK_VERSION}" ]; then \
        pip install --no-cache-dir "wallaroo==${WALLAROO_SDK_VERSION}"; \
    fi \
 && rm -f "/tmp/${WHEEL}"

# Numeric, so Kubernetes can check runAsNonRoot against it.
USER 1000:1000
WORKDIR /home/jovyan
CMD ["python", "-m", "airflow_wallaroo.runtime.pod"]
