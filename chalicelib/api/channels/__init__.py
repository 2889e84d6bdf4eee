"""Webhooks of the channels citizens write on (SMS, WhatsApp, Messenger, X): verify the
provider's signature over the raw body, turn the payload into ``InboundMessage``s, hand
them to the intake service (``services/channel_intake.py``) and answer quickly."""
