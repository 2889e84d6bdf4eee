"""HTTP API blueprints, one per audience."""

from . import admin, attachments, directory, reports, staff, system

BLUEPRINTS = (system.bp, reports.bp, attachments.bp, directory.bp, staff.bp, admin.bp)
