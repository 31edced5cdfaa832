"""The one adapter over non-public Airflow.

Airflow's public interface (``airflow.sdk``, timetables, listeners, plugins, providers, the
REST API) is used directly where it is needed. Everything else this product needs from
Airflow's internals (its metadata tables, sessions, configuration, log handler, auth
manager, token signing, trigger and run-state functions) is reached only through the
modules of this package, so an Airflow upgrade that moves or changes one of them breaks
here, in one place, and ``tests/unit/airflow_compat`` says which.

Each module exposes small functions in this product's terms (task DAG states, runs,
log records, users); none of Airflow's ORM classes leak out of it.
"""
