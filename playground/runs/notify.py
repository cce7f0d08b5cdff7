"""Messages to a run's channel-layer group, from synchronous code outside the worker."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.dispatch import Signal

from . import messages
from .models import group_name

log = logging.getLogger(__name__)

# Sent (run_id=, status=) when a run is claimed or ends, in whichever process did it: other
# apps (the classroom's dashboard) follow runs without the runs app knowing of them.
status_changed = Signal()


def announce(run_id, status):
    try:
        status_changed.send(sender=None, run_id=run_id, status=status)
    except Exception:  # a listener's trouble is never the run's
        log.exception("a listener to run %s's status failed", run_id)


def notify_status(run_id, status, error=""):
    """Tell the WebSockets watching a run that its status changed. Best effort: the
    channel layer is at-most-once and a consumer also reads the status from the DB."""
    announce(run_id, status)
    try:
        async_to_sync(get_channel_layer().group_send)(group_name(run_id), messages.status(status, error))
    except Exception:  # a status is never worth failing the caller for
        log.exception("could not notify run %s of status %s", run_id, status)


def send_control(channel, control):
    """Forward a control message (step, deliver, fault, cancel) to the run's worker."""
    if not channel:
        return False
    try:
        async_to_sync(get_channel_layer().send)(channel, messages.control(control))
    except Exception:
        log.exception("could not send control %r to %s", control, channel)
        return False
    return True
