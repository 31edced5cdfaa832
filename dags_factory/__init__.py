"""Turns task specs into generated Airflow DAGs; the packaging DAG.

It depends on ``airflow_wallaroo`` (its core, runners and timetables), never the reverse.
"""
