"""How the API writes rows as seed 002's JSON objects."""
