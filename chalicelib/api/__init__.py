"""HTTP API blueprints, one per audience; the edge answers the methods they do not declare."""

from . import (
    access_links,
    admin,
    attachments,
    directory,
    edge,
    open_data,
    portal,
    public,
    reports,
    staff,
    stats,
    system,
)
from .channels import twilio
from .endpoint import DECLARED

BLUEPRINTS = (
    system.bp,
    reports.bp,
    public.bp,
    open_data.bp,
    attachments.bp,
    access_links.bp,
    directory.bp,
    staff.bp,
    admin.bp,
    stats.bp,
    twilio.bp,
    portal.bp,
    edge.blueprint(DECLARED),  # last: built from every route declared above
)
