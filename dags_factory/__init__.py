"""Turns task specs into generated Airflow DAGs (issue 4 fills this in)."""
