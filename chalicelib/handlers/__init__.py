"""SQS and schedule entry points (thin, like api/)."""

from . import dispatcher, routing, scheduler, sweeper, uploads

BLUEPRINTS = (routing.bp, dispatcher.bp, sweeper.bp, uploads.bp, scheduler.bp)
