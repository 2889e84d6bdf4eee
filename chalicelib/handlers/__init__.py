"""SQS, stream and schedule entry points (thin, like api/)."""

from . import dispatcher, notifications, routing, scheduler, statistics, sweeper, uploads

BLUEPRINTS = (
    routing.bp,
    dispatcher.bp,
    sweeper.bp,
    uploads.bp,
    notifications.bp,
    scheduler.bp,
    statistics.bp,
)
