"""The only code that talks to AWS (and other outside systems)."""
