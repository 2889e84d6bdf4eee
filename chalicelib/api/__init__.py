"""HTTP API blueprints, one per audience; the edge answers the methods they do not declare."""

from . import (
    access_links,
    admin,
    attachments,
    directory,
    edge,
    open311,
    open_data,
    portal,
    portal_admin,  # noqa: F401  (its routes go on portal.bp)
    portal_casework,  # noqa: F401  (its routes go on portal.bp)
    portal_dashboard,  # noqa: F401  (its routes go on portal.bp)
    portal_staff,  # noqa: F401  (its routes go on portal.bp)
    public,
    reports,
    staff,
    stats,
    system,
)
from .channels import meta as channels_meta
from .channels import twilio
from .channels import x as channels_x
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
    open311.bp,
    twilio.bp,
    channels_meta.bp,
    channels_x.bp,
    portal.bp,
    edge.blueprint(DECLARED),  # last: built from every route declared above
)
