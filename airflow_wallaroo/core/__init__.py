"""Facts every room shares, with no Airflow import: task specs, names, the data folder's
layout and the task and run vocabularies.

Everything above this layer imports these facts; nothing here imports anything above it.
"""
