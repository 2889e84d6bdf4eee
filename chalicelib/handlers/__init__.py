"""SQS and schedule entry points (thin, like api/)."""

from . import dispatcher, notifications, routing, scheduler, stats_summaries, sweeper, uploads

BLUEPRINTS = (
    routing.bp,
    dispatcher.bp,
    sweeper.bp,
    uploads.bp,
    notifications.bp,
    scheduler.bp,
    stats_summaries.bp,
)
