"""Liveness of the two services the app cannot work without."""

import logging
import os

from django.db import connection

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def database_ok(db=None) -> bool:
    db = db or connection
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "down"; details go to the log only
        logger.exception("Health check: database unreachable")
        return False


def broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            # The filesystem transport "connects" without touching the disk.
            if conn.transport.driver_type == "filesystem":
                return _filesystem_broker_ok(conn)
        return True
    except Exception:
        logger.exception("Health check: broker unreachable")
        return False


def _filesystem_broker_ok(conn) -> bool:
    options = conn.transport_options
    folders = [options.get("data_folder_in"), options.get("control_folder")]
    return all(
        folder and os.path.isdir(folder) and os.access(folder, os.W_OK) for folder in folders
    )
