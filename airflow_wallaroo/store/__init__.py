"""Persistence: project tables in Airflow's metadata DB, their migrations, the artifact store."""
