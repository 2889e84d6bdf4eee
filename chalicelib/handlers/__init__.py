"""SQS and schedule entry points (thin, like api/)."""

from . import routing, sweeper

BLUEPRINTS = (routing.bp, sweeper.bp)
