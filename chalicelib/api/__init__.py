"""HTTP API blueprints, one per audience."""

from . import access_links, admin, attachments, directory, reports, staff, system

BLUEPRINTS = (
    system.bp,
    reports.bp,
    attachments.bp,
    access_links.bp,
    directory.bp,
    staff.bp,
    admin.bp,
)
