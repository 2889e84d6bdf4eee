"""SQS and schedule entry points (thin, like api/)."""

from . import dispatcher, routing, sweeper

BLUEPRINTS = (routing.bp, dispatcher.bp, sweeper.bp)
