"""One-line unit-of-work commits for the integration tests."""

from chalicelib.adapters.unit_of_work import DynamoUnitOfWork


def save(report, *, acknowledge=False):
    uow = DynamoUnitOfWork()
    uow.reports.save(report, acknowledge=acknowledge)
    uow.commit()


def accept(attachment, report):
    """Decide the slot and store the report's new timeline events in one transaction."""
    uow = DynamoUnitOfWork()
    uow.attachments.decide(attachment)
    uow.reports.save(report)
    uow.commit()
