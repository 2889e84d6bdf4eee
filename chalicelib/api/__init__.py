"""HTTP API blueprints, one per audience."""

from . import admin, directory, reports, staff, system

BLUEPRINTS = (system.bp, reports.bp, directory.bp, staff.bp, admin.bp)
