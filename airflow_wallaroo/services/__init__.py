"""What the API does, in domain terms. Services raise domain errors, never HTTP ones."""
