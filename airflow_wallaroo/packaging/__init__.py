"""Building an orchestration's Python environment, once per archive sha."""
