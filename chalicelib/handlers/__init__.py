"""SQS and schedule entry points (thin, like api/)."""

from . import dispatcher, routing, sweeper, uploads

BLUEPRINTS = (routing.bp, dispatcher.bp, sweeper.bp, uploads.bp)
