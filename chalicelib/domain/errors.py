"""Domain errors: what went wrong in the language of the business."""


class DomainError(Exception):
    """Base class for errors the domain raises."""


class InvalidTransition(DomainError):
    def __init__(self, current: str, requested: str):
        super().__init__(f"cannot change status from {current} to {requested}")
        self.current = current
        self.requested = requested


class ConcurrentUpdate(DomainError):
    """Somebody else changed the report since it was read (optimistic locking)."""
