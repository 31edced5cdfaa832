"""``airflow-wallaroo standalone``: the embedded product, every Airflow component in one command."""
