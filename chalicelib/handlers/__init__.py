"""SQS, stream and schedule entry points (thin, like api/)."""

from . import (
    channel_inbox,
    dispatcher,
    notifications,
    open_data,
    routing,
    scheduler,
    statistics,
    stats_summaries,
    sweeper,
    uploads,
)

BLUEPRINTS = (
    routing.bp,
    dispatcher.bp,
    sweeper.bp,
    uploads.bp,
    notifications.bp,
    scheduler.bp,
    statistics.bp,
    open_data.bp,
    stats_summaries.bp,
    channel_inbox.bp,
)
