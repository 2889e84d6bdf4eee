"""The channels' webhooks: each provider's format stays in its module here; what leaves
is a list of :class:`chalicelib.domain.inbound.InboundMessage` for the intake service."""
