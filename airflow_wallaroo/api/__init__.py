"""The /v1/api FastAPI app that the plugin mounts on Airflow's api-server."""
