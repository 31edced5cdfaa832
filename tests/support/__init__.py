"""Support code shared by the test tiers: clients, archives, waits, the real Airflow stack."""
