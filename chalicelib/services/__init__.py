"""Use cases. They take plain data, use the domain and the ports, and return results."""
