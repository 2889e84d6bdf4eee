"""SQS and schedule entry points (thin, like api/)."""

from . import routing, sweeper, uploads

BLUEPRINTS = (routing.bp, sweeper.bp, uploads.bp)
